// Takes the README's screenshots of the pages (docs/screenshots/*.png) in headless Chromium, on a stack of its own
// with nothing reachable beyond it: the home page with C(1000000, 500000), the same on a phone, and GraphiQL.

import { mkdirSync } from 'node:fs';
import { launchChromium } from '../harness/browser';
import { startStack } from '../harness/stack';
import { projectPath } from '../lib/config';

async function main(): Promise<void> {
  const folder = projectPath('docs/screenshots');
  mkdirSync(folder, { recursive: true });
  const stack = await startStack({ gateway: { production: false } });
  const browser = await launchChromium();
  try {
    const allowedHost = new URL(stack.gatewayUrl).host;
    const compute = async (viewport: { width: number; height: number }, file: string): Promise<void> => {
      const { context } = await browser.context({ allowedHost, viewport });
      const page = await context.newPage();
      await page.goto(`${stack.gatewayUrl}/`);
      await page.fill('#n', '1000000');
      await page.fill('#r', '500000');
      await page.click('button[type="submit"]');
      await page.waitForFunction(() => document.getElementById('status')?.className === 'done', undefined, { timeout: 60_000 });
      await page.screenshot({ path: `${folder}/${file}`, fullPage: true });
      await context.close();
    };
    await compute({ width: 1000, height: 900 }, 'home.png');
    await compute({ width: 390, height: 844 }, 'home-phone.png');
    const { context } = await browser.context({ allowedHost, viewport: { width: 1200, height: 760 } });
    const page = await context.newPage();
    await page.goto(`${stack.gatewayUrl}/graphiql`);
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('primeFactorization'));
    await page.screenshot({ path: `${folder}/graphiql.png` });
    await context.close();
    process.stdout.write(`screenshots: home.png, home-phone.png, graphiql.png in ${folder}\n`);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

void main();
