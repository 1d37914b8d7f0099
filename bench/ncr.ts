// Benchmark: ncr(10^6, 5*10^5) through the math subgraph against the tutorial's way (three factorial values, then divide), in one run.
// The subgraph runs twice: with the GMP addon for its big products and decimal conversion (when built), and with
// BigInt only (MATH_NATIVE=off), so that what the algorithm gives and what GMP adds are both on the table.

import { Representation } from '../generated/proto/factorial/v1/factorial';
import { bytesToBigint } from '../lib/math/bytes';
import { graphql, startStack } from '../test/helpers/stack';
import { unary } from '../test/helpers/grpc';
import { createFactorialClient } from '../services/factorial/src/client';
import { describeArithmetic, nativeBignum } from '../lib/math/native';

const N = 1_000_000;
const R = 500_000;

async function median(runs: number, f: () => Promise<unknown>): Promise<number> {
  await f();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await f();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

async function main(): Promise<void> {
  const runs = process.argv.includes('--quick') ? 1 : 3;
  // No cache in the factorial service: both ways compute their factorials every time.
  const stack = await startStack({ factorial: { cacheBytes: 0 } });
  const bigintStack = await startStack({ factorial: { cacheBytes: 0 }, math: { nativeArithmetic: false } });
  const client = createFactorialClient(stack.factorialAddress);
  const native = nativeBignum();
  try {
    let viaSubgraph = '';
    const subgraph = await median(runs, async () => {
      const { data } = await graphql(stack.mathUrl, `{ ncr(n: ${N}, r: ${R}) }`);
      viaSubgraph = data!.ncr!;
    });
    let viaBigint = '';
    const subgraphBigint = await median(runs, async () => {
      const { data } = await graphql(bigintStack.mathUrl, `{ ncr(n: ${N}, r: ${R}) }`);
      viaBigint = data!.ncr!;
    });
    const get = (n: number) => unary(client.getFactorial.bind(client), { n, representation: Representation.REPRESENTATION_VALUE });
    const divide = (n: Uint8Array, r: Uint8Array, nr: Uint8Array) => (bytesToBigint(n) / (bytesToBigint(r) * bytesToBigint(nr))).toString();
    let viaValues = '';
    // The tutorial's gateway makes its three GetFactorial calls one after another.
    const tutorial = await median(runs, async () => {
      const n = await get(N);
      const r = await get(R);
      const nr = await get(N - R);
      viaValues = divide(n.value, r.value, nr.value);
    });
    // The same three calls at once: the service computes the shared 500000! only once.
    let viaParallel = '';
    const parallel = await median(runs, async () => {
      const [n, r, nr] = await Promise.all([get(N), get(R), get(N - R)]);
      viaParallel = divide(n.value, r.value, nr.value);
    });
    if (viaSubgraph !== viaValues || viaSubgraph !== viaParallel || viaSubgraph !== viaBigint) throw new Error('the ways disagree');
    console.log(`ncr(${N}, ${R}) (${viaSubgraph.length} digits), median of ${runs} runs:\n`);
    console.log('| way | ms |\n| --- | --: |');
    const arithmetic = describeArithmetic(native);
    console.log(`| math subgraph (prime exponents, one batch; ${arithmetic}) | ${subgraph.toFixed(0)} |`);
    console.log(`| math subgraph (prime exponents, one batch; BigInt only, MATH_NATIVE=off) | ${subgraphBigint.toFixed(0)} |`);
    console.log(`| three factorial values one after another, then divide (the tutorial's way) | ${tutorial.toFixed(0)} |`);
    console.log(`| the same three calls at once, then divide | ${parallel.toFixed(0)} |`);
    console.log(
      `\nspeed-up over the tutorial's way: ${(tutorial / subgraph).toFixed(1)}x; over the parallel variant: ${(parallel / subgraph).toFixed(1)}x`,
    );
    console.log(`with BigInt only: ${(tutorial / subgraphBigint).toFixed(1)}x and ${(parallel / subgraphBigint).toFixed(1)}x`);
  } finally {
    client.close();
    await stack.stop();
    await bigintStack.stop();
  }
}

void main();
