import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { DeviceListStrategy, GpuDevicePluginProps, GpuResource, MigStrategy } from '../../../src';
import { leastPrivilegeProblems } from '../../security/least-privilege';
import { synthPlugin } from '../device-plugin/synth';
import { oneOfKind } from '../../helpers/k8s-objects';
import { DIST_DIR, distFiles } from '../../helpers/shipped';

// Issue 8's least-privilege rules (no RBAC, no API token, capabilities dropped, read-only
// root filesystem, only the host paths the plugin needs, GpuJob pods `restricted`) over
// every dist/ file and the plugin props that change its privileges.

const DIST = distFiles();

function distObjects(file: string): any[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(DIST_DIR, file), 'utf-8'))
    .map((d) => d.toJS())
    .filter((o) => o);
}

test.each(DIST)('dist/%s keeps to least privilege', (file) => {
  expect(leastPrivilegeProblems(distObjects(file))).toEqual([]);
});

test('only the named-configs example holds RBAC: the node-reader ClusterRole and its binding', () => {
  const rbac = DIST.flatMap((f) =>
    distObjects(f)
      .filter((o) => /Role(Binding)?$/.test(o.kind))
      .map((o) => `${f}: ${o.kind}/${o.metadata.name}`),
  );
  expect(rbac).toEqual([
    'device-plugin-named-configs.k8s.yaml: ClusterRole/gpu-device-plugin-node-reader',
    'device-plugin-named-configs.k8s.yaml: ClusterRoleBinding/gpu-device-plugin-node-reader',
  ]);
});

const PRIVILEGE_PROPS: Array<[string, GpuDevicePluginProps, string[] | undefined]> = [
  ['defaults', {}, undefined],
  ['MIG mixed (adds SYS_ADMIN)', { migStrategy: MigStrategy.MIXED }, ['SYS_ADMIN']],
  ['MIG single (adds SYS_ADMIN)', { migStrategy: MigStrategy.SINGLE }, ['SYS_ADMIN']],
  ['volume-mounts (adds SYS_ADMIN)', { deviceListStrategy: [DeviceListStrategy.VOLUME_MOUNTS] }, ['SYS_ADMIN']],
  ['CDI', { deviceListStrategy: [DeviceListStrategy.CDI_ANNOTATIONS, DeviceListStrategy.CDI_CRI] }, undefined],
  ['a containerized driver (read-only mount)', { nvidiaDriverRoot: '/run/nvidia/driver' }, undefined],
  ['MPS', { mps: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 2 }] } }, undefined],
  ['time-slicing', { timeSlicing: { resources: [{ replicas: 4 }] } }, undefined],
];

test.each(PRIVILEGE_PROPS)('the plugin with %s keeps to least privilege', (_what, props, added) => {
  const { all, byKind } = synthPlugin(props);
  expect(leastPrivilegeProblems(all)).toEqual([]);
  expect(byKind('DaemonSet').spec.template.spec.containers[0].securityContext.capabilities.add).toEqual(added);
});

test('passDeviceSpecs is the only way to a privileged plugin container', () => {
  const { all, byKind } = synthPlugin({ passDeviceSpecs: true });
  expect(byKind('DaemonSet').spec.template.spec.containers[0].securityContext.privileged).toBe(true);
  expect(leastPrivilegeProblems(all)).toEqual([]);
});

// The checker must be able to fail: each broken rule on a copy of the default objects.
const BREAKS: Array<[string, (objs: any[]) => void, string]> = [
  [
    'an API token mounted',
    (o) => {
      ds(o).spec.template.spec.automountServiceAccountToken = true;
    },
    'automountServiceAccountToken must be false',
  ],
  [
    'the ServiceAccount automounting',
    (o) => {
      oneOfKind(o, 'ServiceAccount').automountServiceAccountToken = true;
    },
    'ServiceAccount gpu-device-plugin/gpu-device-plugin: automountServiceAccountToken must be false',
  ],
  [
    'a ClusterRole',
    (o) => {
      o.push({ kind: 'ClusterRole', metadata: { name: 'x' } });
    },
    'no RBAC is needed',
  ],
  [
    'a writable root filesystem',
    (o) => {
      sc(o).readOnlyRootFilesystem = false;
    },
    'readOnlyRootFilesystem must be true',
  ],
  [
    'a kept capability',
    (o) => {
      sc(o).capabilities = { drop: ['NET_RAW'] };
    },
    'capabilities must drop ALL',
  ],
  [
    'an added capability the config does not need',
    (o) => {
      sc(o).capabilities.add = ['SYS_ADMIN'];
    },
    'adds capabilities SYS_ADMIN',
  ],
  [
    'privilege escalation',
    (o) => {
      delete sc(o).allowPrivilegeEscalation;
    },
    'allowPrivilegeEscalation must be false',
  ],
  [
    'privileged without passDeviceSpecs',
    (o) => {
      ds(o).spec.template.spec.containers[0].securityContext = { privileged: true };
    },
    'privileged without passDeviceSpecs',
  ],
  [
    'an extra hostPath',
    (o) => {
      ds(o).spec.template.spec.volumes.push({ name: 'root', hostPath: { path: '/' } });
    },
    'hostPath volume "root" (/) is not one the plugin needs',
  ],
  [
    'the host network',
    (o) => {
      ds(o).spec.template.spec.hostNetwork = true;
    },
    'hostNetwork must not be true',
  ],
  [
    'a namespace that is not privileged',
    (o) => {
      oneOfKind(o, 'Namespace').metadata.labels['pod-security.kubernetes.io/warn'] = 'baseline';
    },
    'pod-security.kubernetes.io/warn must be privileged (got baseline)',
  ],
];

function ds(objs: any[]): any {
  return oneOfKind(objs, 'DaemonSet');
}
function sc(objs: any[]): any {
  return ds(objs).spec.template.spec.containers[0].securityContext;
}

test.each(BREAKS)('the checker reports %s', (_what, breakIt, message) => {
  const objs = JSON.parse(JSON.stringify(synthPlugin().all));
  breakIt(objs);
  expect(leastPrivilegeProblems(objs).join('\n')).toContain(message);
});

test('the checker reports a Job pod that fails restricted', () => {
  const job = oneOfKind(distObjects('gpu-job.k8s.yaml'), 'Job');
  job.spec.template.spec.securityContext.runAsNonRoot = false;
  job.spec.template.spec.containers[0].securityContext.runAsNonRoot = false;
  expect(leastPrivilegeProblems([job]).join('\n')).toContain(
    'restricted: container "trainer": runAsNonRoot must be true',
  );
});
