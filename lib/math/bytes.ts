// Non-negative BigInts as unsigned big-endian bytes and back, through hex (linear time), never decimal.

/** value as unsigned big-endian bytes; 0n is a single zero byte, as 0! = 1! = 0x01 is one byte. */
export function bigintToBytes(value: bigint): Uint8Array {
  if (value < 0n)
    throw new RangeError(`value must be non-negative, but got: ${value < -(10n ** 30n) ? 'a large negative number' : String(value)}`);
  const hex = value.toString(16);
  // Not from Buffer's shared pool: the bytes may be transferred to another thread, and a
  // pooled Buffer's ArrayBuffer holds other Buffers too.
  const bytes = Buffer.allocUnsafeSlow((hex.length + 1) >>> 1);
  bytes.write(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  return bytes;
}

/** The non-negative integer whose unsigned big-endian bytes these are (0n for no bytes). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return BigInt(`0x${buffer.toString('hex')}`);
}
