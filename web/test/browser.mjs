// Debian's chromium driven by npm playwright-core, for the web app's tests
// (tests/integration/web-app.test.mjs) and figures.  Flags: the machine's
// closed network refuses Chromium's background connections, so they are off;
// playwright gives each launch a fresh profile (a temporary user data dir).
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

export const CHROMIUM = process.env.TANDEM_CHROMIUM || '/usr/bin/chromium';

// One browser; browser.newContext() gives each person a fresh, empty profile.
export async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  return {
    browser,
    page: async () => (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage(),
    close: async () => {
      await browser.close();
    },
  };
}

// axe-core on the page: the violations of impact serious or critical.
export async function seriousViolations(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
