// Debian's chromium driven by npm playwright-core, for the web app's tests
// (tests/integration/web-app.test.mjs) and figures.  Flags: the machine's
// closed network refuses Chromium's background connections, so they are off;
// a fresh profile each launch.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

export const CHROMIUM = process.env.TANDEM_CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'tandem-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  return {
    ctx,
    close: async () => {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// axe-core on the page: the violations of impact serious or critical.
export async function seriousViolations(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
