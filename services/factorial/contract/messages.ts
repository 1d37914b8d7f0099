// The reply messages as the fast codecs write and read them: what the server sends (its exponents may be the
// store's own Uint32Array), and what the client reads (a Uint32Array of its own).

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
