// Fast wire codecs for the service's replies, whose prime exponents are tens of thousands of packed varints
// (10^6! has 78,498). ts-proto's generated codecs make a writer or reader call per varint: the reply for
// 10^6! and 5·10^5! took about 5 ms to encode and 5 ms to decode, more than the rest of the call. These write
// the same bytes and read the same messages (codec.test.ts checks both against the generated codecs), in one
// pass over a buffer. The server hands over its cached Uint32Arrays as they are, and the packed varints of each
// are kept beside it (a WeakMap), so a reply from the cache is a copy of bytes. The client reads exponents into
// a Uint32Array, which a worker thread takes as a copy of bytes. Requests keep the generated codecs: they are small.

import {
  makeGenericClientConstructor,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientOptions,
  type ClientUnaryCall,
  type Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  FactorialServiceService,
  type BatchGetFactorialsRequest,
  type GetFactorialRequest,
} from '../../../generated/proto/factorial/v1/factorial';

const MAX_UINT32 = 0xffffffff;

/** What the server sends: a Factorial whose exponents may be the store's Uint32Array itself. */
export interface FactorialReply {
  n: number;
  value: Uint8Array;
  primeExponents: readonly number[] | Uint32Array;
}

/** A BatchGetFactorialsResponse made of FactorialReply. */
export interface BatchReply {
  factorials: FactorialReply[];
}

/** What the client reads: a reply whose exponents are a Uint32Array of their own. */
export interface FactorialMessage extends FactorialReply {
  value: Buffer;
  primeExponents: Uint32Array;
}

/** A BatchGetFactorialsResponse made of FactorialMessage. */
export interface BatchMessage extends BatchReply {
  factorials: FactorialMessage[];
}

/**
 * The packed varints of each Uint32Array of exponents encoded so far, for as long as the array lives (the
 * store's cached ones live long). They take a quarter to a half of the array's bytes, which FACTORIAL_CACHE_MB
 * does not count; exponent entries are small beside the values the cache holds.
 */
const packedOf = new WeakMap<Uint32Array, Uint8Array>();

function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

function checkUint32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_UINT32) throw new RangeError(`${what} must be a uint32, but got: ${value}`);
}

const NO_BYTES = new Uint8Array(0);

/** Exponents as packed varints (the bytes of the packed field, without its tag and length). */
function packedExponents(exponents: readonly number[] | Uint32Array): Uint8Array {
  if (exponents.length === 0) return NO_BYTES; // a value reply
  const cached = exponents instanceof Uint32Array ? packedOf.get(exponents) : undefined;
  if (cached) return cached;
  let length = 0;
  for (let i = 0; i < exponents.length; i++) {
    const e = exponents[i]!;
    checkUint32(e, 'a prime exponent');
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

/** The generated service definition with the fast reply codecs: for the server and the client alike. */
export const FactorialServiceDefinition = {
  getFactorial: {
    ...FactorialServiceService.getFactorial,
    responseSerialize: encodeFactorial,
    responseDeserialize: decodeFactorial,
  },
  batchGetFactorials: {
    ...FactorialServiceService.batchGetFactorials,
    responseSerialize: encodeBatchGetFactorialsResponse,
    responseDeserialize: decodeBatchGetFactorialsResponse,
  },
} as const;

/** A unary method of a grpc-js client, typed as ts-proto types it: with or without metadata and call options. */
interface UnaryMethod<Request, Response> {
  (request: Request, callback: Reply<Response>): ClientUnaryCall;
  (request: Request, metadata: Metadata, callback: Reply<Response>): ClientUnaryCall;
  (request: Request, metadata: Metadata, options: Partial<CallOptions>, callback: Reply<Response>): ClientUnaryCall;
}
type Reply<T> = (error: ServiceError | null, response: T) => void;

/** The generated FactorialServiceClient, with the replies the fast codecs read. */
export interface FactorialClient extends Client {
  getFactorial: UnaryMethod<GetFactorialRequest, FactorialMessage>;
  /** Results come back in request order, one per request. */
  batchGetFactorials: UnaryMethod<BatchGetFactorialsRequest, BatchMessage>;
}

/** The generated client's class, on the fast codecs. */
export const FastFactorialServiceClient = makeGenericClientConstructor(
  FactorialServiceDefinition,
  'factorial.v1.FactorialService',
) as unknown as new (address: string, credentials: ChannelCredentials, options?: Partial<ClientOptions>) => FactorialClient;
