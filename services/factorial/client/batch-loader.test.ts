// The factorial loader: one call per tick, de-duplicated, split only past the limits.

import type { FactorialMessage } from '../contract';
import { FactorialLoader } from './batch-loader';
import { Representation, type GetFactorialRequest } from '../contract';

const { REPRESENTATION_VALUE: VALUE, REPRESENTATION_PRIME_EXPONENTS: EXPONENTS } = Representation;

function recordingLoader(options = { maxBatchSize: 1000, maxReplyBytes: 64 * 1024 * 1024 }) {
  const calls: number[][] = [];
  const loader = new FactorialLoader(async (requests: GetFactorialRequest[]) => {
    calls.push(requests.map((r) => r.n));
    return requests.map((r): FactorialMessage => ({ n: r.n, value: Buffer.from([r.n]), primeExponents: new Uint32Array(0) }));
  }, options);
  return { loader, calls };
}

describe('FactorialLoader', () => {
  it('batches loads made in the same tick into one call', async () => {
    const { loader, calls } = recordingLoader();
    const [a, b] = await Promise.all([loader.load(1, VALUE), loader.load(2, VALUE)]);
    expect([a.n, b.n]).toEqual([1, 2]);
    expect(calls).toEqual([[1, 2]]);
  });

  it('asks for each key once, and serves later loads from its cache', async () => {
    const { loader, calls } = recordingLoader();
    await Promise.all([loader.load(3, VALUE), loader.load(3, VALUE), loader.load(3, EXPONENTS)]);
    await loader.load(3, VALUE);
    expect(calls).toEqual([[3, 3]]);
  });

  it('makes a second call for loads made after the first batch went out', async () => {
    const { loader, calls } = recordingLoader();
    await loader.load(1, VALUE);
    await loader.load(2, VALUE);
    expect(calls).toEqual([[1], [2]]);
  });

  it('splits a batch that exceeds the key limit or the reply-size limit', async () => {
    const byCount = recordingLoader({ maxBatchSize: 2, maxReplyBytes: 1e9 });
    await Promise.all([1, 2, 3].map((n) => byCount.loader.load(n, VALUE)));
    expect(byCount.calls).toEqual([[1, 2], [3]]);
    // 10^5! takes ~190 KB as a value: two do not fit in 300 KB.
    const bySize = recordingLoader({ maxBatchSize: 1000, maxReplyBytes: 300_000 });
    await Promise.all([100_000, 100_001].map((n) => bySize.loader.load(n, VALUE)));
    expect(bySize.calls).toEqual([[100_000], [100_001]]);
  });

  it('rejects every load of a failed call with its error', async () => {
    const loader = new FactorialLoader(async () => Promise.reject(new Error('down')), { maxBatchSize: 10, maxReplyBytes: 1e9 });
    await expect(Promise.all([loader.load(1, VALUE), loader.load(2, VALUE)])).rejects.toThrow('down');
  });

  it('rejects a load whose reply is out of order', async () => {
    const loader = new FactorialLoader(
      async (requests) => requests.map(() => ({ n: 99, value: Buffer.alloc(0), primeExponents: new Uint32Array(0) })),
      {
        maxBatchSize: 10,
        maxReplyBytes: 1e9,
      },
    );
    await expect(loader.load(1, VALUE)).rejects.toThrow('expected n = 1, got 99');
  });
});

describe('FactorialLoader.refuse', () => {
  it('fails the loads of the current tick and later ones, and makes no call', async () => {
    const { loader, calls } = recordingLoader();
    const pending = loader.load(1, VALUE);
    loader.refuse(new Error('too big'));
    await expect(pending).rejects.toThrow('too big');
    await expect(loader.load(2, VALUE)).rejects.toThrow('too big');
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([]);
  });
});
