import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Find the URL of a running embedded nats-server from the ports files it writes into the data
 * directory (`nats-server_<pid>.ports`), keeping only those whose process is alive.
 */
export function discoverEmbeddedNats(dataDir: string): string | undefined {
  if (!existsSync(dataDir)) return undefined;
  const files = readdirSync(dataDir).filter((f) => /^nats-server_\d+\.ports$/.test(f));
  for (const f of files) {
    const pid = Number(/_(\d+)\.ports$/.exec(f)?.[1]);
    try {
      process.kill(pid, 0);
    } catch {
      continue;
    }
    try {
      const parsed = JSON.parse(readFileSync(join(dataDir, f), 'utf8')) as { nats?: string[] };
      if (parsed.nats?.[0]) return parsed.nats[0];
    } catch {
      // partially written: try the next
    }
  }
  return undefined;
}
