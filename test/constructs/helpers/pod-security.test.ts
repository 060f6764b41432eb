import { restrictedViolations } from './pod-security';

const good = () => ({
  securityContext: { runAsNonRoot: true, runAsUser: 1000 },
  volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory' } }],
  containers: [
    {
      name: 'c',
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
    },
  ],
});

describe('restrictedViolations', () => {
  test('passes a locked-down pod', () => {
    expect(restrictedViolations(good())).toEqual([]);
  });

  test.each([
    [
      'hostNetwork',
      (s: any) => {
        s.hostNetwork = true;
      },
      'hostNetwork must not be true',
    ],
    [
      'a hostPath volume',
      (s: any) => {
        s.volumes.push({ name: 'dev', hostPath: { path: '/dev' } });
      },
      'volume "dev" has type hostPath',
    ],
    [
      'root at the pod level',
      (s: any) => {
        s.securityContext.runAsUser = 0;
      },
      'pod runAsUser must not be 0',
    ],
    [
      'no runAsNonRoot',
      (s: any) => {
        delete s.securityContext.runAsNonRoot;
      },
      'container "c": runAsNonRoot must be true',
    ],
    [
      'privilege escalation unset',
      (s: any) => {
        delete s.containers[0].securityContext.allowPrivilegeEscalation;
      },
      'allowPrivilegeEscalation must be false',
    ],
    [
      'privileged',
      (s: any) => {
        s.containers[0].securityContext.privileged = true;
      },
      'privileged must not be true',
    ],
    [
      'no seccomp profile',
      (s: any) => {
        delete s.containers[0].securityContext.seccompProfile;
      },
      'seccompProfile must be RuntimeDefault or Localhost (got undefined)',
    ],
    [
      'Unconfined seccomp',
      (s: any) => {
        s.containers[0].securityContext.seccompProfile.type = 'Unconfined';
      },
      'seccompProfile must be RuntimeDefault or Localhost (got Unconfined)',
    ],
    [
      'no drop ALL',
      (s: any) => {
        s.containers[0].securityContext.capabilities = {};
      },
      'capabilities must drop ALL',
    ],
    [
      'an added SYS_ADMIN',
      (s: any) => {
        s.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE', 'SYS_ADMIN'];
      },
      'may add only NET_BIND_SERVICE (got SYS_ADMIN)',
    ],
    [
      'a host port',
      (s: any) => {
        s.containers[0].ports = [{ containerPort: 80, hostPort: 80 }];
      },
      'hostPort 80 is not allowed',
    ],
    [
      'an init container without the settings',
      (s: any) => {
        s.initContainers = [{ name: 'i' }];
      },
      'container "i": allowPrivilegeEscalation must be false',
    ],
  ])('reports %s', (_what, spoil, message) => {
    const spec = good();
    spoil(spec);
    expect(restrictedViolations(spec).join('\n')).toContain(message);
  });
});
