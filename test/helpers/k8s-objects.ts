/**
 * Selecting Kubernetes objects by kind (and name): the one home for every test that reads
 * synthesized (Testing.synth, dist/*.k8s.yaml) or rendered (helm template) objects.
 * Objects are untyped JSON here, as the tests read them by path.
 */

/** Every object of `kind` (with `name`, when given), in order. */
export function ofKind(objects: readonly any[], kind: string, name?: string): any[] {
  return objects.filter((o) => o?.kind === kind && (name === undefined || o.metadata?.name === name));
}

/** The one object of `kind` (with `name`, when given); throws, listing what is there, unless there is exactly one. */
export function oneOfKind(objects: readonly any[], kind: string, name?: string): any {
  const found = ofKind(objects, kind, name);
  if (found.length !== 1) {
    const present = objects.map((o) => `${o?.kind} ${o?.metadata?.name}`).join(', ') || 'nothing';
    throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length} among: ${present}`);
  }
  return found[0];
}

/** The first object of `kind` (with `name`, when given), or undefined when there is none. */
export function firstOfKind(objects: readonly any[], kind: string, name?: string): any {
  return ofKind(objects, kind, name)[0];
}

/** Objects with lookups by kind (and name when a kind repeats). */
export interface Objects {
  readonly all: any[];
  /** The one object of `kind` (optionally with `name`); throws if there is not exactly one. */
  one(kind: string, name?: string): any;
  /** Every object of `kind` (optionally with `name`). */
  ofKind(kind: string, name?: string): any[];
}

/** `all` with the lookups above bound to it. */
export function objectsOf(all: any[]): Objects {
  return {
    all,
    one: (kind, name) => oneOfKind(all, kind, name),
    ofKind: (kind, name) => ofKind(all, kind, name),
  };
}
