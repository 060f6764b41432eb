import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';

/** Synthesized objects with lookups by kind (and name when a kind repeats). */
export interface Synth {
  readonly all: any[];
  /** The one object of `kind` (optionally with `name`); throws if there is not exactly one. */
  one(kind: string, name?: string): any;
  /** Every object of `kind`. */
  ofKind(kind: string): any[];
}

/** Builds constructs into a fresh chart (stable names) and synthesizes them. */
export function synth(build: (scope: Construct) => void): Synth {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { disableResourceNameHashes: true });
  build(chart);
  const all = Testing.synth(chart);
  const ofKind = (kind: string) => all.filter((o) => o.kind === kind);
  return {
    all,
    ofKind,
    one: (kind: string, name?: string) => {
      const found = ofKind(kind).filter((o) => name === undefined || o.metadata.name === name);
      if (found.length !== 1) {
        throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
      }
      return found[0];
    },
  };
}

/** A fresh chart to construct into, for tests that expect construction to throw. */
export function scope(): Construct {
  return new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
}
