/** A menu on a pseudo-terminal (util-linux `script`): the screen without ANSI codes, keys in. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');
export const DOWN = '\x1b[B';
export const UP = '\x1b[A';
export const ENTER = '\r';

export class Terminal {
  text = '';
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => (this.text += d.toString().replace(ANSI, '')));
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
  }
  /** Wait until the screen shows `what` after position `from`; returns where it was found. */
  async see(what: string, from = 0, ms = 60_000): Promise<number> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.text.indexOf(what, from);
      if (i >= 0) return i + what.length;
      if (Date.now() > end) throw new Error(`'${what}' not shown; screen:\n${this.text.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  keys(...k: string[]): void {
    this.child.stdin.write(k.join(''));
  }
  /** Once the menu shows again after `from`, choose its last entry (Exit); resolves with the exit code. */
  async exitMenu(from: number): Promise<number | null> {
    await this.see('0: Back', from);
    this.keys(UP, ENTER);
    return this.exited;
  }
}

/**
 * `scripts/<name>` (an interactive menu) on a pseudo-terminal of `columns` × `lines`, run in
 * `privateDir` with it as SYSTACK_PRIVATE_DIR.
 */
export function openMenu(name: string, privateDir: string, columns = 200, lines = 50): Terminal {
  return new Terminal(
    spawn('script', ['-qfec', join(process.cwd(), 'scripts', name), '/dev/null'], {
      cwd: privateDir,
      env: {
        ...process.env,
        SYSTACK_PRIVATE_DIR: privateDir,
        TERM: 'xterm',
        COLUMNS: String(columns),
        LINES: String(lines),
      },
    }),
  );
}
