// Benchmark: ncr(10^6, 5*10^5) through the math subgraph against the tutorial's way (three factorial values, then
// divide), in one run. Writes bench/results/ncr.md (not with --quick).
//
// The tutorial's gateway divides with its language's big integers; here that is V8's BigInt. The subgraph uses the
// GMP addon when it was built, so the speed-up it reports mixes two things: prime exponents instead of values, and
// GMP instead of BigInt. The benchmark also holds the arithmetic equal to separate them: the subgraph with BigInt
// only (MATH_NATIVE=off) against the tutorial's way with BigInt, and the subgraph with GMP against the tutorial's
// way dividing and converting with GMP. Each way asks a factorial service of its own, with its cache off; the
// service computes values with its own BigInt engine. The last row gives the tutorial's way every advantage: its
// three factorials from GMP too, in the benchmark's own process, with no service and no gRPC: the strongest form of
// it measured here.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Representation } from '../generated/proto/factorial/v1/factorial';
import { bytesToBigint } from '../lib/math';
import { describeArithmetic, nativeBignum } from '../lib/math';
import { createFactorialClient } from '../services/factorial/client';
import { unary } from '../harness/grpc';
import { startProcesses, type Processes } from '../harness/processes';
import { graphql } from '../harness/stack';
import { median } from './load';
import { machineMarkdown, quietness, resultsDirectory, writeReport } from './quiet';

const N = 1_000_000;
const R = 500_000;
const GOAL = 10;

interface Way {
  label: string;
  run: () => Promise<string>;
  /** Median wall time, once measured. */
  ms?: number;
}

/**
 * Times each way: the median over `runs` rounds, after one warm-up round. The ways take turns within a round, so
 * that a busy spell on this shared machine falls on all of them. Every answer goes to `answers`.
 */
async function timeInTurns(runs: number, answers: string[], ways: Way[]): Promise<void> {
  const samples = new Map<Way, number[]>(ways.map((way) => [way, []]));
  for (let round = 0; round <= runs; round++) {
    for (const way of ways) {
      // A pause, so that one way's garbage collection (its answers are megabytes) does not land on the next.
      await sleep(300);
      const start = performance.now();
      answers.push(await way.run());
      if (round > 0) samples.get(way)!.push(performance.now() - start);
    }
  }
  for (const way of ways) way.ms = median(samples.get(way)!);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const runs = quick ? 1 : 5;
  const machine = quietness(quick ? 2 : 5);
  await machine.start();
  const native = nativeBignum();
  // Each way has processes of its own, as deployed, and neither the factorial services nor the subgraphs a cache: every way computes its
  // factorials every time. The tutorial's gateway is this process.
  const noCache = { FACTORIAL_CACHE_MB: '0', EXPONENT_CACHE_MB: '0' };
  let report = '';
  const cleanups: (() => unknown)[] = [];
  const start = async (env: Record<string, string>): Promise<Processes> => {
    const processes = await startProcesses(env);
    cleanups.push(() => processes.stopAll());
    return processes;
  };
  const answers: string[] = [];
  try {
    const nativeStack = native && (await start(noCache));
    const bigintStack = await start({ ...noCache, MATH_NATIVE: 'off' });
    const client = createFactorialClient((await start(noCache)).factorialAddress);
    cleanups.push(() => client.close());
    const viaSubgraph = (url: string) => async () => (await graphql(url, `{ ncr(n: ${N}, r: ${R}) }`)).data!.ncr! as string;
    const get = async (n: number) =>
      (await unary(client.getFactorial.bind(client), { n, representation: Representation.REPRESENTATION_VALUE })).value;
    // The tutorial's gateway makes its three GetFactorial calls one after another, then divides.
    const tutorial = (divide: (n: Uint8Array, r: Uint8Array, nr: Uint8Array) => string) => async () => {
      const n = await get(N);
      const r = await get(R);
      const nr = await get(N - R);
      return divide(n, r, nr);
    };
    const withBigint = (n: Uint8Array, r: Uint8Array, nr: Uint8Array) =>
      (bytesToBigint(n) / (bytesToBigint(r) * bytesToBigint(nr))).toString();
    const subgraphNative: Way | undefined = nativeStack && {
      label: `math subgraph: prime exponents, one batch; ${describeArithmetic(native)}`,
      run: viaSubgraph(nativeStack.mathUrl),
    };
    const subgraphBigint: Way = {
      label: 'math subgraph: prime exponents, one batch; BigInt only (MATH_NATIVE=off)',
      run: viaSubgraph(bigintStack.mathUrl),
    };
    const tutorialBigint: Way = {
      label: "the tutorial's way: three factorial values one after another, then divide; BigInt",
      run: tutorial(withBigint),
    };
    const tutorialNative: Way | undefined = native && {
      label: "the tutorial's way, dividing and converting with GMP",
      run: tutorial((n, r, nr) => native.bytesQuotientDecimal(n, [r, nr])),
    };
    const allGmp: Way | undefined = native && {
      label: "the tutorial's way all in GMP: three mpz_fac_ui in this process (no service, no gRPC), divide, convert",
      run: async () => native.bytesQuotientDecimal(native.factorialBytes(N), [native.factorialBytes(R), native.factorialBytes(N - R)]),
    };
    const ways = [subgraphNative, subgraphBigint, tutorialBigint, tutorialNative, allGmp].filter((way): way is Way => way !== undefined);
    await timeInTurns(runs, answers, ways);
    if (new Set(answers).size !== 1) throw new Error('the ways disagree');

    const ratio = (slow: Way, fast: Way) => `${(slow.ms! / fast.ms!).toFixed(1)}×`;
    const lines = [
      `ncr(${N}, ${R}), ${answers[0]!.length.toLocaleString('en-US')} digits, every answer identical; median of ${runs} round${runs === 1 ? '' : 's'} after a warm-up, the ways taking turns (ms):`,
      '',
      '| way | ms |',
      '| --- | --: |',
      ...ways.map((way) => `| ${way.label} | ${way.ms!.toFixed(0)} |`),
      '',
      "| speed-up of the subgraph over the tutorial's way | | goal |",
      '| --- | --: | --: |',
      `| as shipped (${native ? 'GMP' : 'BigInt: the addon is not built'}) against the tutorial's BigInt | ${ratio(tutorialBigint, subgraphNative ?? subgraphBigint)} | ≥ ${GOAL}× |`,
      `| arithmetic held equal, BigInt both | ${ratio(tutorialBigint, subgraphBigint)} | |`,
      ...(subgraphNative && tutorialNative && allGmp
        ? [
            `| arithmetic held equal, GMP both | ${ratio(tutorialNative, subgraphNative)} | |`,
            `| against the tutorial's way all in GMP, in-process (no service, no network) | ${ratio(allGmp, subgraphNative)} | |`,
          ]
        : []),
    ];
    report = lines.join('\n');
    console.log(report);
  } finally {
    await Promise.all(cleanups.map((cleanup) => cleanup()));
  }
  // Written under bench/results/ only for a full run on a quiet machine (see quiet.ts).
  const verdict = await machine.finish();
  const file = writeReport(
    resultsDirectory(verdict, quick).dir,
    verdict,
    'ncr.md',
    `# npm run bench:ncr (${new Date().toISOString().slice(0, 10)})\n\n${machineMarkdown(verdict)}\n\n${report}\n`,
  );
  console.log(`\nwrote ${file}`);
}

void main();
