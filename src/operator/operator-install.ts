import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { requireDnsLabel, requireGoDuration, requireOneOf } from '../common/validation';
import { OperatorChartValues } from './chart-values';
import { GPU_OPERATOR_CHART } from './operator-images';
import { GitOpsInstall } from './vocabulary';

/** Flux settings for installing the operator chart. */
export interface FluxInstallOptions {
  /**
   * How often Flux reconciles the HelmRelease (undoing drift).
   * @default '30m'
   */
  readonly interval?: string;
  /**
   * How often Flux refreshes the Helm repository index.
   * @default '1h'
   */
  readonly repositoryInterval?: string;
  /**
   * Namespace of the HelmRepository and HelmRelease.
   * @default - the operator's namespace
   */
  readonly namespace?: string;
}

/** Argo CD settings for installing the operator chart. */
export interface ArgoCdInstallOptions {
  /**
   * Namespace Argo CD watches for Applications.
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * Argo CD project of the Application.
   * @default 'default'
   */
  readonly project?: string;
  /**
   * Cluster the chart is installed into.
   * @default 'https://kubernetes.default.svc'
   */
  readonly destinationServer?: string;
  /**
   * Sync automatically, pruning removed objects and undoing drift.
   * @default true
   */
  readonly automated?: boolean;
}

/** Properties of an OperatorInstall. */
export interface OperatorInstallProps {
  /** How the operator is installed. */
  readonly mode: GitOpsInstall;
  /** Namespace the operator runs in. */
  readonly namespace: string;
  /**
   * Chart version, repository and values (mode FLUX and ARGO_CD).
   * @default - none; required unless mode is NONE
   */
  readonly chart?: OperatorChartValues;
  /**
   * Flux settings (mode FLUX).
   * @default - 30m reconcile, 1h repository refresh
   */
  readonly flux?: FluxInstallOptions;
  /**
   * Argo CD settings (mode ARGO_CD).
   * @default - namespace argocd, project default, automated sync
   */
  readonly argoCd?: ArgoCdInstallOptions;
  /**
   * Labels of the emitted objects.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** Name of the Helm release, the HelmRelease and the Application. */
export const OPERATOR_RELEASE_NAME = 'gpu-operator';
/** Name of the Flux HelmRepository. */
export const HELM_REPOSITORY_NAME = 'nvidia';

/**
 * The GitOps objects that install NVIDIA's `gpu-operator` chart at a pinned version: a Flux
 * HelmRepository and HelmRelease, an Argo CD Application, or nothing.
 */
export class OperatorInstall extends Construct {
  /** The HelmRelease or Application (undefined with mode NONE). */
  public readonly resource?: ApiObject;

  constructor(scope: Construct, id: string, props: OperatorInstallProps) {
    super(scope, id);
    requireOneOf('mode', props.mode, GitOpsInstall);
    if (props.flux && props.mode !== GitOpsInstall.FLUX) {
      throw new Error(
        `flux settings apply only with install GitOpsInstall.FLUX (install is "${props.mode}"); remove flux or change install`,
      );
    }
    if (props.argoCd && props.mode !== GitOpsInstall.ARGO_CD) {
      throw new Error(
        `argoCd settings apply only with install GitOpsInstall.ARGO_CD (install is "${props.mode}"); remove argoCd or change install`,
      );
    }
    if (props.mode !== GitOpsInstall.NONE && !props.chart) {
      throw new Error(
        `install "${props.mode}" installs NVIDIA's chart and needs its values (chart); pass an OperatorChartValues`,
      );
    }
    if (props.mode === GitOpsInstall.FLUX) {
      this.resource = this.flux(props, props.flux ?? {});
    } else if (props.mode === GitOpsInstall.ARGO_CD) {
      this.resource = this.argoCd(props, props.argoCd ?? {});
    }
  }

  private flux(props: OperatorInstallProps, opts: FluxInstallOptions): ApiObject {
    const chart = props.chart!;
    const namespace = opts.namespace ?? props.namespace;
    const interval = opts.interval ?? '30m';
    const repositoryInterval = opts.repositoryInterval ?? '1h';
    requireDnsLabel('flux.namespace', namespace);
    requireGoDuration('flux.interval', interval);
    requireGoDuration('flux.repositoryInterval', repositoryInterval);
    new ApiObject(this, 'HelmRepository', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: HELM_REPOSITORY_NAME, namespace, labels: props.labels },
      spec: { interval: repositoryInterval, url: chart.repositoryUrl },
    });
    // The chart ships its CRDs in crds/, which Helm never upgrades by itself; CreateReplace
    // keeps the ClusterPolicy CRD in step with the operator on every chart bump.
    const lifecycle = { crds: 'CreateReplace', remediation: { retries: 3 } };
    return new ApiObject(this, 'Resource', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: OPERATOR_RELEASE_NAME, namespace, labels: props.labels },
      spec: {
        interval,
        releaseName: OPERATOR_RELEASE_NAME,
        targetNamespace: namespace === props.namespace ? undefined : props.namespace,
        chart: {
          spec: {
            chart: GPU_OPERATOR_CHART,
            version: chart.version,
            sourceRef: { kind: 'HelmRepository', name: HELM_REPOSITORY_NAME, namespace },
            interval: repositoryInterval,
          },
        },
        install: lifecycle,
        upgrade: lifecycle,
        values: chart.toJson(),
      },
    });
  }

  private argoCd(props: OperatorInstallProps, opts: ArgoCdInstallOptions): ApiObject {
    const chart = props.chart!;
    const namespace = opts.namespace ?? 'argocd';
    requireDnsLabel('argoCd.namespace', namespace);
    const server = opts.destinationServer ?? 'https://kubernetes.default.svc';
    if (!/^https:\/\/\S+$/.test(server)) {
      throw new Error(
        `argoCd.destinationServer must be the cluster's API URL, e.g. "https://kubernetes.default.svc" (got "${server}")`,
      );
    }
    return new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: OPERATOR_RELEASE_NAME,
        namespace,
        labels: props.labels,
        // Before the ClusterPolicy (wave 1), whose CRD this Application installs.
        annotations: { 'argocd.argoproj.io/sync-wave': '0' },
      },
      spec: {
        project: opts.project ?? 'default',
        source: {
          repoURL: chart.repositoryUrl,
          chart: GPU_OPERATOR_CHART,
          targetRevision: chart.version,
          helm: { releaseName: OPERATOR_RELEASE_NAME, valuesObject: chart.toJson() },
        },
        destination: { server, namespace: props.namespace },
        syncPolicy: {
          automated: (opts.automated ?? true) ? { prune: true, selfHeal: true } : undefined,
          // The chart's CRDs are large: server-side apply avoids the size limit of the
          // last-applied-configuration annotation that client-side apply writes.
          syncOptions: ['ServerSideApply=true'],
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
      },
    });
  }
}
