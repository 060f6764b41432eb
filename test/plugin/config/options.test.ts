import {
  HELP_FLAGS,
  OPTIONS,
  allFlagNames,
  defaultSettings,
  helpFlag,
  optionForFlag,
} from '../../../plugin/src/config/options';

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
