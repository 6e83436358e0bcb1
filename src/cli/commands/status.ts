import type { Command } from 'commander';
import { controlSubject } from '../../../actors/supervisor/control-service.ts';
import { CONTROL_ENDPOINTS, type ProcessRow } from '../../bus/schemas/process-control.ts';
import { callService } from '../../bus/service.ts';
import { busStatus } from '../../bus/status.ts';
import { withBus } from '../context.ts';
import { printResult } from '../output.ts';

const PROCESS_COLUMNS = ['name', 'running', 'status', 'pid', 'last_start', 'last_end', 'window'];

export function register(program: Command): void {
  program
    .command('status')
    .description(
      'Show the running system: NATS server, streams, KV buckets, object stores, services with endpoints, processes',
    )
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action(async (opts: { natsUrl?: string; json?: boolean }) => {
      await withBus({ natsUrl: opts.natsUrl }, async ({ nc, prefix }) => {
        const s = await busStatus(nc, prefix);
        // processes: from the process-control service; none when no supervisor runs
        const processes = await callService<ProcessRow[]>(
          nc,
          controlSubject(prefix, CONTROL_ENDPOINTS.list),
          {},
        ).catch(() => undefined);
        if (opts.json) return printResult({ ...s, processes: processes ?? null }, { json: true });
        printResult({ server: s.server, server_version: s.server_version, jetstream: s.jetstream });
        process.stdout.write('\nstreams, KV buckets and object stores\n');
        printResult(s.streams, { columns: ['kind', 'name', 'messages', 'bytes', 'subjects'] });
        process.stdout.write('\nservices\n');
        printResult(
          s.services.flatMap((svc) =>
            svc.endpoints.map((e, i) => ({
              service: i === 0 ? `${svc.service} ${svc.version}` : '',
              endpoint: e.name,
              subject: e.subject,
              description: e.description,
            })),
          ),
          { columns: ['service', 'endpoint', 'subject', 'description'] },
        );
        process.stdout.write('\nprocesses\n');
        if (processes)
          printResult(processes as unknown as Array<Record<string, unknown>>, { columns: PROCESS_COLUMNS });
        else process.stdout.write('(no process-control service: the supervisor is not running)\n');
      });
    });
}
