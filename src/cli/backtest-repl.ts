/**
 * `systack strategy backtest --output interactive`: the reference's "interactive python" output
 * (interactive_diagnostics drops into a Python prompt with the backtest loaded), here a Node.js
 * prompt over what the last run stored: the chosen series by name, their dates, and the whole
 * run (every instrument's series) to evaluate expressions on. Works on a terminal (history,
 * completion) and on a pipe (one expression a line, its value printed). Read only: nothing it
 * evaluates is written back.
 */
import { start } from 'node:repl';
import type { BacktestSelection } from '../domain/system/backtest-output.ts';

/** What the prompt's context holds (also printed on entry, so a user knows the names). */
export interface BacktestSession {
  selection: BacktestSelection;
  /** Every series of the run: instrument → series name → values (null where none). */
  instruments: Record<string, Record<string, (number | null)[]>>;
  dates: string[];
  capital: number;
}

/** Open the prompt; resolves when it ends (`.exit`, Ctrl-D or the end of piped input). */
export function openBacktestPrompt(s: BacktestSession): Promise<void> {
  const series = Object.fromEntries(s.selection.columns.map((c) => [c.name, c.values]));
  const names = Object.keys(series);
  const last = (name: string) => {
    const v = series[name];
    if (!v) throw new RangeError(`no series '${name}' (one of: ${names.join(', ')})`);
    return v.at(-1) ?? null;
  };
  process.stdout.write(
    [
      s.selection.title,
      `  series   ${names.map((n) => `series.${n}`).join(', ')} (${s.dates.length} values each)`,
      "  dates    the run's dates (YYYY-MM-DD), one per value",
      `  run      every series of the run: run.${Object.keys(s.instruments).sort().join(', run.')}`,
      `  capital  ${s.capital}`,
      "  last(name) the series' last value; .exit or Ctrl-D leaves",
      '',
    ].join('\n'),
  );
  const repl = start({
    prompt: 'backtest> ',
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY === true && process.stdout.isTTY === true,
    useGlobal: false,
    ignoreUndefined: true,
  });
  Object.assign(repl.context, { series, dates: s.dates, run: s.instruments, capital: s.capital, last });
  return new Promise((resolve) => repl.once('exit', () => resolve()));
}
