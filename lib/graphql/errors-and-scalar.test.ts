// The error formatter (mask what is not documented) and the BigInt scalar (strings of digits only).

import { GraphQLError, Kind } from 'graphql';
import { apiError } from './api-error';
import { BigIntScalar } from './bigint-scalar';
import { createErrorFormatter } from './format-error';

describe('createErrorFormatter', () => {
  const format = createErrorFormatter();

  it('passes documented codes with their message and no stack trace', () => {
    const error = apiError('FACTORIAL_UNAVAILABLE', 'down');
    expect(format({ message: 'down', path: ['ncr'], extensions: { code: 'FACTORIAL_UNAVAILABLE', stacktrace: ['at x'] } }, error)).toEqual({
      message: 'down',
      path: ['ncr'],
      locations: undefined,
      extensions: { code: 'FACTORIAL_UNAVAILABLE' },
    });
  });

  it('masks an unexpected error as INTERNAL_SERVER_ERROR without its message', () => {
    const formatted = format({ message: 'secret: db password wrong', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new Error('secret'));
    expect(formatted).toEqual({ message: 'Internal server error', path: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('masks an error with a code nobody documented', () => {
    expect(format({ message: 'x', extensions: { code: 'WEIRD' } }, new GraphQLError('x')).extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
    });
  });
});

describe('BigInt scalar', () => {
  it('serializes bigints, safe integers and digit strings as base-10 strings', () => {
    expect(BigIntScalar.serialize(10n ** 30n)).toBe('1000000000000000000000000000000');
    expect(BigIntScalar.serialize(42)).toBe('42');
    expect(BigIntScalar.serialize('-7')).toBe('-7');
  });

  it('refuses to serialize anything else', () => {
    for (const bad of [1.5, 'abc', '01', null, {}, 2 ** 60]) expect(() => BigIntScalar.serialize(bad)).toThrow('BigInt cannot represent');
  });

  it('accepts digit strings and safe integers as input, and says what it got otherwise', () => {
    expect(BigIntScalar.parseValue('123456789012345678901234567890')).toBe('123456789012345678901234567890');
    expect(BigIntScalar.parseValue(12)).toBe('12');
    expect(() => BigIntScalar.parseValue('1e3')).toThrow('BigInt must be a base-10 integer string or a safe integer, but got: "1e3"');
    expect(() => BigIntScalar.parseValue(2 ** 53)).toThrow('but got: 9007199254740992');
    expect(() => BigIntScalar.parseValue('9'.repeat(20_000))).toThrow('...');
    expect(BigIntScalar.parseLiteral({ kind: Kind.INT, value: '99999999999999999999' })).toBe('99999999999999999999');
    expect(() => BigIntScalar.parseLiteral({ kind: Kind.FLOAT, value: '1.5' })).toThrow('FloatValue literal');
  });
});
