import { parseArgv } from '../../../plugin/src/config/argv';
import { ConfigError } from '../../../plugin/src/config/errors';

const texts = (argv: string[]) => Object.fromEntries([...parseArgv(argv)].map(([key, value]) => [key, value.text]));

describe('parseArgv', () => {
  test.each<[string, string[], Record<string, string>]>([
    ['--name value', ['--mig-strategy', 'mixed'], { migStrategy: 'mixed' }],
    ['--name=value', ['--mig-strategy=mixed'], { migStrategy: 'mixed' }],
    ["Go's single-dash -name=value", ['-mig-strategy=mixed'], { migStrategy: 'mixed' }],
    ['a bare boolean', ['--pass-device-specs'], { passDeviceSpecs: 'true' }],
    ['a boolean with =false', ['--pass-device-specs=false'], { passDeviceSpecs: 'false' }],
    ['an alias', ['--nvidia-driver-root=/a'], { nvidiaDriverRoot: '/a' }],
    ['the last of a repeated plain flag', ['--mig-strategy=single', '--mig-strategy=mixed'], { migStrategy: 'mixed' }],
    [
      'a repeated list flag, accumulated',
      ['--device-list-strategy=envvar', '--device-list-strategy', 'cdi-cri'],
      { deviceListStrategy: 'envvar,cdi-cri' },
    ],
    ['a value that starts with a dash', ['--kubelet-socket', '-weird.sock'], { kubeletSocket: '-weird.sock' }],
    ['an empty value after =', ['--kubelet-socket='], { kubeletSocket: '' }],
    ['a value containing =', ['--cdi-annotation-prefix=a=b/'], { cdiAnnotationPrefix: 'a=b/' }],
    ['--help and -h, skipped', ['--help', '-h'], {}],
    ['a trailing --', ['--gds-enabled', '--'], { gdsEnabled: 'true' }],
  ])('takes %s', (_name, argv, expected) => {
    expect(texts(argv)).toEqual(expected);
  });

  test('remembers the flag name as typed, for messages', () => {
    expect(parseArgv(['--container-driver-root=/x']).get('containerDriverRoot')?.label).toBe('--container-driver-root');
  });

  test.each<[string, string[], RegExp]>([
    ['an unknown flag', ['--qqqq=x'], /^unknown flag --qqqq \(run with --help/],
    [
      'a flag of another plugin, with the nearest of ours',
      ['--gpu-strategy=x'],
      /^unknown flag --gpu-strategy; did you mean --mig-strategy\?/,
    ],
    ['a mistyped flag', ['--device-id-stratgy=index'], /did you mean --device-id-strategy\?/],
    ['a missing value', ['--config-file'], /--config-file needs a value \(path\)/],
    ['a positional argument', ['run'], /unexpected argument "run"/],
    ['a boolean value given after a space', ['--gds-enabled', 'TRUE'], /e\.g\. --gds-enabled=true/],
    ['an argument after --', ['--', '--mig-strategy=none'], /unexpected argument "--mig-strategy=none"/],
  ])('rejects %s', (_name, argv, pattern) => {
    expect(() => parseArgv(argv)).toThrow(ConfigError);
    expect(() => parseArgv(argv)).toThrow(pattern);
  });
});
