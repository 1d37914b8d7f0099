// The pieces of the cache of answers that decide what is kept and under which key.

import { Registry } from 'prom-client';
import { Deadline } from '../../../lib/request';
import { Answers } from './answers';
import { readCacheControl, sharedMaxAge } from './cache-control';
import { canonicalJson } from './entries';

describe('sharedMaxAge', () => {
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
    expect(sharedMaxAge(header)).toBe(seconds);
  });
});

describe('readCacheControl', () => {
  it('reads max-age (quoted or not), the scope and no-store, across repeated headers', () => {
    expect(readCacheControl('max-age=60, public')).toEqual({ maxAge: 60, scope: 'PUBLIC', noStore: false });
    expect(readCacheControl(['max-age="30"', 'private'])).toEqual({ maxAge: 30, scope: 'PRIVATE', noStore: false });
    expect(readCacheControl('public, private')).toMatchObject({ scope: 'PRIVATE' });
    expect(readCacheControl('no-store')).toEqual({ maxAge: undefined, scope: undefined, noStore: true });
    expect(readCacheControl(undefined)).toEqual({ maxAge: undefined, scope: undefined, noStore: false });
  });

  it('reads each text once, and still reads right past the bound of the texts it keeps', () => {
    const first = readCacheControl('max-age=5, public');
    expect(readCacheControl('max-age=5, public')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    for (let age = 0; age < 1000; age++) expect(readCacheControl(`max-age=${age}, public`).maxAge).toBe(age);
    expect(readCacheControl('max-age=5, public')).toEqual({ maxAge: 5, scope: 'PUBLIC', noStore: false });
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

describe('Answers (REST answers)', () => {
  it('keeps an answer only under a public max-age, and counts every lookup', async () => {
    const registry = new Registry();
    const cache = new Answers({ maxBytes: 1 << 20, registry });
    cache.keepRestAnswer(10, 3, '120', 'no-store');
    cache.keepRestAnswer(10, 4, '210', 'private, max-age=60');
    cache.keepRestAnswer(10, 5, '252', 'public, max-age=31536000, immutable');
    expect((await cache.restAnswer(10, 3)).answer).toBeUndefined();
    expect((await cache.restAnswer(10, 4)).answer).toBeUndefined();
    expect((await cache.restAnswer(10, 5)).answer).toMatchObject({ digits: '252', cacheControl: 'public, max-age=31536000, immutable' });
    const text = await registry.metrics();
    expect(text).toContain('cache_lookups_total{cache="rest",result="miss",tier="none"} 2');
    expect(text).toContain('cache_lookups_total{cache="rest",result="hit",tier="memory"} 1');
  });

  it('drops an answer once its max-age has passed', async () => {
    const cache = new Answers({ maxBytes: 1 << 20 });
    cache.keepRestAnswer(10, 5, '252', 'public, max-age=1');
    expect((await cache.restAnswer(10, 5)).answer?.digits).toBe('252');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await cache.restAnswer(10, 5)).answer).toBeUndefined();
  });

  it('holds at most its bytes, keeps no answer larger than an eighth of them, and keeps nothing when sized 0', async () => {
    const cache = new Answers({ maxBytes: 64 * 1024 });
    for (let n = 0; n < 200; n++) {
      cache.keepRestAnswer(n, 1, '7'.repeat(4_000), 'public, max-age=60');
      expect(cache.bytes).toBeLessThanOrEqual(64 * 1024);
    }
    expect((await cache.restAnswer(199, 1)).answer).toBeDefined();
    expect((await cache.restAnswer(0, 1)).answer).toBeUndefined();
    cache.keepRestAnswer(1000, 1, '7'.repeat(9_000), 'public, max-age=60');
    expect((await cache.restAnswer(1000, 1)).answer).toBeUndefined();

    const off = new Answers({ maxBytes: 0 });
    off.keepRestAnswer(10, 5, '252', 'public, max-age=60');
    expect((await off.restAnswer(10, 5)).answer).toBeUndefined();
  });
});

describe('Answers (identical requests in flight)', () => {
  const far = () => new Deadline(Date.now() + 10_000);

  it('makes the first request the one to compute, and the others wait until its answer is stored', async () => {
    const cache = new Answers({ maxBytes: 1 << 20 });
    const first = await cache.restAnswer(10, 5, far);
    expect(first).toEqual({ answer: undefined, done: expect.any(Function) });
    let woke = false;
    const second = cache.restAnswer(10, 5, far).then((result) => ((woke = true), result));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(woke).toBe(false);
    cache.keepRestAnswer(10, 5, '252', 'public, max-age=60');
    first.done!();
    expect((await second).answer?.digits).toBe('252');
    expect((await second).done).toBeUndefined();
  });

  it('lets a waiting request go on by itself when its deadline passes, or when the first one kept nothing', async () => {
    const cache = new Answers({ maxBytes: 1 << 20 });
    const first = await cache.restAnswer(10, 5, far);
    const started = Date.now();
    expect(await cache.restAnswer(10, 5, () => new Deadline(Date.now() + 50))).toEqual({ answer: undefined, done: undefined });
    expect(Date.now() - started).toBeLessThan(2_000);
    const other = cache.restAnswer(10, 5, far);
    first.done!(); // nothing stored: an error
    expect(await other).toEqual({ answer: undefined, done: undefined });
    // Nobody computes it any more: the next request is the one.
    expect((await cache.restAnswer(10, 5, far)).done).toEqual(expect.any(Function));
  });
});
