import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's chromium, which the browser tests drive (playwright-core downloads none). */
export const CHROMIUM = '/usr/bin/chromium';

export interface TestBrowser {
  context: BrowserContext;
  /** Close the browser and delete its profile. */
  close(): Promise<void>;
}

/**
 * Headless chromium on a throw-away profile, nothing in the background (no updates, sync or
 * QUIC); `test-results/` exists for the tests' screenshots.
 */
export async function launchChromium(viewport: { width: number; height: number }): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'systack-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync('test-results', { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
