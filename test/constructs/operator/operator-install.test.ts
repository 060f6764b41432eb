import { GitOpsInstall, OperatorChartValues, OperatorInstall, OperatorInstallProps } from '../../../src/operator';
import { scope, synth } from './synth';

const chart = new OperatorChartValues();
const base: OperatorInstallProps = {
  mode: GitOpsInstall.FLUX,
  namespace: 'gpu-operator',
  chart,
  labels: { team: 'gpu' },
};

describe('OperatorInstall with Flux', () => {
  const out = synth((s) => new OperatorInstall(s, 'Install', base));
  const repo = out.one('HelmRepository');
  const release = out.one('HelmRelease');

  test('emits a HelmRepository and a HelmRelease, nothing else', () => {
    expect(out.all.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'source.toolkit.fluxcd.io/v1 HelmRepository',
      'helm.toolkit.fluxcd.io/v2 HelmRelease',
    ]);
  });

  test('HelmRepository: name nvidia in the operator namespace, NGC URL, hourly refresh', () => {
    expect(repo.metadata).toEqual({ name: 'nvidia', namespace: 'gpu-operator', labels: { team: 'gpu' } });
    expect(repo.spec).toEqual({ interval: '1h', url: 'https://helm.ngc.nvidia.com/nvidia' });
  });

  test('HelmRelease metadata', () => {
    expect(release.metadata).toEqual({ name: 'gpu-operator', namespace: 'gpu-operator', labels: { team: 'gpu' } });
  });

  test('HelmRelease chart: gpu-operator at the pinned version from the HelmRepository', () => {
    expect(release.spec.chart).toEqual({
      spec: {
        chart: 'gpu-operator',
        version: 'v26.7.0',
        sourceRef: { kind: 'HelmRepository', name: 'nvidia', namespace: 'gpu-operator' },
        interval: '1h',
      },
    });
  });

  test('HelmRelease reconciles every 30m as release gpu-operator in its own namespace', () => {
    expect(release.spec.interval).toBe('30m');
    expect(release.spec.releaseName).toBe('gpu-operator');
    expect(release.spec.targetNamespace).toBeUndefined();
  });

  test('HelmRelease replaces CRDs on install and upgrade and retries failures', () => {
    for (const phase of ['install', 'upgrade']) {
      expect(release.spec[phase]).toEqual({ crds: 'CreateReplace', remediation: { retries: 3 } });
    }
  });

  test('HelmRelease values are the typed chart values, deployCR false', () => {
    expect(release.spec.values).toEqual(chart.toJson());
    expect(release.spec.values.clusterPolicy.deployCR).toBe(false);
  });

  test('the whole spec has no other fields', () => {
    expect(Object.keys(release.spec).sort()).toEqual([
      'chart',
      'install',
      'interval',
      'releaseName',
      'upgrade',
      'values',
    ]);
  });

  test('intervals and a separate Flux namespace (the release then targets the operator namespace)', () => {
    const o = synth(
      (s) =>
        new OperatorInstall(s, 'Install', {
          ...base,
          flux: { interval: '10m', repositoryInterval: '6h', namespace: 'flux-system' },
        }),
    );
    const r = o.one('HelmRelease');
    expect(r.metadata.namespace).toBe('flux-system');
    expect(r.spec.interval).toBe('10m');
    expect(r.spec.targetNamespace).toBe('gpu-operator');
    expect(r.spec.chart.spec.sourceRef.namespace).toBe('flux-system');
    expect(o.one('HelmRepository').spec.interval).toBe('6h');
  });
});

describe('OperatorInstall with Argo CD', () => {
  const out = synth((s) => new OperatorInstall(s, 'Install', { ...base, mode: GitOpsInstall.ARGO_CD }));
  const app = out.one('Application');

  test('emits one argoproj.io/v1alpha1 Application in the argocd namespace, in sync wave 0 (before the ClusterPolicy)', () => {
    expect(out.all.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(['argoproj.io/v1alpha1 Application']);
    expect(app.metadata).toEqual({
      name: 'gpu-operator',
      namespace: 'argocd',
      labels: { team: 'gpu' },
      annotations: { 'argocd.argoproj.io/sync-wave': '0' },
    });
  });

  test('source: the gpu-operator chart from NGC at the pinned version with typed values', () => {
    expect(app.spec.source).toEqual({
      repoURL: 'https://helm.ngc.nvidia.com/nvidia',
      chart: 'gpu-operator',
      targetRevision: 'v26.7.0',
      helm: { releaseName: 'gpu-operator', valuesObject: chart.toJson() },
    });
  });

  test('project and destination', () => {
    expect(app.spec.project).toBe('default');
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'gpu-operator' });
  });

  test('sync policy: automated with prune and self-heal, server-side apply, bounded retries', () => {
    expect(app.spec.syncPolicy).toEqual({
      automated: { prune: true, selfHeal: true },
      syncOptions: ['ServerSideApply=true'],
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
    });
  });

  test('options: namespace, project, destination, manual sync', () => {
    const a = synth(
      (s) =>
        new OperatorInstall(s, 'Install', {
          ...base,
          mode: GitOpsInstall.ARGO_CD,
          argoCd: {
            namespace: 'gitops',
            project: 'platform',
            destinationServer: 'https://gpu-cluster.example:6443',
            automated: false,
          },
        }),
    ).one('Application');
    expect(a.metadata.namespace).toBe('gitops');
    expect(a.spec.project).toBe('platform');
    expect(a.spec.destination.server).toBe('https://gpu-cluster.example:6443');
    expect(a.spec.syncPolicy.automated).toBeUndefined();
  });
});

describe('OperatorInstall with NONE', () => {
  test('emits nothing and has no resource', () => {
    let install: OperatorInstall | undefined;
    const out = synth((s) => {
      install = new OperatorInstall(s, 'Install', { ...base, mode: GitOpsInstall.NONE });
    });
    expect(out.all).toEqual([]);
    expect(install!.resource).toBeUndefined();
  });
});

describe('OperatorInstall validation', () => {
  test.each<[string, Partial<OperatorInstallProps>, RegExp]>([
    [
      'an unknown mode',
      { mode: 'helm' as GitOpsInstall },
      /mode must be one of "flux", "argocd", "none" \(got "helm"\)/,
    ],
    [
      'flux settings with Argo CD',
      { mode: GitOpsInstall.ARGO_CD, flux: {} },
      /flux settings apply only with install GitOpsInstall.FLUX \(install is "argocd"\)/,
    ],
    ['argoCd settings with Flux', { argoCd: {} }, /argoCd settings apply only with install GitOpsInstall.ARGO_CD/],
    ['a bad Flux interval', { flux: { interval: '1d' } }, /flux.interval must be a duration .*got "1d"/],
    ['a bad Flux namespace', { flux: { namespace: 'Flux' } }, /flux.namespace must be a DNS-1123 label/],
    [
      'a destination that is not a URL',
      { mode: GitOpsInstall.ARGO_CD, argoCd: { destinationServer: 'in-cluster' } },
      /argoCd.destinationServer must be the cluster's API URL/,
    ],
  ])('rejects %s', (_what, override, message) => {
    expect(() => new OperatorInstall(scope(), 'Install', { ...base, ...override })).toThrow(message);
  });
});
