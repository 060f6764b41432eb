import { LIBRARY_VERSION } from './version';

/** Value of `app.kubernetes.io/part-of` on everything this library emits. */
export const PART_OF = 'cdk8s-gpu';
/** Value of `app.kubernetes.io/managed-by` on everything this library emits. */
export const MANAGED_BY = 'cdk8s-gpu';

/**
 * Pod Security labels of a Namespace the constructs create for node agents: the device plugin
 * mounts hostPaths and may run privileged (passDeviceSpecs), the operator's operands do both,
 * and only the `privileged` level admits them.
 */
export const PRIVILEGED_NAMESPACE_LABELS: { readonly [key: string]: string } = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
};

/**
 * Options for the recommended Kubernetes labels.
 */
export interface StandardLabelsOptions {
  /** `app.kubernetes.io/name`. */
  readonly name: string;
  /** `app.kubernetes.io/instance`. */
  readonly instance: string;
  /** `app.kubernetes.io/component`. */
  readonly component: string;
  /**
   * `app.kubernetes.io/version`.
   * @default - this library's version
   */
  readonly version?: string;
}

/**
 * The six `app.kubernetes.io/*` labels, in a stable order.
 */
export function standardLabels(options: StandardLabelsOptions): { [key: string]: string } {
  return {
    'app.kubernetes.io/name': options.name,
    'app.kubernetes.io/instance': options.instance,
    'app.kubernetes.io/version': options.version ?? LIBRARY_VERSION,
    'app.kubernetes.io/component': options.component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/**
 * The subset of labels that a selector may use: they never change over the life of
 * an object (a DaemonSet's selector is immutable, so the version must not be in it).
 */
export function selectorLabels(options: Pick<StandardLabelsOptions, 'name' | 'instance'>): { [key: string]: string } {
  return {
    'app.kubernetes.io/name': options.name,
    'app.kubernetes.io/instance': options.instance,
  };
}
