/**
 * Vitest global setup: tests that run the `systack` command (bin/systack.js) run the compiled
 * CLI, so compile to dist/ first when any source is newer (`npx vitest run <file>` works
 * without `npm test`'s pretest build).
 */
import { build } from '../../scripts/build.mjs';

export default function setup(): void {
  const code = build();
  if (code !== 0) throw new Error(`compiling to dist/ failed (tsc exit ${code})`);
}
