// Compression of the gateway's answers: gzip and Brotli, chosen by the client's Accept-Encoding, above 1 KB.
//
// The levels were chosen by measurement (npm run bench:compression, bench/results/compression.md: the 301,076-byte REST answer of ncr(10^6, 5·10^5),
// here): Brotli at quality 1 makes 44.7% of the size in 3.4 ms, better than qualities 3 to 8 (47-48%, 8-71 ms);
// quality 11 makes 42.5% in 760 ms. gzip at level 3 makes 47.3% in 7.5 ms, as small as level 9. Decimal digits
// carry 3.32 bits each: no coder goes much below 41.5% of their size.

import type { FastifyCompressOptions } from '@fastify/compress';
import { constants } from 'node:zlib';

export const COMPRESSION_OPTIONS: FastifyCompressOptions = {
  encodings: ['br', 'gzip'],
  threshold: 1024,
  brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } },
  zlibOptions: { level: 3 },
  // Below 16 KB, compressed on the event loop (microseconds); above, streamed through zlib on libuv's thread pool:
  // a million digits never hold the event loop.
  syncThreshold: 16 * 1024,
};
