// Validates synthesized objects against the Kubernetes OpenAPI schemas shipped by the
// `kubernetes-models` package (a maintained package, not a schema written by hand).
// It checks types, required fields and enums; it does not reject unknown fields.
import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { RuntimeClass } from 'kubernetes-models/node.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { PriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1';
import { ConfigMap, Namespace, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: any) => Validatable;

const MODELS: { [apiVersionKind: string]: ModelClass } = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Pod': Pod,
  'v1/Service': Service,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'node.k8s.io/v1/RuntimeClass': RuntimeClass,
  'scheduling.k8s.io/v1/PriorityClass': PriorityClass,
};

/** The apiVersion/kind pairs `validateK8sObjects` knows. */
export const KNOWN_KINDS: readonly string[] = Object.keys(MODELS);

/**
 * Validates each object against the schema of its apiVersion and kind; throws one error
 * that lists every invalid object (index, kind, name and the schema's complaint), or
 * names the apiVersion/kind it has no schema for.
 */
export function validateK8sObjects(objs: any[]): void {
  const problems: string[] = [];
  objs.forEach((obj, i) => {
    const key = `${obj?.apiVersion}/${obj?.kind}`;
    const where = `object ${i} (${key} "${obj?.metadata?.name ?? '?'}")`;
    const Model = MODELS[key];
    if (!Model) {
      problems.push(
        `${where}: no schema registered for ${key}; add it to MODELS in test/constructs/helpers/k8s-schema.ts (known: ${KNOWN_KINDS.join(', ')})`,
      );
      return;
    }
    try {
      new Model(obj).validate();
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
    }
  });
  if (problems.length > 0) {
    throw new Error(`Kubernetes schema validation failed:\n  ${problems.join('\n  ')}`);
  }
}
