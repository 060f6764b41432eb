import { CI_SCENARIOS } from '../../src/chart/ci-scenarios';
import { CHART_DIR, HELM_BUILD_TIMEOUT_MS, ciValuesFile, helm, helmBinary, helmTemplate } from './helm';

beforeAll(() => {
  helmBinary();
}, HELM_BUILD_TIMEOUT_MS);

test('the pinned helm reports the version test/tools/helm.sh names', () => {
  expect(helm(['version', '--template', '{{ .Version }}']).stdout).toBe('v3.19.0');
});

test('the pinned helm assumes the Kubernetes version of its release build, which the chart accepts', () => {
  // A plain `go install` would leave helm assuming Kubernetes v1.20, below the chart's kubeVersion.
  const r = helm(['template', 'gpu-device-plugin', CHART_DIR, '--show-only', 'templates/serviceaccount.yaml']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

describe.each(CI_SCENARIOS.map((s) => [s.name] as const))('ci/%s-values.yaml', (name) => {
  test('passes helm lint --strict', () => {
    const r = helm(['lint', '--strict', CHART_DIR, '--values', ciValuesFile(name)]);
    expect(r.stderr + r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(r.status).toBe(0);
  });

  test('renders with helm template: a ServiceAccount, a ConfigMap and a DaemonSet, the Namespace when asked, RBAC with named configs', () => {
    const kinds = helmTemplate(CHART_DIR, [ciValuesFile(name)])
      .map((o) => o.kind)
      .sort();
    const scenario = CI_SCENARIOS.find((s) => s.name === name)!;
    const createsNamespace = (scenario.values.namespace as { create?: boolean } | undefined)?.create ?? true;
    // MPS adds the MPS control daemon's DaemonSet; named configs the node-reader RBAC.
    const mps = (scenario.values.mps as { enabled?: boolean } | undefined)?.enabled ? ['DaemonSet'] : [];
    const config = (scenario.values.config ?? {}) as { map?: object; name?: string };
    const named = Object.keys(config.map ?? {}).length > 0 || !!config.name;
    const rbac = named ? ['ClusterRole', 'ClusterRoleBinding'] : [];
    // config.name: the configs are in an existing ConfigMap.
    const configMap = config.name ? [] : ['ConfigMap'];
    expect(kinds).toEqual(
      [...(createsNamespace ? ['Namespace'] : []), ...rbac, ...configMap, 'DaemonSet', ...mps, 'ServiceAccount'].sort(),
    );
  });
});

test('the chart refuses a cluster older than its kubeVersion', () => {
  const r = helm(['template', 'gpu-device-plugin', CHART_DIR, '--kube-version', '1.24.0']);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v1.24.0');
});
