#!/usr/bin/env node
// npm install runs this: compiles the optional GMP addon (lib/math/native/gmp-bignum.c) with the C compiler
// against the Node-API headers from the node-api-headers package: no node-gyp, no Python, no download.
// It never fails the install: without a C compiler or GMP's headers it says so in one line, and the math
// subgraph uses JavaScript BigInt (the same digits, several times slower at a million).
// BIGNUM_NATIVE=off skips it; CC, CFLAGS and LDFLAGS are honoured. Plain JavaScript: it runs before anything
// is compiled.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'lib', 'math', 'native');
const output = path.join(dir, 'build', 'Release', 'gmp_bignum.node');
const say = (message) => console.log(`native arithmetic: ${message}`);
const words = (value) => (value ?? '').split(/\s+/).filter(Boolean);
const removeBuild = () => fs.rmSync(path.join(dir, 'build'), { recursive: true, force: true });

function main() {
  if (process.env.BIGNUM_NATIVE === 'off') return say('skipped (BIGNUM_NATIVE=off)');
  let headers;
  try {
    headers = path.join(path.dirname(require.resolve('node-api-headers/package.json')), 'include');
  } catch {
    return say('not built (the node-api-headers package is not installed); JavaScript BigInt is used');
  }
  removeBuild();
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const args = [
    ...['-O2', '-fPIC', '-shared', '-Wall', '-Wextra', `-I${headers}`],
    ...words(process.env.CFLAGS),
    // Node-API symbols are resolved when Node.js loads the addon.
    ...(process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : []),
    path.join(dir, 'gmp-bignum.c'),
    '-o',
    output,
    ...words(process.env.LDFLAGS),
    '-lgmp',
  ];
  const compiler = process.env.CC || 'cc';
  const build = spawnSync(compiler, args, { encoding: 'utf8', timeout: 120_000 });
  if (build.status !== 0) {
    const reason = build.error
      ? `${compiler}: ${build.error.code ?? build.error.message}`
      : (build.stderr.split('\n').find((l) => /error/i.test(l)) ?? '');
    removeBuild();
    return say(`not built (${reason.trim().slice(0, 160)}); JavaScript BigInt is used`);
  }
  // It must load and compute here, or it is not kept: 2^10 * 3 = 3072.
  try {
    const addon = require(output);
    if (addon.primePowersDecimal(Uint32Array.of(2, 3), Float64Array.of(10, 1)) !== '3072') throw new Error('wrong answer');
    say(`built ${path.relative(process.cwd(), output)} (GMP ${addon.gmpVersion})`);
  } catch (error) {
    removeBuild();
    say(`built but not kept (${String(error.message ?? error).slice(0, 160)}); JavaScript BigInt is used`);
  }
}

main();
