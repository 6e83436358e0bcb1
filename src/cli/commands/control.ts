/**
 * `systack control`: process control over NATS (interactive_controls "Process control &
 * monitoring"). Other groups add subcommands to the Command `registerControl` returns.
 */
import type { Command } from 'commander';
import type { ProcessRow } from '../../bus/schemas/process-control.ts';
import { CONTROL_ENDPOINTS, controlSubject } from '../../bus/schemas/process-control-endpoints.ts';
import { callService, ServiceError } from '../../bus/service.ts';
import type { ProcessConfig } from '../../domain/process-control/config.ts';
import { PROCESS_STATUSES, type ProcessStatus } from '../../domain/process-control/statuses.ts';
import { withBus } from '../context.ts';
import { CliError, printResult, UsageError } from '../output.ts';

interface Common {
  natsUrl?: string;
  json?: boolean;
}

async function call<R>(opts: Common, ep: string, body: unknown): Promise<R> {
  // A view changes nothing: its log lines stay on stderr (no log stream or email set-up round trips).
  const shipLogs = ep !== CONTROL_ENDPOINTS.list && ep !== CONTROL_ENDPOINTS.config;
  // Only service requests: no store is opened here.
  return withBus({ natsUrl: opts.natsUrl, shipLogs, storage: false }, async ({ nc, prefix }) => {
    try {
      return await callService<R>(nc, controlSubject(prefix, ep), body);
    } catch (err) {
      if (err instanceof ServiceError) throw new CliError(`${err.message} (code ${err.code})`);
      if (err instanceof Error && /no responders/i.test(err.message)) {
        throw new CliError("no process-control service: is 'systack supervise' running?");
      }
      throw err;
    }
  });
}

const ROW_COLUMNS = [
  'name',
  'running',
  'status',
  'pid',
  'host',
  'last_start',
  'last_end',
  'crashed',
  'previous_process',
  'window',
];

function parseStatus(s: string): ProcessStatus {
  const up = s.toUpperCase().replace('_', '-') as ProcessStatus;
  if (!PROCESS_STATUSES.includes(up))
    throw new UsageError(`status must be one of ${PROCESS_STATUSES.join(', ')}, got '${s}'`);
  return up;
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON');
}

/** Register `systack control` and return it so other groups can add subcommands. */
export function registerControl(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === 'control');
  if (existing) return existing;
  const control = program
    .command('control')
    .description(
      'Process control (statuses, finished flags, configuration), position limits and overrides, trade limits, broker client ids',
    );

  withCommon(
    control.command('processes').description('View processes: running, status, PID, start / end, window'),
  ).action(async (opts: Common) => {
    const rows = await call<ProcessRow[]>(opts, CONTROL_ENDPOINTS.list, {});
    printResult(rows, { json: opts.json, columns: ROW_COLUMNS });
  });

  withCommon(
    control
      .command('status')
      .description('Change the status of a process, or of all: GO, STOP, NO-RUN, PAUSE')
      .argument('<process>', "process name or 'all'")
      .argument('<status>', PROCESS_STATUSES.join(' | ')),
  ).action(async (process: string, status: string, opts: Common) => {
    const rows = await call<ProcessRow[]>(opts, CONTROL_ENDPOINTS.setStatus, {
      process,
      status: parseStatus(status),
    });
    printResult(rows, { json: opts.json, columns: ['name', 'running', 'status'] });
  });

  withCommon(
    control
      .command('finish')
      .description('Mark a process as finished (after checking it is really dead)')
      .argument('<process>', 'process name'),
  ).action(async (process: string, opts: Common) => {
    printResult(
      await call<ProcessRow & { was_running: boolean }>(opts, CONTROL_ENDPOINTS.markFinished, { process }),
      {
        json: opts.json,
      },
    );
  });

  withCommon(control.command('finish-dead').description('Mark all dead processes as finished')).action(
    async (opts: Common) => {
      const r = await call<{ marked: string[] }>(opts, CONTROL_ENDPOINTS.markDeadFinished, {});
      if (opts.json) return printResult(r, { json: true });
      printResult(r.marked.length ? r.marked.join('\n') : 'no dead processes');
    },
  );

  withCommon(
    control.command('config').description('View process configuration').argument('[process]', 'one process'),
  ).action(async (process: string | undefined, opts: Common) => {
    const cfgs = await call<ProcessConfig[]>(opts, CONTROL_ENDPOINTS.config, process ? { process } : {});
    if (opts.json) return printResult(cfgs, { json: true });
    printResult(
      cfgs.map((c) => ({
        name: c.name,
        start: c.startTime,
        stop: c.stopTime,
        previous_process: c.previousProcess ?? '',
        host: c.host ?? 'any',
        restart: c.restart.mode === 'never' ? 'never' : `on-crash x${c.restart.maxRestarts}`,
        methods: c.methods
          .map(
            (m) =>
              `${m.name}${m.runOnCompletionOnly ? ' (on completion)' : ` f=${m.frequencyMinutes} max=${m.maxExecutions}`}`,
          )
          .join('; '),
      })),
    );
  });
  return control;
}

export function register(program: Command): void {
  registerControl(program);
}
