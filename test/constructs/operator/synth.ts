import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { objectsOf, type Objects } from '../../helpers/k8s-objects';

/** Synthesized objects with lookups by kind (and name when a kind repeats). */
export type Synth = Objects;

/** Builds constructs into a fresh chart (stable names) and synthesizes them. */
export function synth(build: (scope: Construct) => void): Synth {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { disableResourceNameHashes: true });
  build(chart);
  return objectsOf(Testing.synth(chart));
}

/** A fresh chart to construct into, for tests that expect construction to throw. */
export function scope(): Construct {
  return new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
}
