import { jsonDeeperThan } from './json-depth';

describe('jsonDeeperThan', () => {
  it('counts nesting of arrays and objects together', () => {
    expect(jsonDeeperThan('[{"a":[1]}]', 3)).toBe(false);
    expect(jsonDeeperThan('[{"a":[1]}]', 2)).toBe(true);
    expect(jsonDeeperThan('1', 0)).toBe(false);
    expect(jsonDeeperThan('[]', 0)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDeeperThan('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(jsonDeeperThan('{"a":"\\"[[[["}', 1)).toBe(false);
    expect(jsonDeeperThan('{"a":"\\\\","b":[[1]]}', 2)).toBe(true);
  });

  it('reads a 1,000,000-deep text without recursion', () => {
    expect(jsonDeeperThan(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`, 64)).toBe(true);
    expect(jsonDeeperThan(`${'[1,'.repeat(64)}${']'.repeat(64)}`, 64)).toBe(false);
  });
});
