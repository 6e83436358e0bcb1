import { resolve } from 'node:path';
import type { Command } from 'commander';
import { connectNats } from '../../bus/connection.ts';
import { startEmbeddedNats } from '../../bus/embedded.ts';
import { busStatus } from '../../bus/status.ts';
import { loadConfig } from '../../config/load.ts';
import { ensureLogStream } from '../../log/ship.ts';
import { setupLogging } from '../context.ts';
import { printResult } from '../output.ts';

export function register(program: Command): void {
  program
    .command('start')
    .description(
      'Run systack on its embedded defaults (embedded nats-server with JetStream); Ctrl-C stops it',
    )
    .option('--json', 'print the start-up status as JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const dataDir = resolve(config.system.data_dir);
      const server = config.system.nats_url
        ? undefined
        : await startEmbeddedNats({
            storeDir: resolve(dataDir, 'jetstream'),
            portsDir: dataDir,
            port: config.system.nats_port,
          });
      const url = config.system.nats_url ?? server?.url ?? '';
      const nc = await connectNats({
        url,
        name: 'systack-start',
        user: config.system.nats_user,
        pass: config.system.nats_pass,
        token: config.system.nats_token,
      });
      const prefix = config.system.subject_prefix;
      await ensureLogStream(nc, prefix);
      const log = setupLogging(config, 'systack', nc);
      log.info({ component: 'start', nats_url: url, embedded: Boolean(server) }, 'systack started');
      printResult({ ...(await busStatus(nc, prefix)), data_dir: dataDir }, { json: opts.json });
      process.stderr.write('systack is running. Press Ctrl-C to stop.\n');
      await new Promise<void>((done) => {
        process.once('SIGINT', () => done());
        process.once('SIGTERM', () => done());
      });
      log.info({ component: 'start' }, 'systack stopping');
      await nc.drain().catch(() => undefined);
      await server?.stop();
      process.stderr.write('systack stopped.\n');
    });
}
