import { ContainerdConfig } from '../../../src/operator';

describe('ContainerdConfig', () => {
  test('k3s: the generated config.toml and the k3s socket', () => {
    expect(ContainerdConfig.K3S.configPath).toBe('/var/lib/rancher/k3s/agent/etc/containerd/config.toml');
    expect(ContainerdConfig.K3S.socketPath).toBe('/run/k3s/containerd/containerd.sock');
  });

  test('RKE2: the config.toml.tmpl template (RKE2 rewrites config.toml) and the socket under /run/k3s', () => {
    expect(ContainerdConfig.RKE2.configPath).toBe('/var/lib/rancher/rke2/agent/etc/containerd/config.toml.tmpl');
    expect(ContainerdConfig.RKE2.socketPath).toBe('/run/k3s/containerd/containerd.sock');
  });

  test('SYSTEM leaves both to the toolkit', () => {
    expect([ContainerdConfig.SYSTEM.configPath, ContainerdConfig.SYSTEM.socketPath]).toEqual([undefined, undefined]);
  });

  test('custom keeps absolute paths', () => {
    const c = ContainerdConfig.custom('/etc/k0s/containerd.d/nvidia.toml', '/run/k0s/containerd.sock');
    expect([c.configPath, c.socketPath]).toEqual(['/etc/k0s/containerd.d/nvidia.toml', '/run/k0s/containerd.sock']);
  });

  test.each([
    [
      'etc/containerd/config.toml',
      '/run/containerd/containerd.sock',
      /configPath must be an absolute host path \(got "etc\/containerd\/config.toml"\)/,
    ],
    ['/etc/containerd/config.toml', 'containerd.sock', /socketPath must be an absolute host path/],
  ])('custom rejects relative paths (%s, %s)', (config, socket, message) => {
    expect(() => ContainerdConfig.custom(config, socket)).toThrow(message);
  });
});
