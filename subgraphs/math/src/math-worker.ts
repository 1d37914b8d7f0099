// Worker thread: big ratios of factorials and big decimal conversions for the math subgraph, off the event loop.

import { serveWorkerTasks } from '../../../lib/workers';
import { bytesToBigint } from '../../../lib/math';
import { nativeBignum } from '../../../lib/math';
import { ratioOfFactorialExponentsDecimal } from '../../../lib/math';

/** `native`: use the GMP addon if it was built (the same digits as BigInt, several times faster at a million). */
export type MathTask =
  /** prod(numerators) / prod(denominators), each a factorial's prime exponents, as a decimal string. */
  | { kind: 'ratio'; numerators: Uint32Array[]; denominators: Uint32Array[]; native: boolean }
  /** An unsigned big-endian integer as a decimal string. */
  | { kind: 'decimal'; bytes: Uint8Array; native: boolean };

serveWorkerTasks<MathTask, string>((task) => {
  const native = task.native ? nativeBignum() : undefined;
  if (task.kind === 'ratio') return { output: ratioOfFactorialExponentsDecimal(task.numerators, task.denominators, native) };
  return { output: native ? native.bytesDecimal(task.bytes) : bytesToBigint(task.bytes).toString() };
});
