// The pieces of the cache of answers that decide what is kept and under which key.

import { canonicalJson, publicMaxAge, ResponseCache } from './response-cache';
import { Registry } from 'prom-client';

describe('publicMaxAge', () => {
  it.each([
    ['public, max-age=31536000, immutable', 31536000],
    ['max-age=31536000, public', 31536000],
    ['Public, Max-Age=60', 60],
    ['max-age=60', 0], // not said to be public: a shared cache does not keep it
    ['private, max-age=60', 0],
    ['public, max-age=60, no-store', 0],
    ['public, no-cache, max-age=60', 0],
    ['public, max-age=abc', 0],
    ['public', 0],
    ['no-store', 0],
    [undefined, 0],
  ])('reads %s as %d', (header, seconds) => {
    expect(publicMaxAge(header)).toBe(seconds);
  });
});

describe('canonicalJson', () => {
  it('writes the same text for the same value, whatever the order of keys, at any depth', () => {
    expect(canonicalJson({ r: 2, n: 10 })).toBe(canonicalJson({ n: 10, r: 2 }));
    expect(canonicalJson({ a: [{ y: 1, x: [2, { q: 1, p: 0 }] }], b: null })).toBe('{"a":[{"x":[2,{"p":0,"q":1}],"y":1}],"b":null}');
  });

  it('keeps apart what JSON keeps apart: order in lists, types, and quotes inside keys', () => {
    expect(canonicalJson({ ns: [1, 2] })).not.toBe(canonicalJson({ ns: [2, 1] }));
    expect(canonicalJson({ n: 5 })).not.toBe(canonicalJson({ n: '5' }));
    expect(canonicalJson({ 'a":1,"b': 2 })).not.toBe(canonicalJson({ a: 1, b: 2 }));
    expect(JSON.parse(canonicalJson({ 'a":1,"b': 2 }))).toEqual({ 'a":1,"b': 2 });
  });
});

describe('ResponseCache (REST answers)', () => {
  it('keeps an answer only under a public max-age, and counts every lookup', async () => {
    const registry = new Registry();
    const cache = new ResponseCache({ maxBytes: 1 << 20, registry });
    cache.storeRestAnswer(10, 3, '120', 'no-store');
    cache.storeRestAnswer(10, 4, '210', 'private, max-age=60');
    cache.storeRestAnswer(10, 5, '252', 'public, max-age=31536000, immutable');
    expect(cache.restAnswer(10, 3)).toBeUndefined();
    expect(cache.restAnswer(10, 4)).toBeUndefined();
    expect(cache.restAnswer(10, 5)).toMatchObject({ digits: '252', cacheControl: 'public, max-age=31536000, immutable' });
    const text = await registry.metrics();
    expect(text).toContain('cache_lookups_total{cache="rest",result="miss"} 2');
    expect(text).toContain('cache_lookups_total{cache="rest",result="hit"} 1');
  });

  it('drops an answer once its max-age has passed', async () => {
    const cache = new ResponseCache({ maxBytes: 1 << 20 });
    cache.storeRestAnswer(10, 5, '252', 'public, max-age=1');
    expect(cache.restAnswer(10, 5)?.digits).toBe('252');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(cache.restAnswer(10, 5)).toBeUndefined();
  });

  it('holds at most its bytes, keeps no answer larger than an eighth of them, and keeps nothing when sized 0', () => {
    const cache = new ResponseCache({ maxBytes: 64 * 1024 });
    for (let n = 0; n < 200; n++) {
      cache.storeRestAnswer(n, 1, '7'.repeat(4_000), 'public, max-age=60');
      expect(cache.bytes).toBeLessThanOrEqual(64 * 1024);
    }
    expect(cache.restAnswer(199, 1)).toBeDefined();
    expect(cache.restAnswer(0, 1)).toBeUndefined();
    cache.storeRestAnswer(1000, 1, '7'.repeat(9_000), 'public, max-age=60');
    expect(cache.restAnswer(1000, 1)).toBeUndefined();

    const off = new ResponseCache({ maxBytes: 0 });
    off.storeRestAnswer(10, 5, '252', 'public, max-age=60');
    expect(off.restAnswer(10, 5)).toBeUndefined();
  });
});
