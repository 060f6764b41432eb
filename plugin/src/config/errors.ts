/**
 * The one error type of config loading. Its message is meant for a person reading
 * `kubectl logs`: it names where the value came from (flag, environment variable or
 * config file and line), the field, the bad value and what is allowed.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Thrown by the value parsers shared by flags, env vars and the file. It carries only
 * the rule ("must be one of none, single, mixed"); the caller knows where the value
 * came from and turns it into a ConfigError.
 */
export class InvalidValue extends Error {
  constructor(readonly rule: string) {
    super(rule);
    this.name = 'InvalidValue';
  }
}

/** Renders a value for an error message: strings quoted, long values cut short. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
