// npm run bench:compression: how small and how fast each compression level makes the biggest answer, the REST body
// of ncr(10^6, 5·10^5) (301,076 bytes of mostly decimal digits); gateway/src/compression.ts picks its levels from
// this. Writes bench/results/compression.md. In-process, no network; medians of 7 runs.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { factorialPrimeExponents, nativeBignum, ratioOfFactorialExponentsDecimal } from '../lib/math';
import { median } from './load';

function main(): void {
  const half = factorialPrimeExponents(500_000);
  const digits = ratioOfFactorialExponentsDecimal([factorialPrimeExponents(1_000_000)], [half, half], nativeBignum());
  const body = Buffer.from(`{"input":[1000000,500000],"ncr":${digits},"msg":"Success"}`);
  const rows: string[] = [];
  const measure = (label: string, compress: () => Buffer): void => {
    compress(); // warm-up
    const times: number[] = [];
    let size = 0;
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      size = compress().length;
      times.push(performance.now() - started);
    }
    rows.push(`| ${label} | ${((100 * size) / body.length).toFixed(1)}% | ${median(times).toFixed(1)} |`);
  };
  for (const level of [1, 3, 6, 9]) measure(`gzip level ${level}`, () => zlib.gzipSync(body, { level }));
  for (const quality of [0, 1, 3, 4, 5, 8, 11]) {
    const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length };
    measure(`Brotli quality ${quality}`, () => zlib.brotliCompressSync(body, { params }));
  }
  const md = [
    '# Compression of the biggest answer',
    '',
    `${new Date().toISOString()}, Node ${process.version}: the REST body of ncr(10^6, 5·10^5), ${body.length} bytes; medians of 7.`,
    'Decimal digits carry 3.32 bits each: no coder goes much below 41.5% of their size.',
    '',
    '| coder | size | ms |',
    '| --- | --: | --: |',
    ...rows,
    '',
  ].join('\n');
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results/compression.md'), md);
  process.stdout.write(`${md}\nwritten to bench/results/compression.md\n`);
}

main();
