// Worker thread: big ratios of factorials and big decimal conversions for the math subgraph, off the event loop.

import { serveWorkerTasks } from '../../../lib/worker-host';
import { bytesToBigint } from '../../../lib/math/bytes';
import { ratioOfFactorialExponents } from '../../../lib/math/prime-powers';

export type MathTask =
  /** prod(numerators) / prod(denominators), each a factorial's prime exponents, as a decimal string. */
  | { kind: 'ratio'; numerators: Uint32Array[]; denominators: Uint32Array[] }
  /** An unsigned big-endian integer as a decimal string. */
  | { kind: 'decimal'; bytes: Uint8Array };

serveWorkerTasks<MathTask, string>((task) => ({
  output:
    task.kind === 'ratio' ? ratioOfFactorialExponents(task.numerators, task.denominators).toString() : bytesToBigint(task.bytes).toString(),
}));
