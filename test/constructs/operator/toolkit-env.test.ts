import { ContainerRuntime, ContainerdConfig, ToolkitSettings } from '../../../src/operator';
import { resolveToolkitEnv } from '../../../src/operator/toolkit-env';

describe('resolveToolkitEnv', () => {
  test('system containerd: only the runtime handler name', () => {
    expect(resolveToolkitEnv({}, ContainerRuntime.CONTAINERD, 'nvidia')).toEqual({
      CONTAINERD_RUNTIME_CLASS: 'nvidia',
    });
  });

  test('RKE2: the config template and the socket under /run/k3s', () => {
    expect(resolveToolkitEnv({ containerd: ContainerdConfig.RKE2 }, ContainerRuntime.CONTAINERD, 'nvidia')).toEqual({
      CONTAINERD_CONFIG: '/var/lib/rancher/rke2/agent/etc/containerd/config.toml.tmpl',
      CONTAINERD_SOCKET: '/run/k3s/containerd/containerd.sock',
      CONTAINERD_RUNTIME_CLASS: 'nvidia',
    });
  });

  test('setAsDefaultRuntime becomes CONTAINERD_SET_AS_DEFAULT', () => {
    expect(resolveToolkitEnv({ setAsDefaultRuntime: true }, ContainerRuntime.CONTAINERD, 'gpu')).toEqual({
      CONTAINERD_RUNTIME_CLASS: 'gpu',
      CONTAINERD_SET_AS_DEFAULT: 'true',
    });
  });

  test('CRI-O and a disabled toolkit get no containerd env', () => {
    expect(resolveToolkitEnv({}, ContainerRuntime.CRIO, 'nvidia')).toEqual({});
    expect(resolveToolkitEnv({ enabled: false }, ContainerRuntime.CONTAINERD, 'nvidia')).toEqual({});
  });

  test.each<[string, ToolkitSettings, ContainerRuntime, RegExp]>([
    [
      'containerd paths with CRI-O',
      { containerd: ContainerdConfig.K3S },
      ContainerRuntime.CRIO,
      /toolkit.containerd applies to containerd, but operator.defaultRuntime is "crio"/,
    ],
    [
      'setAsDefaultRuntime with CRI-O',
      { setAsDefaultRuntime: true },
      ContainerRuntime.CRIO,
      /setAsDefaultRuntime sets CONTAINERD_SET_AS_DEFAULT, which only containerd reads/,
    ],
    [
      'settings for a disabled toolkit',
      { enabled: false, containerd: ContainerdConfig.K3S },
      ContainerRuntime.CONTAINERD,
      /apply only to a toolkit the operator installs; set toolkit.enabled to true/,
    ],
  ])('rejects %s', (_what, settings, runtime, message) => {
    expect(() => resolveToolkitEnv(settings, runtime, 'nvidia')).toThrow(message);
  });
});
