import { Command, CommanderError } from 'commander';
import { commandGroups } from './commands/index.ts';
import { CliError, UsageError } from './output.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('systack')
    .description("Production runtime for systematic futures trading (pysystemtrade's production layer)")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of commandGroups) register(program);
  return program;
}

function exitCodeOf(err: unknown): { code: number; message: string | undefined } {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
      return { code: 0, message: undefined };
    }
    if (err.code === 'commander.help') return { code: 0, message: undefined };
    // commander already printed its own message for usage errors
    return { code: 2, message: undefined };
  }
  if (err instanceof UsageError) return { code: 2, message: err.message };
  if (err instanceof CliError) return { code: 1, message: err.message };
  if (err instanceof Error) return { code: 1, message: err.message };
  return { code: 1, message: String(err) };
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    const { code, message } = exitCodeOf(err);
    if (message) process.stderr.write(`systack: ${message.split('\n')[0]}\n`);
    return code;
  }
}

const isMain = process.argv[1] !== undefined && /(?:main\.ts|systack(?:\.js)?)$/.test(process.argv[1]);
if (isMain) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`systack: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
