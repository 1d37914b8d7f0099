// Debian's Chromium, driven by playwright-core, for the tests and the README's screenshots: headless, no sandbox (root),
// no background networking (this machine's network is closed), and every request it makes recorded.

import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Where Debian's chromium package puts the browser (CHROMIUM_PATH overrides). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumInstalled = (): boolean => existsSync(CHROMIUM);

export interface RecordingBrowser {
  browser: Browser;
  /** A fresh context whose every request's URL is pushed onto `requests`; anything not for `allowedHost` is aborted. */
  context(options: {
    allowedHost: string;
    viewport?: { width: number; height: number };
  }): Promise<{ context: BrowserContext; requests: string[] }>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<RecordingBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-gpu',
    ],
  });
  return {
    browser,
    async context({ allowedHost, viewport }) {
      const context = await browser.newContext({ viewport: viewport ?? { width: 1280, height: 900 } });
      const requests: string[] = [];
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        requests.push(url);
        const local = url.startsWith('data:') || url.startsWith('blob:') || new URL(url).host === allowedHost;
        await (local ? route.continue() : route.abort('blockedbyclient'));
      });
      return { context, requests };
    },
    close: () => browser.close(),
  };
}
