// Reads the service's replies from protobuf wire format in one pass: prime exponents into a Uint32Array (which a
// worker thread takes as a copy of bytes), instead of a reader call and an array push per varint.
// codec.test.ts checks the messages against the generated codecs.

import type { BatchMessage, FactorialMessage } from './messages';

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  /** A varint's low 32 bits, unsigned (protobuf's uint32); at most 10 bytes, and never past `end`. */
  uint32(end: number): number {
    const buf = this.buf;
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= end) throw new Error('protobuf: premature end of a varint');
      const byte = buf[this.pos++]!;
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result >>> 0;
    }
    throw new Error('protobuf: a varint longer than 10 bytes');
  }

  /** The end of a length-delimited field that starts here. */
  delimited(end: number): number {
    const length = this.uint32(end);
    if (length > end - this.pos) throw new Error('protobuf: a length-delimited field runs past its message');
    return this.pos + length;
  }

  skip(wireType: number, end: number): void {
    if (wireType === 0) this.uint32(end);
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.pos = this.delimited(end);
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`protobuf: wire type ${wireType} is not supported here`);
    if (this.pos > end) throw new Error('protobuf: a field runs past its message');
  }

  /**
   * The packed uint32s up to `stop`: counted first (one per byte below 0x80), then read, mostly one byte each, in
   * local variables (a third faster than through this.pos and uint32() for 120,000 exponents).
   */
  packedUint32(stop: number): Uint32Array {
    const buf = this.buf;
    let count = 0;
    for (let i = this.pos; i < stop; i++) if (buf[i]! < 0x80) count++;
    const values = new Uint32Array(count);
    let pos = this.pos;
    for (let k = 0; k < count; k++) {
      const byte = buf[pos++]!;
      if (byte < 0x80) {
        values[k] = byte;
        continue;
      }
      // A longer varint: uint32() reads it again from its start, with its checks.
      this.pos = pos - 1;
      values[k] = this.uint32(stop);
      pos = this.pos;
    }
    // Bytes left over are a varint cut off by the field's end.
    if (pos !== stop) throw new Error('protobuf: premature end of a varint');
    this.pos = pos;
    return values;
  }

  factorial(end: number): FactorialMessage {
    const message: FactorialMessage = { n: 0, value: Buffer.alloc(0), primeExponents: new Uint32Array(0) };
    // Exponents may come in several fields, packed or not (valid protobuf that this service never writes): past
    // the first packed field they are gathered here, in wire order, and joined once.
    let more: number[] | undefined;
    while (this.pos < end) {
      const tag = this.uint32(end);
      if (tag === 8) {
        message.n = this.uint32(end);
      } else if (tag === 18) {
        const stop = this.delimited(end);
        message.value = Buffer.from(this.buf.subarray(this.pos, stop));
        this.pos = stop;
      } else if (tag === 26) {
        const packed = this.packedUint32(this.delimited(end));
        if (!more && message.primeExponents.length === 0) {
          message.primeExponents = packed;
        } else {
          more ??= Array.from(message.primeExponents);
          for (const e of packed) more.push(e);
        }
      } else if (tag === 24) {
        (more ??= Array.from(message.primeExponents)).push(this.uint32(end));
      } else if ((tag & 7) === 4 || tag === 0) {
        break;
      } else {
        this.skip(tag & 7, end);
      }
    }
    if (more) message.primeExponents = Uint32Array.from(more);
    return message;
  }
}

/** A Factorial from protobuf wire format: what Factorial.decode reads (throws on malformed input). */
export function decodeFactorial(bytes: Uint8Array): FactorialMessage {
  return new Reader(bytes).factorial(bytes.length);
}

/** A BatchGetFactorialsResponse from protobuf wire format: what BatchGetFactorialsResponse.decode reads. */
export function decodeBatchGetFactorialsResponse(bytes: Uint8Array): BatchMessage {
  const reader = new Reader(bytes);
  const end = bytes.length;
  const factorials: FactorialMessage[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32(end);
    if (tag === 10) {
      const stop = reader.delimited(end);
      factorials.push(reader.factorial(stop));
      reader.pos = stop;
    } else if ((tag & 7) === 4 || tag === 0) {
      break;
    } else {
      reader.skip(tag & 7, end);
    }
  }
  return { factorials };
}
