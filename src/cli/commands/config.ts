import type { Command } from 'commander';
import { loadConfig, redactedConfig, redactSecrets } from '../../config/load.ts';
import { printResult } from '../output.ts';
import { checkRunnable } from './config-runnable.ts';

export function register(program: Command): void {
  const config = program.command('config').description('Show and check the configuration');
  config
    .command('show')
    .description('Print the merged configuration (defaults + private overrides), secrets redacted')
    .option('--control', 'show the process control configuration instead')
    .option('--json', 'print JSON')
    .action((opts: { control?: boolean; json?: boolean }) => {
      const c = loadConfig();
      const data = opts.control ? redactSecrets(c.control, c.secrets) : redactedConfig(c.system);
      printResult(data, { json: opts.json });
    });
  config
    .command('check')
    .description(
      'Validate the configuration files, and that the configured broker and storage backend can run and be reached; prints which files were read',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const c = loadConfig();
      await checkRunnable(c);
      printResult({ valid: true, ...c.files }, { json: opts.json });
    });
}
