import { type Command, Option } from 'commander';
import { LEVELS, type LevelName, LOG_ATTRIBUTES } from '../../log/logger.ts';
import { followLogs, type LogLine } from '../../log/query.ts';
import { LEVEL_NAMES } from '../../log/ship.ts';
import { withBus } from '../context.ts';
import { parsePositiveInt, UsageError } from '../output.ts';

const camel = (a: string) => a.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const flag = (a: string) => `--${a.replace(/_/g, '-')}`;
const HIDDEN = new Set(['level', 'level_name', 'time', 'msg', 'pid', 'hostname', 'process']);

function formatLine(l: LogLine): string {
  const level = (LEVEL_NAMES[l.level] ?? String(l.level)).toUpperCase().padEnd(8);
  const attrs = Object.entries(l)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${l.time ?? ''} ${level} [${String(l.process ?? '')}] ${l.msg ?? ''}${attrs ? `  ${attrs}` : ''}`;
}

function parseAttr(pair: string, acc: Record<string, string>): Record<string, string> {
  const i = pair.indexOf('=');
  if (i <= 0) throw new UsageError(`--attr takes key=value, got '${pair}'`);
  return { ...acc, [pair.slice(0, i)]: pair.slice(i + 1) };
}

export function register(program: Command): void {
  const logs = program
    .command('logs')
    .description('Show log lines of every process, filtered by attribute, level and lookback')
    .addOption(new Option('--level <level>', 'minimum level').choices(Object.keys(LEVELS)))
    .option('--lookback <days>', 'how many days back to look', '1')
    .option('--attr <key=value>', 'filter on any attribute (repeatable)', parseAttr, {})
    .option('--process <name>', 'only lines of this process')
    .option('--limit <n>', 'only the newest n lines')
    .option('--follow', 'keep printing new lines as they are logged (Ctrl-C stops)')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON lines');
  for (const a of LOG_ATTRIBUTES) logs.option(`${flag(a)} <value>`, `only lines with ${a} = value`);
  logs.action(async (opts: Record<string, string | boolean | Record<string, string> | undefined>) => {
    const lookback = Number(opts.lookback);
    if (!Number.isFinite(lookback) || lookback <= 0)
      throw new UsageError(`--lookback must be a positive number of days`);
    const attributes: Record<string, string> = { ...((opts.attr as Record<string, string>) ?? {}) };
    for (const a of LOG_ATTRIBUTES) {
      const v = opts[camel(a)];
      if (typeof v === 'string') attributes[a] = v;
    }
    if (typeof opts.process === 'string') attributes.process = opts.process;
    const limit = typeof opts.limit === 'string' ? parsePositiveInt('--limit', opts.limit) : undefined;
    const query = { lookbackDays: lookback, level: opts.level as LevelName | undefined, attributes, limit };
    const print = (l: LogLine) => process.stdout.write(`${opts.json ? JSON.stringify(l) : formatLine(l)}\n`);
    // Following, the command's own lines are not shipped (they would follow themselves).
    const shipLogs = opts.follow !== true;
    await withBus({ natsUrl: opts.natsUrl as string | undefined, shipLogs }, async ({ nc, prefix }) => {
      if (!opts.follow) {
        const { openLogStore } = await import('../../../actors/store/log-store.ts');
        for (const l of await (await openLogStore(nc, prefix)).query({ ...query, now: Date.now() })) print(l);
        return;
      }
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await followLogs(nc, prefix, query, print, stop.signal);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
  });

  const clean = program.command('clean').description('Remove old data (log lines)');
  clean
    .command('logs')
    .description('Delete log entries older than N days (default: log_retention_days, 30)')
    .option('--days <n>', 'keep this many days')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { days?: string; natsUrl?: string; json?: boolean }) => {
      // The log cleaner's role: the one besides admin allowed to purge old log lines.
      await withBus({ natsUrl: opts.natsUrl, role: 'cleaner' }, async ({ nc, prefix, config }) => {
        const days = opts.days ? parsePositiveInt('--days', opts.days) : config.system.log_retention_days;
        const { openLogStore } = await import('../../../actors/store/log-store.ts');
        const deleted = await (await openLogStore(nc, prefix)).clean(days, Date.now());
        process.stdout.write(
          opts.json
            ? `${JSON.stringify({ deleted, days })}\n`
            : `deleted ${deleted} log entries older than ${days} days\n`,
        );
      });
    });
}
