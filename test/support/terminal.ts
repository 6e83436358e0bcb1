/** A menu on a pseudo-terminal (util-linux `script`): the screen without ANSI codes, keys in. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

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
}
