import {
  HELP_FLAGS,
  OPTIONS,
  allFlagNames,
  defaultSettings,
  helpFlag,
  optionForFlag,
} from '../../../plugin/src/config/options';
import { parseConfigFile } from '../../../plugin/src/config/file';
import { KNOWN_KEYS } from '../../../plugin/src/config/schema';

describe('the option table', () => {
  test('no flag name or env var belongs to two options', () => {
    const flags = OPTIONS.flatMap((spec) => spec.flags);
    const env = OPTIONS.flatMap((spec) => spec.env);
    expect(new Set(flags).size).toBe(flags.length);
    expect(new Set(env).size).toBe(env.length);
    expect(allFlagNames().sort()).toEqual([...flags].sort());
  });

  test('every default passes its own parser (the defaults a user could type are valid)', () => {
    for (const spec of OPTIONS) {
      if (spec.defaultValue === undefined || spec.defaultText === 'none') continue;
      expect(spec.parse(spec.defaultText)).toEqual(spec.defaultValue);
    }
  });

  test('aliases resolve to the same option', () => {
    expect(optionForFlag('nvidia-ctk-path')).toBe(optionForFlag('nvidia-cdi-hook-path'));
    expect(optionForFlag('container-driver-root')).toBe(optionForFlag('driver-root-ctr-path'));
    expect(optionForFlag('nvidia-dev-root')).toBe(optionForFlag('dev-root'));
  });

  // The compiler checks each filePath against the schema's types (FilePathFor); this checks the
  // schema the loader really runs, and that the file mapping derived from filePath reads it.
  test.each(OPTIONS.filter((spec) => spec.filePath !== undefined).map((spec) => [spec.filePath!, spec]))(
    'config-file path %s exists in the file schema and sets its option',
    (filePath, spec) => {
      const parts = filePath.split('.');
      const key = parts.pop()!;
      expect(KNOWN_KEYS.get(parts.join('.'))).toContain(key);
      // A value other than "not set": the default, or a valid one where the default is empty.
      const empty = spec.defaultValue === undefined || spec.defaultValue === '';
      const value =
        spec.key === 'imexChannelIDs'
          ? [0]
          : Array.isArray(spec.defaultValue) && spec.defaultValue.length === 0
            ? ['x']
            : empty
              ? '/x'
              : spec.defaultValue;
      const file: Record<string, unknown> = {};
      let at = file;
      for (const part of parts) at = (at[part] = {}) as Record<string, unknown>;
      at[key] = value;
      expect(parseConfigFile(JSON.stringify(file), 'test').settings).toEqual({ [spec.key]: value });
    },
  );

  test('options without a config-file path are the ones NVIDIA reads from flags and env only, and ours', () => {
    expect(
      OPTIONS.filter((spec) => spec.filePath === undefined && spec.group === 'nvidia').map((spec) => spec.key),
    ).toEqual([
      'configFile',
      // NVIDIA's config-manager flags (--config-dir is its --config-file-srcdir): the manager is built in.
      'configDir',
      'defaultConfig',
      'fallbackStrategies',
      'nodeName',
      'nodeLabel',
      'kubeconfig',
      'cdiDisableHooks',
    ]);
  });

  test('defaultSettings gives fresh arrays each time', () => {
    const first = defaultSettings();
    first.deviceListStrategy.push('cdi-cri');
    expect(defaultSettings().deviceListStrategy).toEqual(['envvar']);
  });
});

describe('helpFlag: the one list of help spellings', () => {
  test.each(['-h', '--h', '-help', '--help', '--help=true', '--help=1', '-h=TRUE'])('%s asks for help', (arg) => {
    expect(helpFlag(arg)).toBe('help');
  });
  test.each(['--help=false', '-h=0'])('%s is a help flag that asks for none', (arg) => {
    expect(helpFlag(arg)).toBe('no-help');
  });
  test.each(['--hel', '---help', 'help', '-', '--', '--log-level=help', '--helpful'])(
    '%s is not a help flag',
    (arg) => {
      expect(helpFlag(arg)).toBeUndefined();
    },
  );
  test('no option uses a help flag name', () => {
    for (const name of HELP_FLAGS) expect(optionForFlag(name)).toBeUndefined();
  });
});
