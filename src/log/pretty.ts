import { createRequire } from 'node:module';
import type { DestinationStream } from 'pino';
import type PinoPretty from 'pino-pretty';
import { LEVELS } from './logger.ts';

/**
 * Human log lines for a terminal, by pino-pretty: `[time] LEVEL (process): message {attributes}`,
 * the time being the line's own `time` (the process's clock, simulated in a simulation), levels
 * by name including `critical`. Off a terminal (or with `--json`) lines stay JSON.
 */
export type LogFormat = 'pretty' | 'json';

/** `SYSTACK_LOG_FORMAT` (json | pretty; children inherit it), else pretty on a terminal. */
export function logFormat(stream: { isTTY?: boolean } = process.stderr): LogFormat {
  const env = process.env.SYSTACK_LOG_FORMAT;
  if (env === 'json' || env === 'pretty') return env;
  return stream.isTTY ? 'pretty' : 'json';
}

const levelList = (): string =>
  Object.entries(LEVELS)
    .map(([name, n]) => `${name}:${n}`)
    .join(',');

/** A pino-pretty stream writing to `fd` (default stderr) synchronously. */
export function prettyLogStream(opts: { fd?: number; colorize?: boolean } = {}): DestinationStream {
  // pino-pretty is loaded only when a terminal wants it (CLI start-up stays light).
  const build = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return build({
    destination: opts.fd ?? 2,
    sync: true,
    colorize: opts.colorize ?? false,
    customLevels: levelList(),
    customColors: 'trace:gray,debug:blue,info:green,warn:yellow,error:red,critical:magenta,fatal:bgRed',
    useOnlyCustomProps: false,
    levelKey: 'level',
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss Z',
    messageFormat: '({process}) {msg}',
    ignore: 'pid,hostname,process,level_name',
    singleLine: true,
  });
}
