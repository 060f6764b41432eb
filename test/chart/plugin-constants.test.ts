import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PLUGIN_CONSTANTS_COPY, pluginConstantsCopy } from '../../src/chart/plugin-constants-copy';
import * as library from '../../src/common/plugin-constants';
import { REPO_ROOT } from './helm';

// Drift: the construct library's copy of plugin/src/constants.ts is what `npm run chart` writes now.

test('src/common/plugin-constants.ts is the generated copy of plugin/src/constants.ts (run `npm run chart`)', () => {
  expect(fs.readFileSync(path.join(REPO_ROOT, PLUGIN_CONSTANTS_COPY), 'utf-8')).toBe(pluginConstantsCopy(REPO_ROOT));
});

test('the copy holds the facts the issue names, with NVIDIA’s values', () => {
  expect(library.RESOURCE_PREFIX).toBe('nvidia.com');
  expect(library.MAX_RESOURCE_NAME_LENGTH).toBe(63);
  expect(library.DEFAULT_SKIP_XIDS).toEqual([13, 31, 43, 45, 68, 109]);
  expect(library.CDI_VENDOR).toBe('k8s.device-plugin.nvidia.com');
});

test('a source that imports another module is refused, naming the file and why', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-constants-'));
  try {
    fs.mkdirSync(path.join(tmp, 'plugin', 'src'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'plugin', 'src', 'constants.ts'), "import { x } from './x.js';\n");
    expect(() => pluginConstantsCopy(tmp)).toThrow(/plugin\/src\/constants\.ts imports .* self-contained/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// Prose the compiler cannot fill in (the jsii doc comment that API.md shows, the README) quotes
// the default XIDs; --help and the chart values are written from the constant itself.
test.each([
  'README.md',
  'API.md',
  'src/device-plugin/gpu-device-plugin-props.ts',
  'charts/gpu-device-plugin/README.md',
])('every default XID list quoted in %s is DEFAULT_SKIP_XIDS', (file) => {
  const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf-8');
  const quoted = [...text.matchAll(/defaults?[^()\n]*\((\d+(?:, \d+){3,})\)/g)].map((m) => m[1]);
  expect(quoted.length).toBeGreaterThan(0);
  expect(quoted).toEqual(quoted.map(() => library.DEFAULT_SKIP_XIDS.join(', ')));
});
