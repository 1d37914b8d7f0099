// Benchmark of the factorial engine against a plain product tree and the one-at-a-time loop, in one run.
// Also measures a worker-thread round trip, which sets how large an n is still worth computing inline.

import * as path from 'node:path';
import { nativeBignum } from '../lib/math';
import { factorial } from '../lib/math';
import { productOfRange } from '../lib/math';
import { WorkerPool } from '../lib/workers';
import { factorialValue } from '../services/factorial/src/engine';
import type { FactorialTask } from '../services/factorial/src/factorial-worker';

/** Median wall time (ms) of `runs` calls, after one warm-up call. */
function time(runs: number, f: () => unknown): number {
  f();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

function loopFactorial(n: number): bigint {
  let r = 1n;
  for (let k = 2n; k <= BigInt(n); k++) r *= k;
  return r;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const native = nativeBignum();
  const rows: string[][] = [];
  for (const n of [100_000, 1_000_000]) {
    const runs = n === 1_000_000 ? (quick ? 1 : 3) : quick ? 3 : 7;
    const engine = time(runs, () => factorial(n));
    const tree = time(runs, () => productOfRange(1, n));
    const loop = n === 100_000 ? time(1, () => loopFactorial(n)) : NaN;
    // For scale: GMP's own factorial, in C (the addon, when built). The service keeps its engine: a running native
    // call cannot be stopped when its caller gives up.
    const gmp = native ? time(runs, () => native.factorialBytes(n)) : NaN;
    const cell = (value: number, digits: number) => (Number.isNaN(value) ? '-' : value.toFixed(digits));
    rows.push([
      n.toLocaleString('en-US'),
      engine.toFixed(1),
      tree.toFixed(1),
      cell(loop, 0),
      cell(gmp, 1),
      (engine / tree).toFixed(2),
      cell(engine / loop, 4),
      cell(engine / gmp, 2),
    ]);
  }
  console.log(`n! (median ms); GMP: ${native ? `mpz_fac_ui, GMP ${native.gmpVersion}` : 'the addon is not built'}\n`);
  console.log('| n | engine | product tree | loop | GMP | engine/tree | engine/loop | engine/GMP |');
  console.log('| --: | --: | --: | --: | --: | --: | --: | --: |');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);

  // Inline or worker: a trivial task's round trip against the inline cost of small n.
  const pool = new WorkerPool<FactorialTask, Uint8Array | Uint32Array>({
    script: path.join(__dirname, '../services/factorial/src/factorial-worker'),
    size: 1,
  });
  await pool.run({ representation: 'value', n: 1 });
  const hops: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    await pool.run({ representation: 'value', n: 1 });
    hops.push(performance.now() - start);
  }
  await pool.close();
  const hop = hops.sort((a, b) => a - b)[100]!;
  console.log(`\nworker round trip (median of 200): ${(hop * 1000).toFixed(0)} µs`);
  console.log('inline n! value cost (median µs):');
  for (const n of [500, 1000, 1500, 2000, 3000, 5000]) {
    console.log(`  n = ${n}: ${(time(50, () => factorialValue(n)) * 1000).toFixed(0)} µs`);
  }
}

void main();
