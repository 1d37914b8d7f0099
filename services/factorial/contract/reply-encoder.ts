// Writes the service's replies in protobuf wire format, in one pass over one buffer: ts-proto's generated encoder
// makes a writer call per varint, and the reply for 10^6! and 5·10^5! (78,498 exponents each) took about 5 ms. The
// server hands over its cached Uint32Arrays as they are, and the packed varints of each are kept beside it (a
// WeakMap), so a reply from the cache is a copy of bytes. codec.test.ts checks the bytes against the generated codecs.

import type { BatchReply, FactorialReply } from './messages';

/**
 * The packed varints of each Uint32Array of exponents encoded so far, for as long as the array lives (the
 * store's cached ones live long). They take a quarter to a half of the array's bytes, which FACTORIAL_CACHE_MB
 * does not count; exponent entries are small beside the values the cache holds.
 */
const packedOf = new WeakMap<Uint32Array, Uint8Array>();

function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** `value >>> 0 === value` holds exactly for the integers 0..2^32-1, with no global looked up per call (in a vm context, such as jest's, `Number` is a slow lookup). */
function checkUint32(value: number, what: string): void {
  if (value >>> 0 !== value) throw new RangeError(`${what} must be a uint32, but got: ${value}`);
}

const NO_BYTES = new Uint8Array(0);

/** Exponents as packed varints (the bytes of the packed field, without its tag and length). */
function packedExponents(exponents: readonly number[] | Uint32Array): Uint8Array {
  if (exponents.length === 0) return NO_BYTES; // a value reply
  const cached = exponents instanceof Uint32Array ? packedOf.get(exponents) : undefined;
  if (cached) return cached;
  // A Uint32Array holds nothing else; an array of numbers is checked.
  const checked = !(exponents instanceof Uint32Array);
  let length = 0;
  for (let i = 0; i < exponents.length; i++) {
    const e = exponents[i]!;
    if (checked) checkUint32(e, 'a prime exponent');
    length += varintSize(e);
  }
  const writer = new Writer(Buffer.allocUnsafe(length));
  for (let i = 0; i < exponents.length; i++) writer.varint(exponents[i]!);
  if (exponents instanceof Uint32Array) packedOf.set(exponents, writer.buf);
  return writer.buf;
}

/** A Factorial's encoded size, and its packed exponents. */
function factorialSizes(message: FactorialReply): { size: number; packed: Uint8Array } {
  let size = 0;
  if (message.n !== 0) {
    checkUint32(message.n, 'n');
    size += 1 + varintSize(message.n);
  }
  if (message.value.length !== 0) size += 1 + varintSize(message.value.length) + message.value.length;
  const packed = packedExponents(message.primeExponents);
  if (packed.length !== 0) size += 1 + varintSize(packed.length) + packed.length;
  return { size, packed };
}

class Writer {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint(value: number): void {
    const buf = this.buf;
    while (value > 0x7f) {
      buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[this.pos++] = value;
  }

  bytes(bytes: Uint8Array): void {
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  factorial(message: FactorialReply, packed: Uint8Array): void {
    if (message.n !== 0) {
      this.buf[this.pos++] = 8;
      this.varint(message.n);
    }
    if (message.value.length !== 0) {
      this.buf[this.pos++] = 18;
      this.varint(message.value.length);
      this.bytes(message.value);
    }
    if (packed.length !== 0) {
      this.buf[this.pos++] = 26;
      this.varint(packed.length);
      this.bytes(packed);
    }
  }
}

/** Factorial in protobuf wire format: the bytes Factorial.encode writes. */
export function encodeFactorial(message: FactorialReply): Buffer {
  const { size, packed } = factorialSizes(message);
  const writer = new Writer(Buffer.allocUnsafe(size));
  writer.factorial(message, packed);
  return writer.buf;
}

/** BatchGetFactorialsResponse in protobuf wire format: the bytes BatchGetFactorialsResponse.encode writes. */
export function encodeBatchGetFactorialsResponse(message: BatchReply): Buffer {
  const sizes = message.factorials.map(factorialSizes);
  const total = sizes.reduce((sum, { size }) => sum + 1 + varintSize(size) + size, 0);
  const writer = new Writer(Buffer.allocUnsafe(total));
  message.factorials.forEach((factorial, i) => {
    writer.buf[writer.pos++] = 10;
    writer.varint(sizes[i]!.size);
    writer.factorial(factorial, sizes[i]!.packed);
  });
  return writer.buf;
}
