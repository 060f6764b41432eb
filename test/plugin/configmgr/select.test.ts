/**
 * Config selection as a table: NVIDIA's config-manager rules (label → default → fallbacks
 * named, single, empty) and where ours deliberately differs (a label or default naming no
 * config is a warning and the next choice, not an exit). And the directory listing of a
 * mounted ConfigMap (the kubelet's ..data entries are not configs).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listConfigNames, NoConfigError, selectConfig, type SelectInput } from '../../../plugin/src/configmgr/select';

type Row = [string, Partial<SelectInput>, string | null | 'error', RegExp?];

const THREE = ['default', 'sliced-4', 'whole'];

const ROWS: Row[] = [
  ['label names a config', { label: 'sliced-4', available: THREE }, 'sliced-4'],
  ['label wins over the default', { label: 'sliced-4', available: THREE, defaultConfig: 'whole' }, 'sliced-4'],
  ['label unset → default config', { available: THREE, defaultConfig: 'whole' }, 'whole'],
  ['empty label value = unset', { label: '', available: THREE, defaultConfig: 'whole' }, 'whole'],
  ['no default → named finds "default"', { available: THREE, fallbackStrategies: ['named', 'single'] }, 'default'],
  ['single: the only config', { available: ['whole'], fallbackStrategies: ['named', 'single'] }, 'whole'],
  [
    'single before named, two configs → named',
    { available: ['default', 'x'], fallbackStrategies: ['single', 'named'] },
    'default',
  ],
  ['single with one config named default', { available: ['default'], fallbackStrategies: ['single'] }, 'default'],
  ['empty → built-in defaults', { available: ['a', 'b'], fallbackStrategies: ['named', 'single', 'empty'] }, null],
  ['empty first wins over named', { available: THREE, fallbackStrategies: ['empty', 'named'] }, null],
  [
    'every fallback fails',
    { available: ['a', 'b'], fallbackStrategies: ['named', 'single'] },
    'error',
    /fallback strategies \[named, single\] found none among: a, b/,
  ],
  ['no fallbacks at all', { available: ['a', 'b'], fallbackStrategies: [] }, 'error', /no default config is given/],
  ['no configs at all', { available: [], defaultConfig: 'x' }, 'error', /no configuration files/],
  // Ours, not NVIDIA's (it exits): a bad name is a warning and the next choice.
  [
    'label names no config → default',
    { label: 'nope', available: THREE, defaultConfig: 'whole' },
    'whole',
    /node label .*=nope names no config; available configs: default, sliced-4, whole/,
  ],
  [
    'label names no config, no default → fallback',
    { label: 'nope', available: THREE, fallbackStrategies: ['named'] },
    'default',
    /=nope names no config/,
  ],
  [
    'default names no config → fallbacks',
    { available: THREE, defaultConfig: 'gone', fallbackStrategies: ['named'] },
    'default',
    /default config "gone" .* names no config/,
  ],
  [
    'bad label and bad default and no fallback',
    { label: 'nope', available: ['a', 'b'], defaultConfig: 'gone', fallbackStrategies: ['named'] },
    'error',
    /"nope", which names no config, the default config "gone" does not exist/,
  ],
];

describe('selectConfig', () => {
  test.each(ROWS.map(([title, input, expected, message]) => ({ title, input, expected, message })))(
    '$title',
    ({ input, expected, message }) => {
      const full: SelectInput = {
        label: undefined,
        available: [],
        fallbackStrategies: ['named', 'single'],
        labelKey: 'nvidia.com/device-plugin.config',
        ...input,
      };
      if (expected === 'error') {
        expect(() => selectConfig(full)).toThrow(NoConfigError);
        if (message) expect(() => selectConfig(full)).toThrow(message);
        return;
      }
      const selection = selectConfig(full);
      expect(selection.name).toBe(expected);
      if (message) expect(selection.warnings.join('\n')).toMatch(message);
      else expect(selection.warnings).toEqual([]);
    },
  );
});

describe('listConfigNames', () => {
  test('a mounted ConfigMap: the keys, not the kubelet ..data entries, dot-files or directories', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-'));
    try {
      const stamp = join(dir, '..2026_12_06_07_00_00.000000001');
      mkdirSync(stamp);
      writeFileSync(join(stamp, 'whole'), 'version: v1\n');
      writeFileSync(join(stamp, 'sliced-4'), 'version: v1\n');
      symlinkSync('..2026_12_06_07_00_00.000000001', join(dir, '..data'));
      symlinkSync('..data/whole', join(dir, 'whole'));
      symlinkSync('..data/sliced-4', join(dir, 'sliced-4'));
      writeFileSync(join(dir, '.editor-swap'), '');
      mkdirSync(join(dir, 'subdir'));
      expect(listConfigNames(dir)).toEqual(['sliced-4', 'whole']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
