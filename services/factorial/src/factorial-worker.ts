// Worker thread: computes n! values and prime exponents for the factorial service's pool, off the event loop.

import { serveWorkerTasks } from '../../../lib/worker-host';
import { factorialExponents, factorialValue } from './engine';

export interface WorkerTask {
  kind: 'value' | 'exponents';
  n: number;
}

serveWorkerTasks<WorkerTask, Uint8Array | Uint32Array>(({ kind, n }) => {
  const result = kind === 'value' ? factorialValue(n) : factorialExponents(n);
  // Exponents are a fresh array; values are a non-pooled buffer: both safe to transfer.
  return { output: result, transfer: [result.buffer as ArrayBuffer] };
});
