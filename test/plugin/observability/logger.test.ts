import { Writable } from 'node:stream';
import { createLogger, type LogLevel } from '../../../plugin/src/observability/logger';

function capture(level: LogLevel = 'info'): {
  lines: () => Array<Record<string, unknown>>;
  logger: ReturnType<typeof createLogger>;
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ level, destination });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line with the level as a word, an ISO time and the fields', () => {
    const { logger, lines } = capture();
    logger.warn({ resource: 'nvidia.com/gpu' }, 'device marked Unhealthy');
    const [line] = lines();
    expect(line).toMatchObject({
      level: 'warn',
      component: 'gpu-device-plugin',
      resource: 'nvidia.com/gpu',
      msg: 'device marked Unhealthy',
    });
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = capture('warn');
    logger.info('not shown');
    logger.error('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
  });

  it('serializes errors with message and stack', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error('bind failed') }, 'cannot start');
    expect(lines()[0].err).toMatchObject({ type: 'Error', message: 'bind failed' });
  });
});
