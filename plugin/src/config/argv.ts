/**
 * Command-line parsing, written for NVIDIA's conventions rather than a generic
 * parser: Go's flag package (under urfave/cli) takes `--name value`, `--name=value`
 * and the single-dash `-name=value`; booleans are bare or `--name=false`; slice flags
 * repeat or take commas. Anything unknown is an error that names it.
 */
import { ConfigError } from './errors.js';
import { allFlagNames, helpFlag, optionForFlag, type AnyOption, type SettingKey } from './options.js';
import { closestMatch } from './suggest.js';

/** The raw text of one option as given on the command line. */
export interface FlagValue {
  text: string;
  /** The flag as the user typed its name, e.g. `--nvidia-driver-root`, for error messages. */
  label: string;
}

export function parseArgv(argv: readonly string[]): Map<SettingKey, FlagValue> {
  const values = new Map<SettingKey, FlagValue>();
  let previousBareBool: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      if (i + 1 < argv.length) throw unexpected(argv[i + 1], undefined);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') throw unexpected(arg, previousBareBool);
    previousBareBool = undefined;

    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const inline = eq === -1 ? undefined : body.slice(eq + 1);
    if (helpFlag(arg)) continue; // cli.ts prints the help before loading

    const spec = optionForFlag(name);
    if (!spec) throw unknownFlag(arg, name);
    const label = `--${name}`;

    let text: string;
    if (inline !== undefined) {
      text = inline;
    } else if (spec.bool) {
      text = 'true';
      previousBareBool = label;
    } else {
      if (i + 1 >= argv.length) {
        throw new ConfigError(`${label} needs a value (${describeValue(spec)}), e.g. ${label}=${example(spec)}`);
      }
      text = argv[++i];
    }
    record(values, spec, { text, label });
  }
  return values;
}

function record(values: Map<SettingKey, FlagValue>, spec: AnyOption, value: FlagValue): void {
  const earlier = values.get(spec.key);
  if (spec.list && earlier) {
    // Repeated slice flags accumulate, as urfave/cli's StringSlice does.
    values.set(spec.key, { text: `${earlier.text},${value.text}`, label: value.label });
  } else {
    values.set(spec.key, value); // the last one wins, as with Go's flag package
  }
}

function unexpected(arg: string, previousBareBool: string | undefined): ConfigError {
  const hint =
    previousBareBool && /^(true|false|0|1)$/i.test(arg)
      ? `; a boolean flag takes its value after "=", e.g. ${previousBareBool}=${arg.toLowerCase()}`
      : '; this program takes only flags (run with --help to list them)';
  return new ConfigError(`unexpected argument "${arg}"${hint}`);
}

function unknownFlag(arg: string, name: string): ConfigError {
  const suggestion = closestMatch(name, allFlagNames());
  const didYouMean = suggestion ? `; did you mean --${suggestion}?` : '';
  return new ConfigError(`unknown flag ${arg.split('=')[0]}${didYouMean} (run with --help to list every flag)`);
}

function describeValue(spec: AnyOption): string {
  return spec.valueName ?? 'a value';
}

function example(spec: AnyOption): string {
  const first = spec.valueName?.split(/[|,]/)[0];
  return first && first !== 'path' ? first : String(spec.defaultText);
}
