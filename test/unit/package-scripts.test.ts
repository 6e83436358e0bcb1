import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

describe('package scripts', () => {
  // npm runs a script under `sh -c` and forwards SIGINT / SIGTERM to that shell only: without
  // `exec`, systack never sees Ctrl-C or SIGTERM sent to npm (npm waited, then was killed, and
  // left systack running). With `exec`, systack is npm's own child and gets the signal at once.
  it('the long-running scripts exec systack so npm passes signals to it', () => {
    for (const name of ['start', 'supervise', 'systack'])
      expect(pkg.scripts[name], name).toMatch(/^exec node bin\/systack\.js\b/);
  });

  it('npm ci, npm start and npm test compile to dist/ first', () => {
    expect(pkg.scripts.prepare).toBe('node scripts/build.mjs');
    expect(pkg.scripts.prestart).toContain('node scripts/build.mjs');
    expect(pkg.scripts.pretest).toContain('node scripts/build.mjs');
  });
});
