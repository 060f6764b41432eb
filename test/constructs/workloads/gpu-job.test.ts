import { Duration, Size } from 'cdk8s';
import { Cpu, EnvValue, ImagePullPolicy, RestartPolicy } from 'cdk8s-plus-28';
import { LIBRARY_VERSION } from '../../../src/common/version';
import { GpuResource, MigProfile } from '../../../src/common/gpu-resource';
import { GpuJob, GpuRequest } from '../../../src/workloads';
import { validateK8sObjects } from '../helpers/k8s-schema';
import { restrictedViolations } from '../helpers/pod-security';
import { IMAGE, containerOf, envOf, newChart, podSpec, synthJob, synthYaml } from './synth';

describe('GpuJob: the tutorial example', () => {
  // The README shows exactly this.
  const chart = newChart();
  new GpuJob(chart, 'gpu-training-job', {
    image: 'nvcr.io/nvidia/pytorch:24.01-py3',
    command: ['python', 'train.py'],
    gpus: 1,
  });
  const [job] = synthYaml(chart);

  test('is a Job named gpu-training-job', () => {
    expect(job.kind).toBe('Job');
    expect(job.metadata.name).toBe('gpu-training-job');
  });

  test('runs python train.py in the PyTorch image in a container named trainer', () => {
    expect(podSpec(job).containers).toHaveLength(1);
    expect(containerOf(job)).toMatchObject({
      image: 'nvcr.io/nvidia/pytorch:24.01-py3',
      command: ['python', 'train.py'],
    });
  });

  test('limits nvidia.com/gpu to the number 1 (not null, not a request)', () => {
    expect(containerOf(job).resources).toEqual({ limits: { 'nvidia.com/gpu': 1 } });
  });

  test('never restarts the pod', () => {
    expect(podSpec(job).restartPolicy).toBe('Never');
  });

  test('gives the trainer a writable HOME on an emptyDir (NGC images have no home for uid 1000)', () => {
    expect(podSpec(job).volumes).toEqual([{ name: 'gpu-job-home', emptyDir: {} }]);
    expect(containerOf(job).volumeMounts).toEqual([{ name: 'gpu-job-home', mountPath: '/home/gpu-job' }]);
    expect(containerOf(job).env).toEqual([{ name: 'HOME', value: '/home/gpu-job' }]);
  });

  test('passes the Kubernetes schema', () => {
    expect(() => validateK8sObjects([job])).not.toThrow();
  });
});

describe('GpuJob defaults', () => {
  const job = synthJob();
  const spec = podSpec(job);
  const main = containerOf(job);

  test('matches the snapshot', () => {
    expect(job).toMatchSnapshot();
  });

  test('requests one whole GPU when no GPUs are given', () => {
    expect(main.resources).toEqual({ limits: { 'nvidia.com/gpu': 1 } });
  });

  test('names the Job after the construct id, without a hash suffix', () => {
    expect(job.metadata.name).toBe('train');
  });

  test('tolerates the nvidia.com/gpu taint', () => {
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('has no node affinity, runtime class, volume besides the home, or job limits', () => {
    expect(spec.affinity).toBeUndefined();
    expect(spec.runtimeClassName).toBeUndefined();
    expect(spec.volumes.map((v: any) => v.name)).toEqual(['gpu-job-home']);
    expect(job.spec.backoffLimit).toBeUndefined();
    expect(job.spec.activeDeadlineSeconds).toBeUndefined();
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
  });

  test('adds no cpu or memory requests, pulls IfNotPresent and mounts no token', () => {
    expect(Object.keys(main.resources)).toEqual(['limits']);
    expect(main.imagePullPolicy).toBe('IfNotPresent');
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('runs as uid/gid 1000 and non-root at the pod level', () => {
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      fsGroupChangePolicy: 'OnRootMismatch',
    });
  });

  test('locks each container down as the restricted standard asks, with a writable root filesystem', () => {
    expect(main.securityContext).toEqual({
      runAsNonRoot: true,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('stamps the Job and its pods with the six recommended labels', () => {
    const expected = {
      'app.kubernetes.io/name': 'train',
      'app.kubernetes.io/instance': 'train',
      'app.kubernetes.io/version': '24.01-py3',
      'app.kubernetes.io/component': 'gpu-job',
      'app.kubernetes.io/part-of': 'cdk8s-gpu',
      'app.kubernetes.io/managed-by': 'cdk8s-gpu',
    };
    expect(job.metadata.labels).toEqual(expected);
    expect(job.spec.template.metadata.labels).toMatchObject(expected);
  });

  test('gives the GPU container no NVIDIA_VISIBLE_DEVICES (the device plugin sets it)', () => {
    expect(envOf(main)).not.toHaveProperty('NVIDIA_VISIBLE_DEVICES');
  });

  test('passes the Kubernetes schema', () => {
    expect(() => validateK8sObjects([job])).not.toThrow();
  });

  test('passes the Pod Security Standard restricted', () => {
    expect(restrictedViolations(spec)).toEqual([]);
  });
});

describe('GpuJob labels', () => {
  test.each([
    ['an image digest', 'nvcr.io/nvidia/pytorch@sha256:' + 'a'.repeat(64), LIBRARY_VERSION],
    ['an untagged image on a registry with a port', 'registry:5000/team/trainer', LIBRARY_VERSION],
    ['a tagged image with a digest', 'nvcr.io/nvidia/pytorch:24.01-py3@sha256:' + 'b'.repeat(64), '24.01-py3'],
  ])('version falls back correctly for %s', (_what, image, version) => {
    expect(synthJob({ image }).metadata.labels['app.kubernetes.io/version']).toBe(version);
  });
});

describe('GpuJob.addContainer', () => {
  const job = synthJob({}, (j) => {
    j.addContainer({ name: 'logs', image: 'busybox:1.36' });
    j.addContainer({ name: 'own-env', image: 'busybox:1.36', envVariables: {} });
  });

  test('hides the GPUs from a container that requests none', () => {
    expect(envOf(containerOf(job, 'logs')).NVIDIA_VISIBLE_DEVICES).toBe('void');
    expect(containerOf(job, 'logs').resources).toBeUndefined();
  });

  test('gives it the same security defaults and pull policy as the main container', () => {
    expect(containerOf(job, 'logs').securityContext).toEqual(containerOf(job).securityContext);
    expect(containerOf(job, 'logs').imagePullPolicy).toBe('IfNotPresent');
  });

  test('keeps a NVIDIA_VISIBLE_DEVICES the caller sets', () => {
    const j = synthJob({}, (g) =>
      g.addContainer({
        name: 'probe',
        image: 'busybox:1.36',
        envVariables: { NVIDIA_VISIBLE_DEVICES: EnvValue.fromValue('none') },
      }),
    );
    expect(containerOf(j, 'probe').env.filter((e: any) => e.name === 'NVIDIA_VISIBLE_DEVICES')).toEqual([
      { name: 'NVIDIA_VISIBLE_DEVICES', value: 'none' },
    ]);
  });

  test('lets the caller override one security field and keep the rest', () => {
    const j = synthJob({}, (g) =>
      g.addContainer({ name: 'ro', image: 'busybox:1.36', securityContext: { readOnlyRootFilesystem: true } }),
    );
    expect(containerOf(j, 'ro').securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
  });

  test("keeps the caller's pull policy and resources", () => {
    const j = synthJob({}, (g) =>
      g.addContainer({
        name: 'side',
        image: 'busybox:1.36',
        imagePullPolicy: ImagePullPolicy.ALWAYS,
        resources: { cpu: { request: Cpu.millis(100) } },
      }),
    );
    expect(containerOf(j, 'side')).toMatchObject({
      imagePullPolicy: 'Always',
      resources: { requests: { cpu: '100m' } },
    });
  });

  test('rejects a second container with the same name', () => {
    const chart = newChart();
    const job2 = new GpuJob(chart, 'train', { image: IMAGE });
    expect(() => job2.addContainer({ image: 'busybox:1.36', name: 'trainer' })).toThrow(
      'container name "trainer" is already used in GpuJob "test/train"',
    );
  });
});

describe('GpuJob.addInitContainer', () => {
  test('hides the GPUs and applies the security defaults', () => {
    const job = synthJob({}, (j) => j.addInitContainer({ image: 'busybox:1.36', command: ['true'] }));
    const init = podSpec(job).initContainers[0];
    expect(init.name).toBe('init-0');
    expect(envOf(init).NVIDIA_VISIBLE_DEVICES).toBe('void');
    expect(init.securityContext).toEqual(containerOf(job).securityContext);
    expect(init.resources).toBeUndefined();
  });
});

describe('GpuJob.addGpuContainer', () => {
  const job = synthJob({}, (j) => {
    j.addContainer({ name: 'logs', image: 'busybox:1.36' });
    j.addGpuContainer({ name: 'worker', image: IMAGE, gpuRequests: [GpuRequest.shared({ count: 2 })] });
  });

  test('patches the limits of the right container (the third here)', () => {
    expect(podSpec(job).containers.map((c: any) => c.name)).toEqual(['trainer', 'logs', 'worker']);
    expect(containerOf(job, 'worker').resources).toEqual({ limits: { 'nvidia.com/gpu.shared': 2 } });
    expect(containerOf(job, 'logs').resources).toBeUndefined();
  });

  test('does not hide the GPUs from it', () => {
    expect(envOf(containerOf(job, 'worker'))).not.toHaveProperty('NVIDIA_VISIBLE_DEVICES');
  });

  test('requests one whole GPU by default', () => {
    const j = synthJob({}, (g) => g.addGpuContainer({ name: 'second', image: IMAGE }));
    expect(containerOf(j, 'second').resources).toEqual({ limits: { 'nvidia.com/gpu': 1 } });
  });

  test('adds GPU limits next to cpu/memory limits, and GPU requests next to cpu requests', () => {
    const j = synthJob({}, (g) =>
      g.addGpuContainer({
        name: 'sized',
        image: IMAGE,
        resources: { cpu: { request: Cpu.units(4), limit: Cpu.units(8) }, memory: { limit: Size.gibibytes(64) } },
        gpuRequests: [GpuRequest.mig(MigProfile.PROFILE_1_G_10_GB, { count: 2, requests: 2 })],
      }),
    );
    expect(containerOf(j, 'sized').resources).toEqual({
      limits: { cpu: '8', memory: '65536Mi', 'nvidia.com/mig-1g.10gb': 2 },
      requests: { cpu: '4', 'nvidia.com/mig-1g.10gb': 2 },
    });
  });

  test('creates the requests map when only limits were rendered', () => {
    const j = synthJob({}, (g) =>
      g.addGpuContainer({
        name: 'sized',
        image: IMAGE,
        resources: { memory: { limit: Size.gibibytes(1) } },
        gpuRequests: [GpuRequest.of(GpuResource.NVIDIA_GPU, { count: 3, requests: 3 })],
      }),
    );
    expect(containerOf(j, 'sized').resources).toEqual({
      limits: { memory: '1024Mi', 'nvidia.com/gpu': 3 },
      requests: { 'nvidia.com/gpu': 3 },
    });
  });

  test('creates the limits map when only requests were rendered', () => {
    const j = synthJob({}, (g) =>
      g.addGpuContainer({
        name: 'sized',
        image: IMAGE,
        resources: { cpu: { request: Cpu.millis(500) } },
        gpus: 2,
      }),
    );
    expect(containerOf(j, 'sized').resources).toEqual({ requests: { cpu: '500m' }, limits: { 'nvidia.com/gpu': 2 } });
  });
});

describe('GpuJob schema', () => {
  test('a job with every option passes the Kubernetes schema and restricted', () => {
    const chart = newChart();
    const job = new GpuJob(chart, 'full', {
      image: IMAGE,
      gpuRequests: [GpuRequest.mig(MigProfile.PROFILE_3_G_40_GB, { count: 1, requests: 1 })],
      gpuProducts: ['NVIDIA-A100-SXM4-80GB'],
      minGpuMemory: Size.gibibytes(40),
      runtimeClassName: 'nvidia',
      sharedMemorySizeLimit: Size.gibibytes(8),
      backoffLimit: 0,
      namespace: 'ml',
    });
    job.addContainer({ name: 'logs', image: 'busybox:1.36' });
    job.addInitContainer({ image: 'busybox:1.36' });
    job.addGpuContainer({
      name: 'second',
      image: IMAGE,
      resources: { cpu: { limit: Cpu.units(2) } },
      gpuRequests: [GpuRequest.shared({ count: 1, requests: 1 })],
    });
    const objs = synthYaml(chart);
    expect(objs).toHaveLength(1);
    expect(() => validateK8sObjects(objs)).not.toThrow();
    // Every container, added ones and the init container included, keeps `restricted`.
    expect(restrictedViolations(podSpec(objs[0]))).toEqual([]);
  });
});

describe('GpuJob validation', () => {
  // [case, props or a function that builds, the message it must throw]
  const cases: Array<[string, () => unknown, string]> = [
    ['fractional gpus', () => synthJob({ gpus: 1.5 }), 'gpus must be a whole number ≥ 1 (got 1.5)'],
    ['zero gpus', () => synthJob({ gpus: 0 }), 'gpus must be a whole number ≥ 1 (got 0)'],
    ['negative gpus', () => synthJob({ gpus: -2 }), 'gpus must be a whole number ≥ 1 (got -2)'],
    ['NaN gpus', () => synthJob({ gpus: NaN }), 'gpus must be a whole number ≥ 1 (got NaN)'],
    [
      'fractional gpus in addGpuContainer',
      () => synthJob({}, (j) => j.addGpuContainer({ name: 'w', image: IMAGE, gpus: 0.5 })),
      'gpus must be a whole number ≥ 1 (got 0.5)',
    ],
    [
      'a malformed MIG profile',
      () => synthJob({ gpuRequests: [GpuRequest.mig(MigProfile.of('1g10gb'))] }),
      'MIG profile must look like "1g.10gb", "1c.2g.20gb" or "1g.10gb+me" (got "1g10gb")',
    ],
    [
      'whole GPUs and MIG in one container',
      () => synthJob({ gpus: 1, gpuRequests: [GpuRequest.mig(MigProfile.PROFILE_1_G_10_GB)] }),
      'gpus/gpuRequests of container "trainer" mix whole GPUs (nvidia.com/gpu: 1) and MIG slices (nvidia.com/mig-1g.10gb: 1)',
    ],
    [
      'whole GPUs and MIG in gpuRequests',
      () => synthJob({ gpuRequests: [GpuRequest.mig(MigProfile.PROFILE_2_G_20_GB), GpuRequest.gpus(2)] }),
      'mix whole GPUs (nvidia.com/gpu: 2) and MIG slices (nvidia.com/mig-2g.20gb: 1)',
    ],
    [
      'the same resource twice',
      () => synthJob({ gpus: 1, gpuRequests: [GpuRequest.gpus(2)] }),
      'gpus/gpuRequests of container "trainer" ask for nvidia.com/gpu twice (got 1 and 2)',
    ],
    [
      'an invalid resource name',
      () => synthJob({ gpuRequests: [GpuRequest.of(GpuResource.of('gpu'))] }),
      'invalid resource name "gpu": it must have the form <domain>/<name>',
    ],
    [
      'a resource in kubernetes.io',
      () => synthJob({ gpuRequests: [GpuRequest.of(GpuResource.of('kubernetes.io/gpu'))] }),
      'invalid resource name "kubernetes.io/gpu"',
    ],
    [
      'requests different from limits',
      () => synthJob({ gpuRequests: [GpuRequest.shared({ count: 2, requests: 1 })] }),
      'GpuRequest.shared requests must equal count for nvidia.com/gpu.shared (got requests 1, count 2)',
    ],
    [
      'a construct id that is not a valid name',
      () => new GpuJob(newChart(), 'TrainJob', { image: IMAGE }),
      'name (from the construct id) must be a DNS-1123 label: at most 63 lower-case letters, digits and \'-\', starting and ending with a letter or digit (got "TrainJob"); pass a name prop',
    ],
    ['a name longer than 63 characters', () => synthJob({ name: 'a'.repeat(64) }), `name must be a DNS-1123 label`],
    [
      'a name with a dot',
      () => synthJob({ name: 'train.v2' }),
      'name must be a DNS-1123 label: at most 63 lower-case letters, digits and \'-\', starting and ending with a letter or digit (got "train.v2")',
    ],
    ['an invalid namespace', () => synthJob({ namespace: 'ML' }), 'namespace must be a DNS-1123 label'],
    [
      'restartPolicy Always',
      () => synthJob({ restartPolicy: RestartPolicy.ALWAYS }),
      'restartPolicy must be Never or OnFailure for a Job (got Always)',
    ],
    [
      'a negative backoffLimit',
      () => synthJob({ backoffLimit: -1 }),
      'backoffLimit must be a whole number ≥ 0 (got -1)',
    ],
    [
      'a fractional backoffLimit',
      () => synthJob({ backoffLimit: 2.5 }),
      'backoffLimit must be a whole number ≥ 0 (got 2.5)',
    ],
    [
      'a zero activeDeadline',
      () => synthJob({ activeDeadline: Duration.seconds(0) }),
      'activeDeadline must be a whole number of seconds ≥ 1 (got 0 seconds)',
    ],
    [
      'a fractional activeDeadline',
      () => synthJob({ activeDeadline: Duration.millis(1500) }),
      'activeDeadline must be a whole number of seconds ≥ 1 (got 1 second 500 millis)',
    ],
    [
      'a fractional ttlAfterFinished',
      () => synthJob({ ttlAfterFinished: Duration.millis(500) }),
      'ttlAfterFinished must be a whole number of seconds ≥ 0 (got 500 millis)',
    ],
    [
      'runAsUser 0 with runAsNonRoot',
      () => synthJob({ runAsUser: 0 }),
      'runAsUser must not be 0 (root) while runAsNonRoot is true (got runAsUser 0)',
    ],
    ['a negative runAsUser', () => synthJob({ runAsUser: -1 }), 'runAsUser must be a whole number ≥ 0 (got -1)'],
    ['a fractional runAsGroup', () => synthJob({ runAsGroup: 1.5 }), 'runAsGroup must be a whole number ≥ 0 (got 1.5)'],
    ['a negative fsGroup', () => synthJob({ fsGroup: -5 }), 'fsGroup must be a whole number ≥ 0 (got -5)'],
    [
      'empty gpuProducts',
      () => synthJob({ gpuProducts: [] }),
      'gpuProducts must list at least one GPU model, e.g. ["NVIDIA-A100-SXM4-80GB"] (got [])',
    ],
    [
      'a gpuProducts entry with a space',
      () => synthJob({ gpuProducts: ['Tesla-T4', 'NVIDIA A100'] }),
      'gpuProducts[1] "NVIDIA A100" can never match: GPU Feature Discovery writes nvidia.com/gpu.product as "NVIDIA-A100" (spaces become "-", other characters are dropped); use that form. The label comes from GpuDevicePlugin\'s gpuFeatureDiscovery (with NFD) or the GPU Operator; without it the pod stays Pending.',
    ],
    [
      'a gpuProducts entry that is not a label value',
      () => synthJob({ gpuProducts: ['-T4'] }),
      "gpuProducts[0] must be a label value: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got \"-T4\")",
    ],
    [
      'a zero minGpuMemory',
      () => synthJob({ minGpuMemory: Size.mebibytes(0) }),
      'minGpuMemory must be a whole number of MiB ≥ 1 (got 0 MiB)',
    ],
    [
      'a minGpuMemory below one MiB',
      () => synthJob({ minGpuMemory: Size.kibibytes(512) }),
      'minGpuMemory must be a whole number of MiB ≥ 1 (got 0.5 MiB)',
    ],
    [
      'a zero sharedMemorySizeLimit',
      () => synthJob({ sharedMemorySizeLimit: Size.mebibytes(0) }),
      'sharedMemorySizeLimit must be a whole number of MiB ≥ 1 (got 0 MiB)',
    ],
    [
      'an invalid runtimeClassName',
      () => synthJob({ runtimeClassName: 'NVIDIA' }),
      "runtimeClassName must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (got \"NVIDIA\")",
    ],
    [
      'an invalid version label',
      () => synthJob({ version: 'v1+build' }),
      "version must be a label value: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got \"v1+build\")",
    ],
    [
      'an empty component label',
      () => synthJob({ component: '' }),
      "component must be a label value: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got \"\")",
    ],
  ];

  test.each(cases)('rejects %s', (_what, build, message) => {
    expect(build).toThrow(message);
  });
});
