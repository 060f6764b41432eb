// Random GpuJob props (and extra containers), as plain data plus the function that
// builds the job from them. cdk8s values (Size, Duration, Cpu, EnvValue) and GPU requests
// are made inside the case, so their own refusals count too. Typed enums (ImagePullPolicy,
// RestartPolicy) take only their members: TypeScript and jsii's other languages allow no
// other value, so a wrong one is not an input users can give.
import fc from 'fast-check';
import { Duration, Size } from 'cdk8s';
import { Cpu, EnvValue, ImagePullPolicy, RestartPolicy } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GpuResource, MigProfile } from '../../../src';
import { GpuJob, GpuJobProps, GpuRequest } from '../../../src/workloads';
import {
  absPath,
  count,
  dnsLabel,
  envName,
  imageRef,
  labelValue,
  mostly,
  optional,
  plain,
  subdomainField,
} from './primitives';

const requestSpec = fc.record({
  kind: fc.constantFrom('gpus', 'mig', 'shared', 'of'),
  count: optional(count(1, 8)),
  requests: optional(count(1, 8)),
  profile: mostly(fc.constantFrom('1g.10gb', '3g.40gb', '1g.10gb+me')),
  resource: mostly(
    fc.constantFrom('nvidia.com/gpu', 'nvidia.com/gpu.shared', 'nvidia.com/a100-shared', 'example.com/fpga'),
  ),
});

const sizeMib = optional(count(1, 65536));

const extraContainer = fc.record({
  method: fc.constantFrom('addContainer', 'addInitContainer', 'addGpuContainer'),
  name: optional(mostly(dnsLabel)),
  image: mostly(imageRef),
  gpus: optional(count(1, 4)),
});

export const gpuJobSpec = fc.record(
  {
    id: mostly(dnsLabel),
    name: optional(mostly(dnsLabel)),
    namespace: optional(mostly(dnsLabel)),
    image: mostly(imageRef),
    containerName: optional(mostly(dnsLabel)),
    command: optional(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
    args: optional(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
    workingDir: optional(mostly(absPath)),
    envVariables: optional(fc.dictionary(mostly(envName), fc.string({ maxLength: 10 }), { maxKeys: 3 })),
    cpuMillis: optional(count(1, 64000)),
    memoryMib: sizeMib,
    imagePullPolicy: optional(fc.constantFrom(...Object.values(ImagePullPolicy))),
    gpus: optional(count(1, 8)),
    gpuRequests: optional(fc.array(requestSpec, { maxLength: 3 })),
    gpuProducts: optional(fc.array(mostly(labelValue), { maxLength: 3 })),
    minGpuMemoryMib: sizeMib,
    runtimeClassName: optional(subdomainField),
    sharedMemory: optional(fc.boolean()),
    sharedMemorySizeLimitMib: sizeMib,
    backoffLimit: optional(count(0, 10)),
    activeDeadlineSeconds: optional(count(1, 86400)),
    ttlAfterFinishedSeconds: optional(count(0, 86400)),
    restartPolicy: optional(fc.constantFrom(...Object.values(RestartPolicy))),
    automountServiceAccountToken: optional(fc.boolean()),
    component: optional(mostly(labelValue)),
    version: optional(mostly(labelValue)),
    runAsNonRoot: optional(fc.boolean()),
    runAsUser: optional(count(0, 65535)),
    runAsGroup: optional(count(0, 65535)),
    fsGroup: optional(count(0, 65535)),
    allowPrivilegeEscalation: optional(fc.boolean()),
    readOnlyRootFilesystem: optional(fc.boolean()),
    extraContainers: optional(fc.array(extraContainer, { maxLength: 2 })),
  },
  { requiredKeys: ['id', 'image'] },
);

export type GpuJobSpec = typeof gpuJobSpec extends fc.Arbitrary<infer T> ? T : never;

function request(r: any): GpuRequest {
  const options = { count: r.count, requests: r.requests };
  switch (r.kind) {
    case 'gpus':
      return GpuRequest.gpus(r.count ?? 1);
    case 'mig':
      return GpuRequest.mig(MigProfile.of(r.profile), options);
    case 'shared':
      return GpuRequest.shared({ ...options, resource: GpuResource.of(r.resource) });
    default:
      return GpuRequest.of(GpuResource.of(r.resource), options);
  }
}

// cdk8s' Size, Duration and Cpu refuse some amounts themselves, at the user's own call: the
// error then carries the prop the user was building the value for.
function userValue<T>(prop: string, n: number | undefined, make: (n: number) => T): T | undefined {
  if (n === undefined) return undefined;
  try {
    return make(n);
  } catch (e) {
    throw new Error(`${prop}: ${(e as Error).message}`);
  }
}
const mib = (prop: string, n: number | undefined) => userValue(prop, n, Size.mebibytes);
const seconds = (prop: string, n: number | undefined) => userValue(prop, n, Duration.seconds);

/** True when the spec leaves every setting Pod Security `restricted` looks at to its default. */
export function restrictedByDefault(spec: GpuJobSpec): boolean {
  return spec.runAsNonRoot !== false && spec.allowPrivilegeEscalation !== true;
}

/** Builds the GpuJob of a spec (and its extra containers) into `scope`. */
export function buildGpuJob(scope: Construct, fuzzed: GpuJobSpec): GpuJob {
  const spec = plain(fuzzed);
  const props: GpuJobProps = {
    ...(spec as any),
    envVariables:
      spec.envVariables === undefined
        ? undefined
        : Object.fromEntries(Object.entries(spec.envVariables).map(([k, v]) => [k, EnvValue.fromValue(v)])),
    resources:
      spec.cpuMillis === undefined && spec.memoryMib === undefined
        ? undefined
        : {
            cpu:
              spec.cpuMillis === undefined
                ? undefined
                : { request: userValue('resources', spec.cpuMillis, Cpu.millis)! },
            memory:
              spec.memoryMib === undefined
                ? undefined
                : { request: mib('resources', spec.memoryMib), limit: mib('resources', spec.memoryMib) },
          },
    gpuRequests: spec.gpuRequests?.map(request),
    minGpuMemory: mib('minGpuMemory', spec.minGpuMemoryMib),
    sharedMemorySizeLimit: mib('sharedMemorySizeLimit', spec.sharedMemorySizeLimitMib),
    activeDeadline: seconds('activeDeadline', spec.activeDeadlineSeconds),
    ttlAfterFinished: seconds('ttlAfterFinished', spec.ttlAfterFinishedSeconds),
  };
  const job = new GpuJob(scope, spec.id, props);
  for (const c of spec.extraContainers ?? []) {
    if (c.method === 'addGpuContainer') job.addGpuContainer({ name: c.name, image: c.image, gpus: c.gpus });
    else if (c.method === 'addContainer') job.addContainer({ name: c.name, image: c.image });
    else job.addInitContainer({ name: c.name, image: c.image });
  }
  return job;
}

/** Prop names an error may cite for the fuzzer's own keys. */
export const GPU_JOB_RENAME: { [key: string]: string } = {
  id: 'name|id',
  cpuMillis: 'resources',
  memoryMib: 'resources',
  minGpuMemoryMib: 'minGpuMemory',
  sharedMemorySizeLimitMib: 'sharedMemorySizeLimit',
  activeDeadlineSeconds: 'activeDeadline',
  ttlAfterFinishedSeconds: 'ttlAfterFinished',
  extraContainers: '',
  method: '',
  kind: 'GpuRequest',
  profile: 'MIG profile',
  resource: 'resource name',
};
