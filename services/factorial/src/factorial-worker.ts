// Worker thread: computes n! values and prime exponents for the factorial service's pool, off the event loop.

import { serveWorkerTasks } from '../../../lib/workers';
import type { RepresentationName } from '../contract';
import { factorialExponents, factorialValue } from './engine';

/** One factorial to compute, in one representation. */
export interface FactorialTask {
  representation: RepresentationName;
  n: number;
}

serveWorkerTasks<FactorialTask, Uint8Array | Uint32Array>(({ representation, n }) => {
  const result = representation === 'value' ? factorialValue(n) : factorialExponents(n);
  // Exponents are a fresh array; values are a non-pooled buffer: both safe to transfer.
  return { output: result, transfer: [result.buffer as ArrayBuffer] };
});
