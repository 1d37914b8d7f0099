// The ratio strategy: how prod(numerators!) / prod(denominators!) is computed, the one path behind ncr, npr,
// multinomial and catalan. Small arguments divide factorial values; large ones subtract prime exponents and
// multiply the prime powers left, on a worker thread when the result is big.

import type { Span } from '@opentelemetry/api';
import { bytesToBigint, ratioOfFactorialExponents } from '../../../lib/math';
import { runInSpan } from '../../../lib/observability';
import type { Deadline } from '../../../lib/request';
import { inlineTurn, type WorkerPool } from '../../../lib/workers';
import { Representation, type FactorialLoader } from '../../../services/factorial/client';
import type { MathTask } from './math-worker';

const { REPRESENTATION_VALUE: VALUE, REPRESENTATION_PRIME_EXPONENTS: PRIME_EXPONENTS } = Representation;

/** What a ratio needs of its request and its process. */
export interface RatioContext {
  loader: FactorialLoader;
  pool: WorkerPool<MathTask, string>;
  deadline: Deadline;
  /** The operation, which the worker pool admits as a whole. */
  owner: object;
  /** Ratios whose arguments are all <= this use factorial values and plain division. */
  valueMaxN: number;
  /** Results with at most this many digits are computed on the event loop... */
  inlineDigits: number;
  /** ...from at most this many prime exponents in all (a ratio of 10^6-scale factorials scans 78,498 each, small result or not). */
  inlineExponents: number;
  /** Whether worker threads use the GMP addon when it was built. */
  nativeArithmetic: boolean;
}

/** Removes terms that appear on both sides, and 0 and 1 (0! = 1! = 1). */
export function cancelCommonTerms(numerators: number[], denominators: number[]): [number[], number[]] {
  const left = numerators.filter((k) => k > 1);
  const right: number[] = [];
  for (const d of denominators) {
    if (d <= 1) continue;
    const i = left.indexOf(d);
    if (i >= 0) left.splice(i, 1);
    else right.push(d);
  }
  return [left, right];
}

/**
 * prod(numerators!) / prod(denominators!) in decimal, for a ratio that is an integer of about `digits` digits
 * (already admitted), with common terms cancelled. The span records where it was computed.
 */
export async function computeRatio(context: RatioContext, num: number[], den: number[], digits: number, span: Span): Promise<string> {
  if (num.length === 0) return '1';
  const largest = Math.max(...num, ...den);
  if (largest <= context.valueMaxN) {
    span.setAttributes({ 'math.representation': 'value', 'math.computed_in': 'event_loop' });
    const [top, bottom] = await Promise.all([values(context.loader, num), values(context.loader, den)]);
    await inlineTurn(() => context.deadline.expired);
    return (top / bottom).toString();
  }
  const [top, bottom] = await Promise.all([exponents(context.loader, num), exponents(context.loader, den)]);
  const entries = [...top, ...bottom].reduce((sum, e) => sum + e.length, 0);
  // Cheap work stays on the event loop; anything else goes to a worker thread, which yields the CPU to event loops.
  const inline = digits <= context.inlineDigits && entries <= context.inlineExponents;
  span.setAttributes({ 'math.representation': 'prime_exponents', 'math.computed_in': inline ? 'event_loop' : 'worker' });
  if (inline) {
    await inlineTurn(() => context.deadline.expired);
    return ratioOfFactorialExponents(top, bottom).toString();
  }
  const task: MathTask = {
    kind: 'ratio',
    // Copies, handed over whole: other fields of the request may read the same arrays (and ncr(2k, k) sends one twice).
    numerators: top.map((e) => e.slice()),
    denominators: bottom.map((e) => e.slice()),
    native: context.nativeArithmetic,
  };
  const transfer = [...task.numerators, ...task.denominators].map((e) => e.buffer as ArrayBuffer);
  return runInSpan(context.pool, 'math.worker', { 'math.task': 'ratio' }, task, {
    signal: context.deadline.signal,
    transfer,
    owner: context.owner,
  });
}

/** n! in decimal, from its value: small ones on the event loop, big ones on a worker thread. */
export async function factorialDecimal(context: RatioContext, n: number, span: Span): Promise<string> {
  const { value } = await context.loader.load(n, VALUE);
  span.setAttribute('math.computed_in', n <= context.valueMaxN ? 'event_loop' : 'worker');
  if (n <= context.valueMaxN) {
    await inlineTurn(() => context.deadline.expired);
    return bytesToBigint(value).toString();
  }
  const bytes = new Uint8Array(value);
  const task: MathTask = { kind: 'decimal', bytes, native: context.nativeArithmetic };
  return runInSpan(context.pool, 'math.worker', { 'math.task': 'decimal' }, task, {
    signal: context.deadline.signal,
    transfer: [bytes.buffer],
    owner: context.owner,
  });
}

async function values(loader: FactorialLoader, args: number[]): Promise<bigint> {
  const factorials = await Promise.all(args.map((k) => loader.load(k, VALUE)));
  return factorials.reduce((product, f) => product * bytesToBigint(f.value), 1n);
}

async function exponents(loader: FactorialLoader, args: number[]): Promise<Uint32Array[]> {
  const factorials = await Promise.all(args.map((k) => loader.load(k, PRIME_EXPONENTS)));
  return factorials.map((f) => f.primeExponents);
}
