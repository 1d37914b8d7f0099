// The fast reply codecs against ts-proto's generated ones: the same bytes out, the same messages in.

import { BinaryWriter } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { BatchGetFactorialsResponse, Factorial } from '../../../generated/proto/factorial/v1/factorial';
import { factorialPrimeExponents } from '../../../lib/math';
import {
  decodeBatchGetFactorialsResponse,
  decodeFactorial,
  encodeBatchGetFactorialsResponse,
  encodeFactorial,
  type FactorialMessage,
} from '.';

// uint32s of every varint length, 1 to 5 bytes.
const uint32 = fc.oneof(fc.nat(200), fc.nat(70_000), fc.integer({ min: 0, max: 0xffffffff }));
const factorial = fc.record({
  n: uint32,
  value: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  primeExponents: fc.array(uint32, { maxLength: 300 }),
});

const generatedBytes = (message: Factorial) => Buffer.from(Factorial.encode(message).finish());
/** A decoded message as the generated codecs' type (exponents in an Array), checking that they came in a Uint32Array. */
const asGenerated = (message: FactorialMessage): Factorial => {
  expect(message.primeExponents).toBeInstanceOf(Uint32Array);
  return { ...message, primeExponents: Array.from(message.primeExponents) };
};

describe('fast reply codecs', () => {
  it('encode Factorial and BatchGetFactorialsResponse to the bytes the generated codecs write', () => {
    fc.assert(
      fc.property(factorial, (message) => {
        expect(encodeFactorial(message).equals(generatedBytes(message))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.array(factorial, { maxLength: 6 }), (factorials) => {
        const generated = Buffer.from(BatchGetFactorialsResponse.encode({ factorials }).finish());
        expect(encodeBatchGetFactorialsResponse({ factorials }).equals(generated)).toBe(true);
      }),
    );
  });

  it("encode the store's Uint32Arrays as the generated codecs encode arrays, again from the kept varints", () => {
    fc.assert(
      fc.property(factorial, (message) => {
        const typed = { ...message, primeExponents: Uint32Array.from(message.primeExponents) };
        expect(encodeFactorial(typed).equals(generatedBytes(message))).toBe(true);
        expect(encodeFactorial(typed).equals(generatedBytes(message))).toBe(true); // the second time from the WeakMap
      }),
    );
  });

  it('refuse to encode an n or an exponent that is not a uint32', () => {
    const value = Buffer.alloc(0);
    for (const bad of [-1, 1.5, 2 ** 32, NaN, Infinity]) {
      expect(() => encodeFactorial({ n: bad, value, primeExponents: [] })).toThrow(/^n must be a uint32/);
      expect(() => encodeFactorial({ n: 3, value, primeExponents: [1, bad] })).toThrow(/^a prime exponent must be a uint32/);
    }
    expect(encodeFactorial({ n: 2 ** 32 - 1, value, primeExponents: [0, 2 ** 32 - 1] }).length).toBeGreaterThan(0);
  });

  it('decode to the messages the generated codecs read', () => {
    fc.assert(
      fc.property(fc.array(factorial, { maxLength: 6 }), (factorials) => {
        const bytes = BatchGetFactorialsResponse.encode({ factorials }).finish();
        expect({ factorials: decodeBatchGetFactorialsResponse(bytes).factorials.map(asGenerated) }).toEqual(
          BatchGetFactorialsResponse.decode(bytes),
        );
        for (const f of factorials) expect(asGenerated(decodeFactorial(generatedBytes(f)))).toEqual(Factorial.decode(generatedBytes(f)));
      }),
    );
  });

  it('read what another writer may send: unpacked exponents, fields out of order, unknown fields, 10-byte varints', () => {
    const writer = new BinaryWriter();
    writer.uint32(24).uint32(7); // exponent 7, not packed
    writer.uint32(26).fork().uint32(1).uint32(300).join(); // packed 1, 300
    writer.uint32(40).uint64(123456789012345n); // unknown varint field 5
    writer.uint32(49).fixed64(1n); // unknown fixed64 field 6
    writer.uint32(58).string('ignored'); // unknown length-delimited field 7
    writer.uint32(69).fixed32(9); // unknown fixed32 field 8
    writer.uint32(8).int64(-1n); // n as a 10-byte varint: its low 32 bits
    writer.uint32(18).bytes(Uint8Array.of(1, 2, 3));
    const bytes = writer.finish();
    const decoded = asGenerated(decodeFactorial(bytes));
    expect(decoded).toEqual(Factorial.decode(bytes));
    expect(decoded).toEqual({ n: 0xffffffff, value: Buffer.from([1, 2, 3]), primeExponents: [7, 1, 300] });
  });

  it('join exponents split over packed and unpacked fields, in wire order, however many there are', () => {
    const writer = new BinaryWriter();
    writer.uint32(26).fork().uint32(1).uint32(2).join();
    writer.uint32(24).uint32(3);
    const many = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    writer.uint32(26).fork();
    for (const e of many) writer.uint32(e);
    writer.join();
    for (const e of [4, 5]) writer.uint32(24).uint32(e);
    const bytes = writer.finish();
    const decoded = asGenerated(decodeFactorial(bytes));
    expect(decoded).toEqual(Factorial.decode(bytes));
    expect(decoded.primeExponents).toEqual([1, 2, 3, ...many, 4, 5]);
  });

  it('refuse malformed input with an error, never a wrong message', () => {
    const good = encodeFactorial({ n: 5, value: Buffer.alloc(0), primeExponents: [3, 1, 1] });
    expect(() => decodeFactorial(good.subarray(0, good.length - 1))).toThrow(/protobuf/);
    expect(() => decodeFactorial(Uint8Array.of(8, 0xff, 0xff))).toThrow(/premature end/);
    expect(() => decodeFactorial(Uint8Array.of(8, ...new Array<number>(11).fill(0xff), 1))).toThrow(/longer than 10 bytes/);
    expect(() => decodeFactorial(Uint8Array.of(18, 5, 1, 2))).toThrow(/runs past/);
    expect(() => decodeFactorial(Uint8Array.of(26, 3, 1, 0x80, 0x80))).toThrow(/premature end/); // packed, the last varint cut off
    expect(() => decodeFactorial(Uint8Array.of(26, 3, 0x80, 0x80, 0x80, 8, 1))).toThrow(/premature end/);
    expect(() => decodeBatchGetFactorialsResponse(Uint8Array.of(10, 9, 8, 1))).toThrow(/runs past/);
    expect(() => encodeFactorial({ n: -1, value: Buffer.alloc(0), primeExponents: [] })).toThrow(/uint32/);
    expect(() => encodeFactorial({ n: 1, value: Buffer.alloc(0), primeExponents: [2 ** 32] })).toThrow(/uint32/);
  });

  it('carry the exponents of 10^6! and 5*10^5! through a reply', () => {
    const factorials = [1_000_000, 500_000].map((n) => ({
      n,
      value: Buffer.alloc(0),
      primeExponents: Array.from(factorialPrimeExponents(n)),
    }));
    const bytes = encodeBatchGetFactorialsResponse({ factorials });
    expect(bytes.equals(Buffer.from(BatchGetFactorialsResponse.encode({ factorials }).finish()))).toBe(true);
    const decoded = decodeBatchGetFactorialsResponse(bytes).factorials;
    expect(decoded.map(asGenerated)).toEqual(factorials);
    // Each array owns its memory: a worker can take it whole, and the reply's buffer is not kept alive by it.
    for (const f of decoded) expect(f.primeExponents.byteLength).toBe(f.primeExponents.buffer.byteLength);
  });
});
