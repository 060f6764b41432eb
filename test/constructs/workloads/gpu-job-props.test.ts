// One test per GpuJobProps field: the effect each prop has on the synthesized Job.
import { Duration, Size } from 'cdk8s';
import {
  Capability,
  Cpu,
  EnvValue,
  FsGroupChangePolicy,
  ImagePullPolicy,
  PersistentVolumeClaim,
  RestartPolicy,
  SeccompProfileType,
  ServiceAccount,
  Volume,
} from 'cdk8s-plus-28';
import { GpuResource, MigProfile } from '../../../src/common/gpu-resource';
import { GpuJob, GpuRequest } from '../../../src/workloads';
import { IMAGE, containerOf, envOf, newChart, podSpec, synthJob, synthYaml } from './synth';

describe('GpuJobProps: the Job', () => {
  test('name sets metadata.name and the name/instance labels', () => {
    const job = synthJob({ name: 'resnet-50' });
    expect(job.metadata.name).toBe('resnet-50');
    expect(job.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'resnet-50',
      'app.kubernetes.io/instance': 'resnet-50',
    });
  });

  test('namespace sets metadata.namespace', () => {
    expect(synthJob({ namespace: 'ml' }).metadata.namespace).toBe('ml');
  });

  test('backoffLimit sets spec.backoffLimit (0 included)', () => {
    expect(synthJob({ backoffLimit: 0 }).spec.backoffLimit).toBe(0);
  });

  test('activeDeadline sets spec.activeDeadlineSeconds', () => {
    expect(synthJob({ activeDeadline: Duration.hours(2) }).spec.activeDeadlineSeconds).toBe(7200);
  });

  test('ttlAfterFinished sets spec.ttlSecondsAfterFinished', () => {
    expect(synthJob({ ttlAfterFinished: Duration.minutes(10) }).spec.ttlSecondsAfterFinished).toBe(600);
  });

  test('restartPolicy OnFailure is kept', () => {
    expect(podSpec(synthJob({ restartPolicy: RestartPolicy.ON_FAILURE })).restartPolicy).toBe('OnFailure');
  });

  test('serviceAccount sets serviceAccountName', () => {
    const chart = newChart();
    const sa = ServiceAccount.fromServiceAccountName(chart, 'sa', 'trainer-sa');
    new GpuJob(chart, 'train', { image: IMAGE, serviceAccount: sa });
    expect(podSpec(synthYaml(chart)[0]).serviceAccountName).toBe('trainer-sa');
  });

  test('automountServiceAccountToken true mounts the token', () => {
    expect(podSpec(synthJob({ automountServiceAccountToken: true })).automountServiceAccountToken).toBe(true);
  });

  test('component sets the component label on the Job and its pods', () => {
    const job = synthJob({ component: 'fine-tuning' });
    expect(job.metadata.labels['app.kubernetes.io/component']).toBe('fine-tuning');
    expect(job.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('fine-tuning');
  });

  test('version sets the version label on the Job and its pods', () => {
    const job = synthJob({ version: 'v2.3.1' });
    expect(job.metadata.labels['app.kubernetes.io/version']).toBe('v2.3.1');
    expect(job.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('v2.3.1');
  });
});

describe('GpuJobProps: the main container', () => {
  test('containerName names the main container', () => {
    expect(podSpec(synthJob({ containerName: 'worker' })).containers[0].name).toBe('worker');
  });

  test('args, workingDir and envVariables are passed through', () => {
    const c = containerOf(
      synthJob({
        args: ['--epochs', '3'],
        workingDir: '/workspace',
        envVariables: { NCCL_DEBUG: EnvValue.fromValue('INFO') },
      }),
    );
    expect(c.args).toEqual(['--epochs', '3']);
    expect(c.workingDir).toBe('/workspace');
    expect(envOf(c)).toEqual({ NCCL_DEBUG: 'INFO', HOME: '/home/gpu-job' });
  });

  test('volumeMounts mount volumes into the main container', () => {
    const chart = newChart();
    const data = Volume.fromPersistentVolumeClaim(
      chart,
      'data',
      PersistentVolumeClaim.fromClaimName(chart, 'pvc', 'datasets'),
    );
    new GpuJob(chart, 'train', { image: IMAGE, volumeMounts: [{ path: '/data', volume: data }] });
    const job = synthYaml(chart)[0];
    expect(containerOf(job).volumeMounts).toEqual([
      { mountPath: '/data', name: data.name },
      { mountPath: '/home/gpu-job', name: 'gpu-job-home' },
    ]);
    expect(podSpec(job).volumes.map((v: any) => v.name)).toEqual([data.name, 'gpu-job-home']);
  });

  test('resources add cpu and memory next to the GPU limit', () => {
    const c = containerOf(
      synthJob({
        resources: {
          cpu: { request: Cpu.units(8) },
          memory: { request: Size.gibibytes(32), limit: Size.gibibytes(32) },
        },
      }),
    );
    expect(c.resources).toEqual({
      limits: { memory: '32768Mi', 'nvidia.com/gpu': 1 },
      requests: { cpu: '8', memory: '32768Mi' },
    });
  });

  test('imagePullPolicy overrides IfNotPresent', () => {
    expect(containerOf(synthJob({ imagePullPolicy: ImagePullPolicy.ALWAYS })).imagePullPolicy).toBe('Always');
  });
});

describe('GpuJobProps: GPUs', () => {
  test('gpus sets the nvidia.com/gpu limit as a number', () => {
    expect(containerOf(synthJob({ gpus: 8 })).resources).toEqual({ limits: { 'nvidia.com/gpu': 8 } });
  });

  test.each([
    ['a MIG profile', GpuRequest.mig(MigProfile.of('1g.10gb+me'), { count: 2 }), 'nvidia.com/mig-1g.10gb.me', 2],
    ['shared replicas', GpuRequest.shared(), 'nvidia.com/gpu.shared', 1],
    [
      'renamed shared replicas',
      GpuRequest.shared({ resource: GpuResource.of('nvidia.com/a100-shared'), count: 4 }),
      'nvidia.com/a100-shared',
      4,
    ],
    ['any extended resource', GpuRequest.of(GpuResource.of('example.com/fpga'), { count: 1 }), 'example.com/fpga', 1],
  ])('gpuRequests with %s replaces the default GPU', (_what, request, resource, count) => {
    expect(containerOf(synthJob({ gpuRequests: [request] })).resources).toEqual({ limits: { [resource]: count } });
  });

  test('gpuRequests with requests writes them equal to the limits', () => {
    const c = containerOf(synthJob({ gpuRequests: [GpuRequest.shared({ count: 2, requests: 2 })] }));
    expect(c.resources).toEqual({ limits: { 'nvidia.com/gpu.shared': 2 }, requests: { 'nvidia.com/gpu.shared': 2 } });
  });

  test('gpus and gpuRequests together render both', () => {
    const c = containerOf(synthJob({ gpus: 2, gpuRequests: [GpuRequest.of(GpuResource.of('example.com/nic'))] }));
    expect(c.resources.limits).toEqual({ 'nvidia.com/gpu': 2, 'example.com/nic': 1 });
  });

  test('gpuProducts require one of the GPU models by node affinity', () => {
    const spec = podSpec(synthJob({ gpuProducts: ['NVIDIA-H100-80GB-HBM3', 'NVIDIA-A100-SXM4-80GB'] }));
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      {
        matchExpressions: [
          { key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-H100-80GB-HBM3', 'NVIDIA-A100-SXM4-80GB'] },
        ],
      },
    ]);
  });

  test('minGpuMemory requires at least that many MiB per GPU (Gt one less)', () => {
    const spec = podSpec(synthJob({ minGpuMemory: Size.gibibytes(40) }));
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      {
        matchExpressions: [{ key: 'nvidia.com/gpu.memory', operator: 'Gt', values: ['40959'] }],
      },
    ]);
  });

  test('gpuProducts and minGpuMemory are ANDed in one term', () => {
    const spec = podSpec(synthJob({ gpuProducts: ['Tesla-T4'], minGpuMemory: Size.mebibytes(15000) }));
    const terms = spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms).toHaveLength(1);
    expect(terms[0].matchExpressions.map((e: any) => e.key)).toEqual([
      'nvidia.com/gpu.product',
      'nvidia.com/gpu.memory',
    ]);
  });

  test('runtimeClassName sets the pod runtime class', () => {
    expect(podSpec(synthJob({ runtimeClassName: 'nvidia' })).runtimeClassName).toBe('nvidia');
  });
});

describe('GpuJobProps: /dev/shm', () => {
  // Without the writable home, so that only /dev/shm is in the pod.
  const noHome = { writableHome: false };

  test('sharedMemory mounts a memory-backed emptyDir at /dev/shm in every container', () => {
    const job = synthJob({ ...noHome, sharedMemory: true }, (j) =>
      j.addContainer({ name: 'logs', image: 'busybox:1.36' }),
    );
    expect(podSpec(job).volumes).toEqual([{ name: 'dshm', emptyDir: { medium: 'Memory' } }]);
    for (const name of ['trainer', 'logs']) {
      expect(containerOf(job, name).volumeMounts).toEqual([{ name: 'dshm', mountPath: '/dev/shm' }]);
    }
  });

  test('sharedMemorySizeLimit turns it on with a size limit', () => {
    const job = synthJob({ ...noHome, sharedMemorySizeLimit: Size.gibibytes(16) });
    expect(podSpec(job).volumes).toEqual([{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16384Mi' } }]);
  });

  test('sharedMemory false wins over a size limit', () => {
    expect(
      podSpec(synthJob({ ...noHome, sharedMemory: false, sharedMemorySizeLimit: Size.gibibytes(1) })).volumes,
    ).toBeUndefined();
  });
});

describe('GpuJobProps: security', () => {
  test('runAsUser, runAsGroup and fsGroup set the pod ids', () => {
    expect(podSpec(synthJob({ runAsUser: 1234, runAsGroup: 2345, fsGroup: 3456 })).securityContext).toMatchObject({
      runAsUser: 1234,
      runAsGroup: 2345,
      fsGroup: 3456,
    });
  });

  test('runAsNonRoot false reaches the pod and every container, and allows uid 0', () => {
    const job = synthJob({ runAsNonRoot: false, runAsUser: 0 }, (j) =>
      j.addContainer({ name: 'logs', image: 'busybox:1.36' }),
    );
    expect(podSpec(job).securityContext).toMatchObject({ runAsNonRoot: false, runAsUser: 0 });
    expect(containerOf(job).securityContext.runAsNonRoot).toBe(false);
    expect(containerOf(job, 'logs').securityContext.runAsNonRoot).toBe(false);
  });

  test('fsGroupChangePolicy overrides OnRootMismatch', () => {
    expect(
      podSpec(synthJob({ fsGroupChangePolicy: FsGroupChangePolicy.ALWAYS })).securityContext.fsGroupChangePolicy,
    ).toBe('Always');
  });

  test('allowPrivilegeEscalation and readOnlyRootFilesystem reach every container', () => {
    const job = synthJob({ allowPrivilegeEscalation: true, readOnlyRootFilesystem: true }, (j) =>
      j.addContainer({ name: 'logs', image: 'busybox:1.36' }),
    );
    for (const name of ['trainer', 'logs']) {
      expect(containerOf(job, name).securityContext).toMatchObject({
        allowPrivilegeEscalation: true,
        readOnlyRootFilesystem: true,
      });
    }
  });

  test('capabilities replace drop ALL', () => {
    const c = containerOf(synthJob({ capabilities: { drop: [Capability.ALL], add: [Capability.NET_BIND_SERVICE] } }));
    expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
  });

  test('seccompProfile replaces RuntimeDefault', () => {
    const c = containerOf(
      synthJob({ seccompProfile: { type: SeccompProfileType.LOCALHOST, localhostProfile: 'profiles/ml.json' } }),
    );
    expect(c.securityContext.seccompProfile).toEqual({ type: 'Localhost', localhostProfile: 'profiles/ml.json' });
  });
});
