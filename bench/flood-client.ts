// A client of its own process for bench/fleet.ts: keeps `concurrency` requests in flight to the given gateways (in
// turn) until `seconds` pass, each a heavy legal operation sent with `key`, ignoring Retry-After (a hostile flood),
// each distinct from every other flood's (`offset`).
// Prints the count of answers by status as JSON. Loopback only; bounded in time.

const [urlsArg, key, concurrencyArg, secondsArg, offsetArg] = process.argv.slice(2);
const urls = urlsArg!.split(',');
const until = Date.now() + Number(secondsArg) * 1000;
const statuses: Record<string, number> = {};
/** Where this flood's operations start: each flood asks for operations no earlier one computed (none from a cache). */
let sent = Number(offsetArg ?? 0);

/** 9 results of about 301,000 digits each: about 2,710 units of work. */
const heavy = (i: number): string =>
  `{ ${Array.from({ length: 9 }, (_, k) => `a${k}: ncr(n: 1000000, r: ${500_000 + 10 * i + k})`).join(' ')} }`;

async function worker(): Promise<void> {
  while (Date.now() < until) {
    const i = sent++;
    try {
      const response = await fetch(`${urls[i % urls.length]}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key! },
        body: JSON.stringify({ query: heavy(i) }),
      });
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    } catch {
      statuses.failed = (statuses.failed ?? 0) + 1;
    }
  }
}

void Promise.all(Array.from({ length: Number(concurrencyArg) }, worker)).then(() => process.stdout.write(JSON.stringify(statuses)));
