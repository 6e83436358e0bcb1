import type { Command } from 'commander';
import { busStatus } from '../../bus/status.ts';
import { withBus } from '../context.ts';
import { printResult } from '../output.ts';

export function register(program: Command): void {
  program
    .command('status')
    .description('Show the running system: NATS server, JetStream streams and their sizes')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action(async (opts: { natsUrl?: string; json?: boolean }) => {
      await withBus({ natsUrl: opts.natsUrl }, async ({ nc, prefix }) => {
        const s = await busStatus(nc, prefix);
        if (opts.json) return printResult(s, { json: true });
        printResult({ server: s.server, server_version: s.server_version, jetstream: s.jetstream });
        printResult(s.streams, { columns: ['name', 'messages', 'bytes', 'subjects'] });
      });
    });
}
