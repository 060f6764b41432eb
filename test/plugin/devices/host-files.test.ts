import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMigMinors, readNumaNode, resolveNvmlLibrary, sysfsPciName } from '../../../plugin/src/devices/host-files';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'host-files-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

test.each([
  ['00000000:07:00.0', '0000:07:00.0'],
  ['00000000:8A:00.0', '0000:8a:00.0'],
  ['00000001:C1:1F.0', '0001:c1:1f.0'],
  ['0000:07:00.0', '0000:07:00.0'],
])('sysfs names %s %s', (nvml, sysfs) => {
  expect(sysfsPciName(nvml)).toBe(sysfs);
});

describe('readNumaNode', () => {
  test.each([
    ['0\n', 0],
    ['3\n', 3],
    ['-1\n', undefined],
    ['garbage', undefined],
  ])('reads %p as %p', (text, node) => {
    write('bus/pci/devices/0000:8a:00.0/numa_node', text);
    expect(readNumaNode(root, '00000000:8A:00.0')).toBe(node);
  });

  test('answers undefined when the device has no sysfs entry', () => {
    expect(readNumaNode(root, '00000000:07:00.0')).toBeUndefined();
  });
});

describe('readMigMinors', () => {
  test('maps GPU-instance and compute-instance access files to their minors', () => {
    write(
      'driver/nvidia-caps/mig-minors',
      'config 1\nmonitor 2\ngpu0/gi1/access 21\ngpu0/gi1/ci0/access 22\ngpu3/gi13/ci2/access 400\n',
    );
    expect(readMigMinors(root)).toEqual(
      new Map([
        ['gpu0/gi1', 21],
        ['gpu0/gi1/ci0', 22],
        ['gpu3/gi13/ci2', 400],
      ]),
    );
  });

  test('answers an empty map without the file', () => {
    expect(readMigMinors(root).size).toBe(0);
  });
});

describe('resolveNvmlLibrary', () => {
  test('keeps an absolute path', () => {
    expect(resolveNvmlLibrary('/opt/lib/libnvidia-ml.so.1', root)).toBe('/opt/lib/libnvidia-ml.so.1');
  });

  test('keeps a relative path for dlopen', () => {
    expect(resolveNvmlLibrary('./lib/libnvidia-ml.so.1', root)).toBe('./lib/libnvidia-ml.so.1');
  });

  test.each(['usr/lib64', 'usr/lib/x86_64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'lib'])(
    'finds a bare name under <driver root>/%s',
    (dir) => {
      write(`${dir}/libnvidia-ml.so.1`, '');
      expect(resolveNvmlLibrary('libnvidia-ml.so.1', root)).toBe(join(root, dir, 'libnvidia-ml.so.1'));
    },
  );

  test('leaves a bare name it cannot find to the dynamic loader', () => {
    expect(resolveNvmlLibrary('libnvidia-ml.so.1', root)).toBe('libnvidia-ml.so.1');
  });
});
