/**
 * One structured JSON logger (pino) for the whole plugin. Lines go to stdout
 * synchronously, so nothing is lost when the process exits right after a log call
 * (a bad config at start, SIGTERM).
 */
import pino from 'pino';

export type Logger = pino.Logger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; stdout (fd 1) when not given. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { component: 'gpu-device-plugin', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level as a word ("warn") rather than pino's number: what people grep for.
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
