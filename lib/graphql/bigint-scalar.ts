// The BigInt scalar: exact integers of any size, always a base-10 string on the wire.

import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const INTEGER = /^-?(0|[1-9]\d*)$/;
/** Longest BigInt accepted as input: inputs are arguments, not results. */
const MAX_INPUT_DIGITS = 10_000;

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function fromInput(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && value.length <= MAX_INPUT_DIGITS + 1 && INTEGER.test(value)) return value;
  throw new GraphQLError(`BigInt must be a base-10 integer string or a safe integer, but got: ${describe(value)}`, {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

export const BigIntScalar = new GraphQLScalarType<string, string>({
  name: 'BigInt',
  description: 'An exact integer of any size, serialized as a base-10 string.',
  serialize(value) {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    if (typeof value === 'string' && INTEGER.test(value)) return value;
    throw new GraphQLError(`BigInt cannot represent ${describe(value)}`);
  },
  parseValue: fromInput,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT) return fromInput(ast.kind === Kind.INT ? ast.value : ast.value);
    throw new GraphQLError(`BigInt must be a base-10 integer string or a safe integer, but got a ${ast.kind} literal`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  },
});
