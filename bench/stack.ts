// The stack under load, beside its floors, in one run: requests/s, p50/p99, errors, calls per operation, peak RSS.
// Writes bench/results/latest.md, latest.json and latest.svg. Loopback only; every run bounded in time.

import { describeArithmetic, nativeBignum } from '../lib/math';
import { startProcesses, type Processes } from '../harness/processes';
import { CONNECTIONS, median, runLoad, type LoadResult } from './load';
import { scrape } from '../harness/metrics';
import { fetchRaw, inProcess, loadWithCpu, peakRssMiB, postGraphQL, type Target } from './stack-probes';
import { startFloors, startGatewaysBeside } from './stack-targets';
import { measuredCommit, quietness } from './quiet';
import { writeResults, type BigRun, type Results, type Row } from './stack-results';

const CEILING = 'ceiling: Grafbase gateway (Rust), ncr cold';
const BARE_APOLLO = 'floor: Apollo Gateway with nothing added, ncr cold';
/** Seconds of load each target gets before the measured rounds (see the warm-up below). */
const WARM_UP_SECONDS = 10;
/** Seconds of load, not measured, before each measured window of a round (see the rounds below). */
const LEAD_IN_SECONDS = 1;

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const seconds = quick ? 3 : 10;
  const started = Date.now();
  // The bare floor before and after everything else, on a machine with nothing of ours running: is it quiet?
  const machine = quietness(quick ? 2 : 5);
  await machine.start();
  const { bare, stockSubgraph, stockGateway } = await startFloors();
  const stack: Processes = await startProcesses({ LOG_LEVEL: 'warn' });
  const { hive, hiveRouter, bareApollo, rustGateway } = await startGatewaysBeside(stack);
  const graphqlUrl = `${stack.gatewayUrl}/graphql`;
  const pid = (child: { pid?: number }) => child.pid!;
  const backends = () => (['factorial', 'math', 'primes'] as const).map((name) => pid(stack.get(name).child));
  const ours: Target = { url: graphqlUrl, pids: () => [pid(stack.get('gateway').child), ...backends()] };
  const rest: Target = { ...ours, url: stack.gatewayUrl };
  const hiveTarget: Target = { url: hive.url, pids: () => [pid(hive.child), ...backends()] };
  const routerTarget: Target = { url: hiveRouter.url, pids: () => [pid(hiveRouter.child), ...backends()] };
  const bareApolloTarget: Target = { url: bareApollo.url, pids: () => [pid(bareApollo.child), ...backends()] };
  const rustTarget: Target | undefined = rustGateway && { url: rustGateway.url, pids: () => [pid(rustGateway.child), ...backends()] };
  const bareTarget: Target = { url: bare.url, pids: () => [pid(bare.child)] };
  const stockTarget: Target = { url: stockGateway.url, pids: () => [pid(stockGateway.child), pid(stockSubgraph.child)] };
  let results: Omit<Results, 'machine'>;
  try {
    // Warm-up: JIT, connection pools, caches of query plans. 10 s of its workload for every target, peers and floors
    // alike: a Node.js gateway just started spends several times its steady CPU per request in its first seconds
    // (measured, 1 s windows of the cold load: this gateway 2.4 ms in the first, 0.54 ms from the ninth on; Hive
    // Gateway + Rust planner 2.6 then about 0.7; Apollo Gateway with nothing added 1.6 then 0.33 from the fifth), and
    // this stack, which serves six workloads, would otherwise be better warmed than a peer serving one or two.
    for (const [target, workload] of [
      [bareTarget, 'get'],
      [stockTarget, 'graphql-fixed'],
      [ours, 'graphql-ncr'],
      [ours, 'graphql-aliases'],
      [ours, 'graphql-federated'],
      [rest, 'rest-cold'],
      [hiveTarget, 'graphql-ncr'],
      [routerTarget, 'graphql-ncr'],
      [bareApolloTarget, 'graphql-ncr'],
      ...(rustTarget ? ([[rustTarget, 'graphql-ncr']] as const) : []),
    ] as const) {
      await runLoad(target.url, workload, quick ? 1 : WARM_UP_SECONDS);
    }

    // The throughput workloads run in interleaved rounds (rotating which goes first), not one long run
    // each: this machine's load drifts, and a floor measured a minute before the stack is not comparable.
    // Each ratio below is the median of the per-round ratios; each row's figures are medians over rounds.
    const workloads = [
      ['floor: bare node:http, fixed JSON', bareTarget, 'get'],
      ['floor: stock Apollo gateway + subgraph, trivial field', stockTarget, 'graphql-fixed'],
      ['GraphQL ncr, the same operation repeated (hot)', ours, 'graphql-hot'],
      ['GraphQL ncr, random n <= 1000 (cold)', ours, 'graphql-ncr'],
      ['GraphQL, 10 aliased ncr fields (cold)', ours, 'graphql-aliases'],
      ['GraphQL binomial value + digitCount, math and primes (cold)', ours, 'graphql-federated'],
      ['REST hot (the same pair)', rest, 'rest-hot'],
      ['REST cold (random pairs)', rest, 'rest-cold'],
      ['peer: Hive Gateway, ncr hot', hiveTarget, 'graphql-hot'],
      ['peer: Hive Gateway, ncr cold', hiveTarget, 'graphql-ncr'],
      ['peer: Hive Gateway + Rust query planner, ncr hot', routerTarget, 'graphql-hot'],
      ['peer: Hive Gateway + Rust query planner, ncr cold', routerTarget, 'graphql-ncr'],
      [BARE_APOLLO, bareApolloTarget, 'graphql-ncr'],
      ...(rustTarget ? ([[CEILING, rustTarget, 'graphql-ncr']] as const) : []),
    ] as const;
    const rounds = quick ? 1 : 5;
    const roundSeconds = Math.max(1, Math.round(seconds / rounds));
    const perRound = workloads.map(() => [] as (LoadResult & { cpuMicros: number; frontCpuMicros: number })[]);
    // Each subgraph's BatchGetFactorials calls and operations, from its own metrics.
    const subgraphs = { math: stack.mathMetricsUrl, primes: stack.primesMetricsUrl } as const;
    const counts = async () => {
      const read = async (name: keyof typeof subgraphs) => ({
        calls: await scrape(subgraphs[name], 'grpc_client_handled_total', 'grpc_method="BatchGetFactorials"'),
        operations: await scrape(subgraphs[name], `${name}_operations_total`),
      });
      return { math: await read('math'), primes: await read('primes') };
    };
    type Counts = Awaited<ReturnType<typeof counts>>;
    const zero = (): Counts => ({ math: { calls: 0, operations: 0 }, primes: { calls: 0, operations: 0 } });
    const deltas = workloads.map(zero);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < workloads.length; k++) {
        const w = (k + round) % workloads.length;
        const [, target, workload] = workloads[w]!;
        // A second of the same load first, not measured: a process idle since its last turn (the floors and peers
        // serve one or two of the workloads, this stack six) spends up to twice its CPU per request in the seconds
        // after (measured: Apollo Gateway with nothing added 0.72-1.62 ms per request in 2 s windows after 25 s idle,
        // 0.42-0.55 under load all along; 0.48-0.62 with 2 s of load before each window).
        if (!quick) await runLoad(target.url, workload, LEAD_IN_SECONDS);
        const before = await counts();
        perRound[w]!.push(await loadWithCpu(target, workload, roundSeconds));
        const after = await counts();
        for (const name of ['math', 'primes'] as const) {
          deltas[w]![name].calls += after[name].calls - before[name].calls;
          deltas[w]![name].operations += after[name].operations - before[name].operations;
        }
      }
      process.stdout.write(`  round ${round + 1} of ${rounds} done\n`);
    }
    const rows: Row[] = workloads.map(([name], w) => {
      const results = perRound[w]!;
      const perOperation = ({ calls: c, operations: o }: Counts['math']) => (o > 0 ? (c / o).toFixed(3) : '-');
      return {
        name,
        rps: median(results.map((r) => r.rps)),
        p50: median(results.map((r) => r.p50)),
        p99: median(results.map((r) => r.p99)),
        cpuMicros: median(results.map((r) => r.cpuMicros)),
        frontCpuMicros: median(results.map((r) => r.frontCpuMicros)),
        requests: results.reduce((sum, r) => sum + r.requests, 0),
        errors: results.reduce((sum, r) => sum + r.errors, 0),
        callsPerOperation: { math: perOperation(deltas[w]!.math), primes: perOperation(deltas[w]!.primes) },
      };
    });
    for (const row of rows) process.stdout.write(`  ${row.name}: ${row.rps.toFixed(0)} req/s, p99 ${row.p99} ms\n`);
    const at = (name: (typeof workloads)[number][0]): number => workloads.findIndex(([n]) => n === name);
    const ncrRow = rows[at('GraphQL ncr, random n <= 1000 (cold)')]!;
    /** The median over rounds of workload a's requests/s over workload b's, in the same round. */
    const pairedRatio = (a: (typeof workloads)[number][0], b: (typeof workloads)[number][0]): number =>
      median(perRound[at(a)]!.map((r, i) => r.rps / perRound[at(b)]![i]!.rps));

    // Big requests: latency alone, the same work in-process, and small queries' p99 while they run. Each big
    // operation has an alias of its own, so that the gateway's cache of answers never serves it: what is timed is
    // the computation and its way through the stack. (The factorials' prime exponents are kept, by the factorial
    // service and by the math subgraph, as in any deployment: the product and the decimal conversion are not.)
    const bigNcr = (i: number | string) => `{ r${i}: ncr(n: 1000000, r: 500000) }`;
    const bigFactorial = (i: number | string) => `{ f${i}: factorial(n: 100000) }`;
    // End to end and in-process alternate, so that the machine's drift hits both alike, in 5 runs, each compared with
    // its own in-process time. In-process uses the arithmetic the subgraph's workers use: the GMP addon when it is
    // built, else BigInt.
    const native = nativeBignum();
    const runs = quick ? 1 : 5;
    const bigRuns: BigRun[] = [];
    // Three of each first, not timed, on both sides: the first big requests of a process compile their code paths
    // and start its workers, and the in-process computation took 2.2 then 1.7 times as long as from its third on.
    for (let i = 0; i < 3; i++) {
      await postGraphQL(graphqlUrl, bigNcr(`warm${i}`));
      await postGraphQL(graphqlUrl, bigFactorial(`warm${i}`));
      inProcess.ncr(native);
      inProcess.ncrGmp(native);
      inProcess.factorial(native);
    }
    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < runs; i++) {
      // A pause before each timing: the previous one's garbage is collected, in this process and in the stack.
      await settle();
      const ncr = await postGraphQL(graphqlUrl, bigNcr(i));
      await settle();
      const ncrInProcess = inProcess.ncr(native);
      await settle();
      const ncrGmp = inProcess.ncrGmp(native);
      await settle();
      const fact = await postGraphQL(graphqlUrl, bigFactorial(i));
      await settle();
      bigRuns.push({ ncr, ncrInProcess, ncrGmp, factorial: fact, factorialInProcess: inProcess.factorial(native) });
    }
    const ncrRatios = bigRuns.map((run) => run.ncr / run.ncrInProcess);
    let loading = true;
    const background = (async () => {
      let count = 0;
      while (loading) {
        const i = runs + count++;
        await postGraphQL(graphqlUrl, i % 2 ? bigFactorial(i) : bigNcr(i));
      }
      return count;
    })();
    const underBig = await loadWithCpu(ours, 'graphql-ncr', seconds);
    loading = false;
    const bigCount = await background;
    rows.push({
      name: `GraphQL ncr while ${bigCount} big requests run back to back`,
      ...underBig,
      callsPerOperation: { math: '-', primes: '-' },
    });

    // The biggest answer, REST and GraphQL, with and without compression: bytes on the wire, time to the last byte.
    // Each way in turn, 5 rounds (both answers come from the cache of answers: their compression is all the work left).
    const compression: Results['compression'] = [];
    const ways = [
      ['REST', `${stack.gatewayUrl}/api/ncr/1000000/500000`, undefined],
      ['GraphQL', graphqlUrl, JSON.stringify({ query: bigNcr(0) })],
    ] as const;
    for (const [api, url, body] of ways) {
      for (const encoding of ['identity', 'gzip', 'br']) {
        const measured: { bytes: number; ms: number; encoding: string }[] = [];
        for (let i = 0; i < (quick ? 1 : 5); i++) measured.push(await fetchRaw(url, encoding, body));
        compression.push({ api, encoding: measured[0]!.encoding, bytes: measured[0]!.bytes, ms: median(measured.map((m) => m.ms)) });
      }
    }

    const rss = {
      factorial: peakRssMiB(stack.get('factorial').child.pid),
      math: peakRssMiB(stack.get('math').child.pid),
      primes: peakRssMiB(stack.get('primes').child.pid),
      gateway: peakRssMiB(stack.get('gateway').child.pid),
      'Hive Gateway': peakRssMiB(hive.child.pid),
      'Hive Gateway + Rust query planner': peakRssMiB(hiveRouter.child.pid),
      'Apollo Gateway with nothing added': peakRssMiB(bareApollo.child.pid),
      ...(rustGateway && { 'Grafbase gateway (Rust)': peakRssMiB(rustGateway.child.pid) }),
      'stock Apollo gateway': peakRssMiB(stockGateway.child.pid),
      'stock Apollo subgraph': peakRssMiB(stockSubgraph.child.pid),
      'bare node:http': peakRssMiB(bare.child.pid),
    };
    const cold = 'GraphQL ncr, random n <= 1000 (cold)';
    const stockFloor = 'floor: stock Apollo gateway + subgraph, trivial field';
    const goals: [string, number, string][] = [
      [
        'GraphQL ncr hot / stock Apollo floor (requests/s)',
        pairedRatio('GraphQL ncr, the same operation repeated (hot)', stockFloor),
        '>= 10',
      ],
      ['GraphQL ncr cold / stock Apollo floor (requests/s)', pairedRatio(cold, stockFloor), '>= 1.25'],
      ['GraphQL ncr cold / Hive Gateway, ncr cold (requests/s)', pairedRatio(cold, 'peer: Hive Gateway, ncr cold'), '>= 1.25'],
      [
        'GraphQL ncr cold / Hive Gateway + Rust query planner, ncr cold (requests/s)',
        pairedRatio(cold, 'peer: Hive Gateway + Rust query planner, ncr cold'),
        '>= 1.25',
      ],
      ['GraphQL ncr cold / Grafbase gateway (Rust), the ceiling (requests/s)', rustTarget ? pairedRatio(cold, CEILING) : NaN, '>= 0.9'],
      ['CPU ms per GraphQL ncr cold request, every process', ncrRow.cpuMicros / 1000, '<= 1.2'],
      ['REST cold / GraphQL ncr cold (requests/s)', pairedRatio('REST cold (random pairs)', cold), '>= 1.0'],
      ['REST hot / GraphQL ncr cold (requests/s)', pairedRatio('REST hot (the same pair)', cold), '>= 3.0'],
      ['ncr(10^6, 5*10^5) end to end / in-process, the median of the runs', median(ncrRatios), '<= 1.3'],
      [
        'ncr(10^6, 5*10^5) end to end / GMP mpz_bin_uiui + decimal, the median of the runs',
        median(bigRuns.filter((b) => b.ncrGmp).map((b) => b.ncr / b.ncrGmp!)),
        '<= 4',
      ],
      ['small-query p99 while big requests run / unloaded p99', underBig.p99 / ncrRow.p99, '<= 2.0'],
      [
        'GraphQL ncr hot / REST hot (requests/s, for scale)',
        pairedRatio('GraphQL ncr, the same operation repeated (hot)', 'REST hot (the same pair)'),
        '-',
      ],
      ['GraphQL ncr cold / Apollo Gateway with nothing added, ncr cold (requests/s, for scale)', pairedRatio(cold, BARE_APOLLO), '-'],
      [
        'Apollo Gateway with nothing added / Grafbase gateway (Rust), ncr cold (requests/s, for scale)',
        rustTarget ? pairedRatio(BARE_APOLLO, CEILING) : NaN,
        '-',
      ],
      ['GraphQL ncr cold / bare node:http (requests/s, for scale)', pairedRatio(cold, 'floor: bare node:http, fixed JSON'), '-'],
      [
        'GraphQL binomial across math and primes / GraphQL ncr cold (requests/s, for scale)',
        pairedRatio('GraphQL binomial value + digitCount, math and primes (cold)', cold),
        '-',
      ],
      [
        'GraphQL with 10 aliases / GraphQL ncr cold (requests/s, for scale)',
        pairedRatio('GraphQL, 10 aliased ncr fields (cold)', cold),
        '-',
      ],
    ];
    results = {
      date: new Date().toISOString(),
      commit: measuredCommit(),
      node: process.version,
      arithmetic: describeArithmetic(native),
      quick,
      secondsPerWorkload: rounds * roundSeconds,
      rounds,
      connections: CONNECTIONS,
      rows,
      big: bigRuns,
      compression,
      peakRssMiB: rss,
      goals: goals.map(([what, ratio, goal]) => ({ what, ratio, goal })),
      durationSeconds: 0,
    };
  } finally {
    await stack.stopAll();
    for (const floor of [bare, stockSubgraph, stockGateway, hive, hiveRouter, bareApollo, rustGateway]) floor?.child.kill('SIGKILL');
  }
  const after = await machine.finish();
  writeResults({ ...results, machine: after, durationSeconds: (Date.now() - started) / 1000 });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
