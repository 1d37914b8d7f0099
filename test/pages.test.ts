// The pages in a real browser (Debian's Chromium, driven by playwright-core), offline: the home page computes C(n, r)
// through the form, with the keyboard alone and on a phone-width screen, shows the exact digits and draws the
// factorization; GraphiQL, served by the gateway, runs an operation. No request leaves the gateway's own host.

import { binomial, binomialModPrime, binomialPrimePowers, decimalMod } from '../harness/reference';
import { chromiumInstalled, CHROMIUM, launchChromium, type RecordingBrowser } from '../harness/browser';
import { graphql, startStack, type Stack } from '../harness/stack';

// CI installs Chromium (.ci/run); a machine without it skips these, and says so.
const available = chromiumInstalled();
if (!available) process.stderr.write(`pages.test.ts: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)\n`);
const describeWithBrowser = available || process.env.CI ? describe : describe.skip;

describeWithBrowser('the pages, in headless Chromium, offline', () => {
  let stack: Stack;
  let browser: RecordingBrowser;
  let host: string;
  beforeAll(async () => {
    stack = await startStack({ gateway: { production: false } });
    host = new URL(stack.gatewayUrl).host;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Every request a page made went to the gateway: none left the machine, none was blocked. */
  const expectAllLocal = (requests: string[], atLeast: number): void => {
    expect(requests.length).toBeGreaterThanOrEqual(atLeast);
    expect(requests.filter((url) => new URL(url).host !== host)).toEqual([]);
  };
  const waitForAnswer = (page: import('playwright-core').Page) =>
    page.waitForFunction(
      () => document.getElementById('status')?.className === 'done' || document.getElementById('status')?.className === 'error',
      undefined,
      {
        timeout: 60_000,
      },
    );

  it('computes C(100, 50) with the keyboard alone: the exact digits, and a bar a prime with its exponent', async () => {
    const { context, requests } = await browser.context({ allowedHost: host });
    const page = await context.newPage();
    await page.goto(`${stack.gatewayUrl}/`);
    await page.keyboard.press('Tab'); // the first field, n
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('n');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('100');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('50');
    await page.keyboard.press('Enter');
    await waitForAnswer(page);

    const exact = binomial(100, 50).toString();
    expect(await page.textContent('#status')).toMatch(/^C\(100, 50\) has 30 digits/);
    expect(await page.textContent('#value')).toBe(exact);
    expect(await page.textContent('#value-all')).toBe(exact);
    expect(await page.textContent('#digit-count')).toBe('30 digits');
    const bars = await page.$$eval('#chart rect.bar', (rects) =>
      rects.map((rect) => [Number(rect.dataset.prime), Number(rect.dataset.exponent)]),
    );
    expect(bars).toEqual(binomialPrimePowers(100, 50));
    // Each bar's height is its exponent's share of the tallest.
    const heights = await page.$$eval('#chart rect.bar', (rects) => rects.map((rect) => Number(rect.getAttribute('height'))));
    const tallest = Math.max(...heights);
    const largest = Math.max(...bars.map(([, e]) => e!));
    bars.forEach(([, exponent], i) => expect(heights[i]! / tallest).toBeCloseTo(exponent! / largest, 2));
    expectAllLocal(requests, 4); // the page, its script, its style, the GraphQL request
    await context.close();
  });

  it('computes C(1000000, 500000) on a phone-width screen: 301,027 exact digits folded, and all 53,481 prime exponents drawn', async () => {
    const { context, requests } = await browser.context({ allowedHost: host, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${stack.gatewayUrl}/`);
    await page.fill('#n', '1000000');
    await page.fill('#r', '500000');
    await page.click('button[type="submit"]');
    await waitForAnswer(page);
    expect(await page.textContent('#status')).toMatch(/^C\(1000000, 500000\) has 301,027 digits/);

    const digits = (await page.textContent('#value-all'))!;
    expect(digits).toMatch(/^[1-9][0-9]{301026}$/);
    for (const p of [1_000_003, 1_000_033]) expect(BigInt(decimalMod(digits, p))).toBe(binomialModPrime(1_000_000, 500_000, BigInt(p)));
    // Folded: the first and last 50 digits on screen, the whole behind a disclosure.
    expect(await page.textContent('#value')).toBe(`${digits.slice(0, 50)}…${digits.slice(-50)}`);
    expect(await page.isVisible('#value-all')).toBe(false);
    await page.click('#all-digits summary');
    expect(await page.isVisible('#value-all')).toBe(true);

    const powers = binomialPrimePowers(1_000_000, 500_000);
    const chart = await page.$eval('#chart', (svg) => ({
      primes: Number((svg as SVGElement).dataset.primes),
      maxExponent: Number((svg as SVGElement).dataset.maxExponent),
      strokes: (svg.querySelector('path.bars')?.getAttribute('d')?.match(/M/g) ?? []).length,
    }));
    expect(chart).toEqual({ primes: powers.length, maxExponent: Math.max(...powers.map(([, e]) => e)), strokes: powers.length });
    expect(powers.length).toBe(53_481);
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expectAllLocal(requests, 4);
    await context.close();
  }, 120_000);

  it('copies the whole value with one button', async () => {
    const { context, requests } = await browser.context({ allowedHost: host });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.gatewayUrl });
    const page = await context.newPage();
    await page.goto(`${stack.gatewayUrl}/`);
    await page.fill('#n', '1030');
    await page.fill('#r', '515');
    await page.click('button[type="submit"]');
    await waitForAnswer(page);
    await page.click('#copy');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Copied'));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(binomial(1030, 515).toString());
    expectAllLocal(requests, 4);
    await context.close();
  });

  it('says what is wrong: r above n before asking, and the API refusal with its code', async () => {
    const { context, requests } = await browser.context({ allowedHost: host });
    const page = await context.newPage();
    await page.goto(`${stack.gatewayUrl}/`);
    await page.fill('#n', '3');
    await page.fill('#r', '10');
    await page.click('button[type="submit"]');
    expect(await page.textContent('#status')).toBe('r must be at most n (got n = 3, r = 10)');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('r');
    await page.fill('#n', '2000000');
    await page.fill('#r', '1');
    await page.click('button[type="submit"]');
    await waitForAnswer(page);
    expect(await page.textContent('#status')).toMatch(/^Could not compute C\(2000000, 1\): .*1000000.* \(BAD_USER_INPUT\)$/);
    expectAllLocal(requests, 4);
    await context.close();
  });

  it('opens GraphiQL from the gateway with the example operations as tabs, runs one with an edited header, and shows its answer', async () => {
    const { context, requests } = await browser.context({ allowedHost: host });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${stack.gatewayUrl}/graphiql`);
    await page.waitForSelector('.graphiql-execute-button');
    const tabs = await page.$$eval('.graphiql-tab-button', (elements) => elements.map((element) => element.textContent?.trim()));
    expect(tabs).toEqual(['Binomial', 'FactorialSizes', 'Values']);

    await page.click('button:has-text("Headers")');
    await page.click('.graphiql-editor-tool .CodeMirror >> visible=true');
    await page.keyboard.type('{"x-request-id": "graphiql-offline-1"}');
    const sent = page.waitForRequest((request) => request.url().endsWith('/graphql') && request.method() === 'POST');
    await page.click('.graphiql-execute-button');
    expect((await sent).headers()['x-request-id']).toBe('graphiql-offline-1');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('primeFactorization'));
    const shown = JSON.parse(
      (await page
        .locator('.result-window .CodeMirror')
        .evaluate((element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue())) as string,
    );
    const direct = await graphql(
      `${stack.gatewayUrl}/graphql`,
      'query($n: Int!, $r: Int!) { binomial(n: $n, r: $r) { value digitCount primeFactorization { prime exponent } } }',
      { n: 30, r: 15 },
    );
    expect(shown).toEqual({ data: direct.data });
    expect(shown.data.binomial.value).toBe(binomial(30, 15).toString());

    // The schema's documentation, from introspection.
    await page.click('button[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer >> text=Query');
    expect(errors).toEqual([]);
    expectAllLocal(requests, 7); // the page, four scripts, a style sheet, introspection and the operation
    await context.close();
  }, 60_000);
});
