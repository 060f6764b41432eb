// Two objects of one kind with one name in one namespace cannot both exist in a cluster: the
// second `kubectl apply` overwrites the first, and a GitOps tool flips between them. cdk8s
// writes both without a word, so the constructs refuse it at construction and name the prop
// to change. Not part of the public API.
import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

/** The identity of an object in a cluster: API group, kind, namespace, name. */
function identity(obj: ApiObject): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return [group, obj.kind, obj.metadata.namespace ?? '', obj.name].join('\u0000');
}

function apiObjects(scope: IConstruct): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
}

/**
 * Throws when an object that `scope` created has the kind, namespace and name of another
 * object already in the same chart. `hint` says which prop of `scope` to change for that
 * object, e.g. "set name (or namespace) to another value".
 */
export function requireUniqueObjectNames(scope: Construct, what: string, hint: (obj: ApiObject) => string): void {
  const chart = Chart.of(scope);
  const mine = new Set<ApiObject>(apiObjects(scope));
  const others = new Map<string, ApiObject>();
  for (const obj of apiObjects(chart)) {
    if (!mine.has(obj)) others.set(identity(obj), obj);
  }
  for (const obj of mine) {
    const other = others.get(identity(obj));
    if (!other) continue;
    const ns = obj.metadata.namespace;
    throw new Error(
      `${what} "${scope.node.path}" would create ${obj.kind} "${obj.name}"${ns ? ` in namespace "${ns}"` : ''}, ` +
        `which "${other.node.path}" in the same chart already creates (the second would overwrite the first at apply); ${hint(obj)}`,
    );
  }
}
