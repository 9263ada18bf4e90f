// Playwright drives the real designer in Chromium against the real engine server (see global-setup.ts).
// Run with `npm run test:e2e` after `npm run build`.
import { existsSync } from 'node:fs';
import { chromium, defineConfig } from '@playwright/test';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Prefer the system Chromium (no download needed); else Playwright's own; else say how to get one. */
function chromiumExecutable(): string | undefined {
  if (process.env.SLUICE_CHROMIUM) return process.env.SLUICE_CHROMIUM;
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  let bundled: string | undefined;
  try {
    bundled = chromium.executablePath();
  } catch {
    bundled = undefined;
  }
  if (bundled && existsSync(bundled)) return undefined; // Playwright finds its own browser.
  throw new Error(
    'No Chromium found for the e2e tests: install Debian\'s chromium (apt-get install -y chromium) or run npx playwright install chromium',
  );
}

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  globalSetup: './global-setup.ts',
  outputDir: '../test-results',
  workers: 1,
  fullyParallel: false,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: 0,
  use: {
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
