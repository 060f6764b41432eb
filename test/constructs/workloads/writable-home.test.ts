import { EnvValue, Volume } from 'cdk8s-plus-28';
import { GpuJob, GpuJobProps } from '../../../src/workloads';
import { resolveSecurity } from '../../../src/workloads/security';
import { WRITABLE_HOME_PATH, writableHomeByDefault } from '../../../src/workloads/writable-home';
import { validateK8sObjects } from '../helpers/k8s-schema';
import { restrictedViolations } from '../helpers/pod-security';
import { IMAGE, containerOf, envOf, newChart, podSpec, synthJob, synthYaml } from './synth';

const HOME_VOLUME = { name: 'gpu-job-home', emptyDir: {} };
const HOME_MOUNT = { name: 'gpu-job-home', mountPath: '/home/gpu-job' };

/** A job with one container of each kind: main, addGpuContainer, addContainer, addInitContainer. */
function jobWithEveryKind(props: Partial<GpuJobProps> = {}): any {
  return synthJob(props, (j) => {
    j.addGpuContainer({ name: 'worker', image: IMAGE });
    j.addContainer({ name: 'logs', image: 'busybox:1.36' });
    j.addInitContainer({ name: 'fetch', image: 'busybox:1.36' });
  });
}

/** Every container of a synthesized Job, init containers included. */
function allContainers(job: any): any[] {
  return [...(podSpec(job).initContainers ?? []), ...podSpec(job).containers];
}

describe('GpuJob writable home, by default', () => {
  const job = jobWithEveryKind();

  test('the path is /home/gpu-job', () => {
    expect(WRITABLE_HOME_PATH).toBe('/home/gpu-job');
  });

  test('adds one disk-backed emptyDir without a size limit to the pod', () => {
    expect(podSpec(job).volumes).toEqual([HOME_VOLUME]);
  });

  test('mounts it at /home/gpu-job in every container, init and added ones included', () => {
    expect(allContainers(job).map((c) => [c.name, c.volumeMounts])).toEqual(
      ['fetch', 'trainer', 'worker', 'logs'].map((name) => [name, [HOME_MOUNT]]),
    );
  });

  test('sets HOME=/home/gpu-job in every container', () => {
    expect(allContainers(job).map((c) => [c.name, envOf(c).HOME])).toEqual(
      ['fetch', 'trainer', 'worker', 'logs'].map((name) => [name, '/home/gpu-job']),
    );
  });

  test('mounts it next to /dev/shm in the containers that get /dev/shm', () => {
    const j = synthJob({ sharedMemory: true });
    expect(podSpec(j).volumes.map((v: any) => v.name)).toEqual(['dshm', 'gpu-job-home']);
    expect(containerOf(j).volumeMounts.map((m: any) => m.mountPath)).toEqual(['/dev/shm', '/home/gpu-job']);
  });

  test('exposes the volume as writableHomeVolume', () => {
    const job2 = new GpuJob(newChart(), 'train', { image: IMAGE });
    expect(job2.writableHomeVolume).toBeInstanceOf(Volume);
    expect(job2.writableHomeVolume?.name).toBe('gpu-job-home');
  });

  test('passes the Kubernetes schema and the Pod Security Standard restricted', () => {
    expect(() => validateK8sObjects([job])).not.toThrow();
    expect(restrictedViolations(podSpec(job))).toEqual([]);
  });
});

describe('GpuJob writable home, a HOME the container sets', () => {
  const mine = { HOME: EnvValue.fromValue('/workspace') };
  test.each<[string, () => any, string]>([
    ['the main container (envVariables prop)', () => synthJob({ envVariables: mine }), 'trainer'],
    [
      'addGpuContainer',
      () => synthJob({}, (j) => j.addGpuContainer({ name: 'c', image: IMAGE, envVariables: mine })),
      'c',
    ],
    [
      'addContainer',
      () => synthJob({}, (j) => j.addContainer({ name: 'c', image: 'busybox:1.36', envVariables: mine })),
      'c',
    ],
    [
      'addInitContainer',
      () => synthJob({}, (j) => j.addInitContainer({ name: 'c', image: 'busybox:1.36', envVariables: mine })),
      'c',
    ],
  ])('is kept in %s', (_where, build, name) => {
    const job = build();
    const c = allContainers(job).find((x) => x.name === name);
    expect(c.env.filter((e: any) => e.name === 'HOME')).toEqual([{ name: 'HOME', value: '/workspace' }]);
  });

  test('is kept when set later with container.env.addVariable', () => {
    const job = synthJob({}, (j) => j.container.env.addVariable('HOME', EnvValue.fromValue('/scratch')));
    expect(envOf(containerOf(job)).HOME).toBe('/scratch');
  });
});

describe('GpuJob writable home, a volume the container mounts at /home/gpu-job', () => {
  test('wins over the home volume, and HOME still points there', () => {
    const chart = newChart();
    const own = Volume.fromEmptyDir(chart, 'Own', 'own-home');
    const job = new GpuJob(chart, 'train', { image: IMAGE, volumeMounts: [{ path: '/home/gpu-job', volume: own }] });
    job.addContainer({ name: 'logs', image: 'busybox:1.36' });
    const [synthesized] = synthYaml(chart);
    expect(containerOf(synthesized).volumeMounts).toEqual([{ name: 'own-home', mountPath: '/home/gpu-job' }]);
    expect(envOf(containerOf(synthesized)).HOME).toBe('/home/gpu-job');
    expect(containerOf(synthesized, 'logs').volumeMounts).toEqual([HOME_MOUNT]);
    expect(
      podSpec(synthesized)
        .volumes.map((v: any) => v.name)
        .sort(),
    ).toEqual(['gpu-job-home', 'own-home']);
  });

  test('added later with container.mount() fails synth with what to do', () => {
    const chart = newChart();
    const job = new GpuJob(chart, 'train', { image: IMAGE });
    job.container.mount('/home/gpu-job', Volume.fromEmptyDir(chart, 'Own', 'own-home'));
    expect(() => synthYaml(chart)).toThrow(
      'container "trainer" mounts a second volume at /home/gpu-job, where writableHome mounts the job\'s home; ' +
        'set writableHome: false to use your own volume there, or mount it elsewhere',
    );
  });
});

describe('GpuJob writable home, off', () => {
  test.each<[string, Partial<GpuJobProps>]>([
    ['writableHome: false', { writableHome: false }],
    ['runAsUser 0 with a writable root filesystem', { runAsNonRoot: false, runAsUser: 0 }],
  ])('%s leaves out the volume, every mount and every HOME', (_what, props) => {
    const job = jobWithEveryKind(props);
    expect(podSpec(job).volumes).toBeUndefined();
    for (const c of allContainers(job)) {
      expect([c.name, c.volumeMounts, envOf(c).HOME]).toEqual([c.name, undefined, undefined]);
    }
  });

  test('writableHome: false leaves writableHomeVolume undefined', () => {
    expect(new GpuJob(newChart(), 'train', { image: IMAGE, writableHome: false }).writableHomeVolume).toBeUndefined();
  });

  test('writableHome: false still passes restricted', () => {
    expect(restrictedViolations(podSpec(jobWithEveryKind({ writableHome: false })))).toEqual([]);
  });
});

describe('GpuJob writable home, on for other users', () => {
  test.each<[string, Partial<GpuJobProps>]>([
    ['another non-root uid', { runAsUser: 2000 }],
    ['a read-only root filesystem', { readOnlyRootFilesystem: true }],
    [
      'root with a read-only root filesystem (/root is not writable)',
      { runAsNonRoot: false, runAsUser: 0, readOnlyRootFilesystem: true },
    ],
    ['root that asks for it', { runAsNonRoot: false, runAsUser: 0, writableHome: true }],
  ])('%s gets the volume, the mount and HOME', (_what, props) => {
    const job = synthJob(props);
    expect(podSpec(job).volumes).toEqual([HOME_VOLUME]);
    expect(containerOf(job).volumeMounts).toEqual([HOME_MOUNT]);
    expect(envOf(containerOf(job)).HOME).toBe('/home/gpu-job');
  });

  test('a read-only root filesystem with the home passes restricted', () => {
    expect(restrictedViolations(podSpec(jobWithEveryKind({ readOnlyRootFilesystem: true })))).toEqual([]);
  });
});

describe('writableHomeByDefault', () => {
  test.each([
    [{}, true],
    [{ runAsUser: 1 }, true],
    [{ runAsNonRoot: false, runAsUser: 0 }, false],
    [{ runAsNonRoot: false, runAsUser: 0, readOnlyRootFilesystem: true }, true],
  ])('%j → %s', (options, expected) => {
    expect(writableHomeByDefault(resolveSecurity(options))).toBe(expected);
  });
});
