import { App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { GpuJob, GpuJobProps } from '../../../src/workloads';

/** The tutorial's image, used wherever the image does not matter. */
export const IMAGE = 'nvcr.io/nvidia/pytorch:24.01-py3';

/** A chart in a fresh app, as `cdk8s synth` would build it. */
export function newChart(): Chart {
  return new Chart(Testing.app(), 'test');
}

/**
 * The app's objects as `cdk8s synth` writes them (YAML, parsed back). Not Testing.synth:
 * that drops keys whose value became null, which hides a wrongly patched GPU limit.
 */
export function synthYaml(chart: Chart): any[] {
  const app = chart.node.scope as App;
  return YAML.parseAllDocuments(app.synthYaml()).map((d) => d.toJS());
}

/** Builds one GpuJob (with `build` for extra calls) and returns its synthesized Job. */
export function synthJob(props: Partial<GpuJobProps> = {}, build?: (job: GpuJob) => void): any {
  const chart = newChart();
  const job = new GpuJob(chart, 'train', { image: IMAGE, ...props });
  build?.(job);
  const objs = synthYaml(chart);
  if (objs.length !== 1 || objs[0].kind !== 'Job') {
    throw new Error(`expected one Job, got ${objs.map((o) => o.kind).join(', ')}`);
  }
  return objs[0];
}

/** The pod spec of a synthesized Job. */
export function podSpec(job: any): any {
  return job.spec.template.spec;
}

/** The container of a synthesized Job with the given name. */
export function containerOf(job: any, name = 'trainer'): any {
  const found = podSpec(job).containers.find((c: any) => c.name === name);
  if (!found) {
    throw new Error(
      `no container "${name}" in ${podSpec(job)
        .containers.map((c: any) => c.name)
        .join(', ')}`,
    );
  }
  return found;
}

/** A container's env as a plain map. */
export function envOf(container: any): Record<string, string> {
  return Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));
}
