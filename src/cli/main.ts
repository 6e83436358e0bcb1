import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { commandTable, loadAllCommands, type Register } from './commands/index.ts';
import { CliError, UsageError } from './errors.ts';

/** The program with the given command modules registered; no modules: top-level help only. */
export function buildProgram(registers: Register[] = []): Command {
  const program = new Command();
  program
    .name('systack')
    .description("Production runtime for systematic futures trading (pysystemtrade's production layer)")
    .option(
      '--data-dir <dir>',
      "data directory (JetStream store, ports file), before or after the command; default: config 'data_dir' (.systack) in the working directory",
    )
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of registers) register(program);
  return program;
}

/** The command modules `argv` needs: only the named command's (lazy start-up); none for top-level help. */
async function registersFor(argv: string[]): Promise<Register[]> {
  const first = argv[0] === 'help' ? argv[1] : argv[0];
  const entry = commandTable.find((e) => e.name === first);
  return entry ? entry.load() : [];
}

/** Top-level help without loading any command module: each command's summary from the table. */
function addSummaries(program: Command): void {
  const known = new Set(program.commands.map((c) => c.name()));
  for (const e of commandTable) if (!known.has(e.name)) program.command(e.name).description(e.summary);
}

/**
 * Every command's usage errors name the choices: a missing argument that has choices is
 * reported with them (commander lists them itself for a wrong value, and in help).
 */
export function listChoicesInErrors(cmd: Command): void {
  cmd.configureOutput({
    outputError: (text, write) => {
      const missing = /missing required argument '([^']+)'/.exec(text);
      const arg = missing && cmd.registeredArguments.find((a) => a.name() === missing[1]);
      write(arg?.argChoices ? `${text.trimEnd()} (one of: ${arg.argChoices.join(', ')})\n` : text);
    },
  });
  for (const sub of cmd.commands) listChoicesInErrors(sub);
}

/** The whole program, every command module loaded. */
export async function buildFullProgram(): Promise<Command> {
  return buildProgram(await loadAllCommands());
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

/**
 * Take `--data-dir <dir>` from anywhere in `argv` into SYSTACK_DATA_DIR (absolute), so the
 * configuration and every child process see it.
 */
function takeDataDir(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    let dir: string | undefined;
    if (a === '--data-dir') {
      dir = argv[++i];
      if (dir === undefined || dir === '') throw new UsageError("option '--data-dir <dir>' argument missing");
    } else if (a.startsWith('--data-dir=')) dir = a.slice('--data-dir='.length);
    else {
      rest.push(a);
      continue;
    }
    process.env.SYSTACK_DATA_DIR = resolve(dir);
  }
  return rest;
}

export async function runCli(args: string[]): Promise<number> {
  try {
    const argv = takeDataDir(args);
    const program = buildProgram(await registersFor(argv));
    addSummaries(program);
    listChoicesInErrors(program);
    for (const cmd of program.commands) cmd.exitOverride();
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    const { code, message } = exitCodeOf(err);
    if (message) process.stderr.write(`systack: ${message.split('\n')[0]}\n`);
    return code;
  }
}
