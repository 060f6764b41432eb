// The README's examples in TypeScript, the same as test/python/readme_examples.py writes them in
// Python: test/constructs/python-package.test.ts compares the two outputs byte for byte.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { GpuDevicePlugin, GpuJob, GpuRequest, GpuResource, MigProfile, MigStrategy, PluginImage } from '../../src';
import { readmeBlock, runReadmeExample } from '../helpers/readme';

export async function synthReadmeExamples(outdir: string): Promise<void> {
  const app = new App({ outdir });

  const chart = new Chart(app, 'gpu');
  new GpuDevicePlugin(chart, 'DevicePlugin');
  new GpuDevicePlugin(chart, 'Shared', {
    name: 'gpu-shared',
    namespace: 'gpu-shared',
    timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4, devices: ['0', '1'] }] },
  });
  new GpuDevicePlugin(chart, 'Mig', {
    name: 'gpu-mig',
    namespace: 'gpu-mig',
    migStrategy: MigStrategy.MIXED,
    image: PluginImage.nvidia(),
  });

  const training = new Chart(app, 'training');
  new GpuJob(training, 'gpu-training-job', {
    image: 'nvcr.io/nvidia/pytorch:24.01-py3',
    command: ['python', 'train.py'],
    gpus: 1,
  });
  new GpuJob(training, 'mig-job', {
    image: 'nvcr.io/nvidia/pytorch:24.01-py3',
    gpuRequests: [GpuRequest.mig(MigProfile.PROFILE_1_G_10_GB)],
  });

  app.synth();

  // The README's GpuOperatorStack block itself, run from README.md (test/helpers/readme.ts).
  const operator = await runReadmeExample(readmeBlock('GpuOperatorStack'));
  for (const [name, { text }] of Object.entries(operator)) fs.writeFileSync(path.join(outdir, name), text);
}
