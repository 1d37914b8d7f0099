// The math family: exact integer arithmetic with no I/O, shared by the factorial service and the subgraphs.

// Primes and factorials as prime exponents (Legendre), products of prime powers, ratios of factorials.
export * from './primes';
export * from './prime-powers';
export * from './product-tree';
// Sizes estimated in constant time (Stirling), for limits before any work.
export * from './estimate';
// Integers as big-endian bytes (the wire's form of a factorial's value).
export * from './bytes';
// The optional GMP addon.
export * from './native';
// What a factorization tells without its number: prime powers, trailing zeros, digits (with an error bound).
export * from './factorizations';
