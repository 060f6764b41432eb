import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultNodeExists, deviceSpecs, imexChannelPath } from '../../../plugin/src/allocate/device-specs';
import { gpuResource } from './allocate-fixtures';

describe('deviceSpecs', () => {
  it('lists existing control nodes, then the GPUs, then IMEX channels, each rw under the dev root', () => {
    const [d0] = gpuResource().devices;
    const specs = deviceSpecs([d0], '/run/nvidia/driver', [0], (p) => p === '/dev/nvidia-uvm-tools');
    expect(specs).toEqual([
      {
        container_path: '/dev/nvidia-uvm-tools',
        host_path: '/run/nvidia/driver/dev/nvidia-uvm-tools',
        permissions: 'rw',
      },
      { container_path: '/dev/nvidia4', host_path: '/run/nvidia/driver/dev/nvidia4', permissions: 'rw' },
      {
        container_path: '/dev/nvidia-caps-imex-channels/channel0',
        host_path: '/run/nvidia/driver/dev/nvidia-caps-imex-channels/channel0',
        permissions: 'rw',
      },
    ]);
  });

  it('names IMEX channel nodes like the driver does', () => {
    expect(imexChannelPath(3)).toBe('/dev/nvidia-caps-imex-channels/channel3');
  });

  it('finds a node under the dev root when the container does not have it', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'devroot-'));
    fs.mkdirSync(path.join(root, 'dev'));
    fs.writeFileSync(path.join(root, 'dev', 'nvidia-modeset'), '');
    expect(defaultNodeExists('/dev/nvidia-modeset', root)).toBe(true);
    expect(defaultNodeExists('/dev/nvidia-not-there', root)).toBe(false);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
