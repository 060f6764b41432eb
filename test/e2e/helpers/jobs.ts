/**
 * GPU workloads for the e2e tests: GpuJobs synthesized by the constructs, run with the
 * busybox image in a namespace that enforces the Pod Security Standard `restricted`
 * (which GpuJob's defaults promise to pass).
 */
import { App, Chart } from 'cdk8s';
import { GpuJob, GpuJobProps } from '../../../src';
import { applyServerSide, CLUSTER, getJson, kubectlOk } from './kube';

export const JOBS_NAMESPACE = 'e2e-jobs';

export function ensureJobsNamespace(): void {
  const ns = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: JOBS_NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
  };
  const r = applyServerSide(JSON.stringify(ns));
  if (r.code !== 0) throw new Error(`creating namespace ${JOBS_NAMESPACE} failed: ${r.stderr}`);
}

/** A GpuJob running `script` in busybox; `gpus` whole GPUs unless other requests are given. */
export function gpuJobYaml(name: string, script: string, props: Partial<GpuJobProps> = {}): string {
  const app = new App();
  const chart = new Chart(app, name, { disableResourceNameHashes: true });
  new GpuJob(chart, name, {
    namespace: JOBS_NAMESPACE,
    image: CLUSTER.busyboxImage,
    command: ['sh', '-c', script],
    backoffLimit: 0,
    ...props,
  });
  return app.synthYaml();
}

export function runJob(yaml: string): void {
  const r = applyServerSide(yaml);
  if (r.code !== 0) throw new Error(`creating the job failed: ${r.stderr}`);
}

export function waitJobComplete(name: string, timeoutS = 120): void {
  kubectlOk(['-n', JOBS_NAMESPACE, 'wait', '--for=condition=complete', `job/${name}`, `--timeout=${timeoutS}s`]);
}

export function jobLogs(name: string): string {
  return kubectlOk(['-n', JOBS_NAMESPACE, 'logs', `job/${name}`]);
}

/** The pod of a job (a job with backoffLimit 0 has exactly one). */
export function jobPod(name: string): any {
  const pods = getJson(['-n', JOBS_NAMESPACE, 'get', 'pods', '-l', `batch.kubernetes.io/job-name=${name}`]).items;
  if (pods.length !== 1) throw new Error(`job ${name}: expected one pod, found ${pods.length}`);
  return pods[0];
}

export function deleteJob(name: string): void {
  kubectlOk([
    '-n',
    JOBS_NAMESPACE,
    'delete',
    'job',
    name,
    '--ignore-not-found',
    '--cascade=foreground',
    '--wait=true',
    '--timeout=60s',
  ]);
}

/** The UUIDs in a log line `NVIDIA_VISIBLE_DEVICES=<a>,<b>`; [] when the variable is unset or empty. */
export function visibleDevices(log: string): string[] {
  const m = /^NVIDIA_VISIBLE_DEVICES=(.*)$/m.exec(log);
  return m && m[1].trim() ? m[1].trim().split(',') : [];
}
