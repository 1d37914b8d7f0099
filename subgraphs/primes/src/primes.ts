// The fields of the primes subgraph: factorizations, digit counts and trailing zeros of factorials and binomials, from
// their prime exponents (one BatchGetFactorials call per operation), and the primes of a range.

import * as path from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { badInput, checkCount, checkPair, toApiError, tooManyFactorials } from '../../../lib/graphql';
import { digitCountFromLog, netExponents, primePowers, primesUpTo, trailingZeros, type PrimePower } from '../../../lib/math';
import { inSpan, runInSpan } from '../../../lib/observability';
import type { RequestScope } from '../../../lib/request';
import { inlineTurn, registerPoolGauge, WorkerPool } from '../../../lib/workers';
import { Representation, type FactorialBatches, type FactorialLoader } from '../../../services/factorial/client';
import { PrimeBudget } from './checks';
import type { BinomialRef, FactorialRef } from './context';
import type { DigitCountTask } from './primes-worker';
import { primesBetween, primesBetweenAtMost } from './ranges';

/** The primes service's settings, as read from the environment (config.ts, with their defaults). */
export interface PrimesSettings {
  /** Largest factorial argument, and widest range of primes(from, to) (MAX_N). */
  maxN: number;
  /** Most distinct factorials one operation may need (MAX_OPERATION_FACTORIALS). */
  maxOperationFactorials: number;
  /** Most prime powers and primes an operation's answers may hold in all (MAX_OPERATION_PRIMES). */
  maxOperationPrimes: number;
  /** Worker threads for the exact digit counts the logarithm cannot decide (PRIMES_WORKERS). */
  workers: number;
  /** Whether worker threads use the GMP addon when it was built (PRIMES_NATIVE). */
  nativeArithmetic: boolean;
  /** Operations that may wait for a worker; beyond it RESOURCE_EXHAUSTED. */
  maxQueue: number;
}

export interface PrimesServiceOptions extends PrimesSettings {
  /** The process's factorial batches (one client per process). */
  factorials: FactorialBatches;
  registry?: Registry;
}

/** Bytes an operation's answer takes per prime power or prime (a JSON object, the objects behind it). */
const BYTES_PER_PRIME_POWER = 100;

/** The process-wide part: factorial batches, a worker pool for exact digit counts, limits. */
export class PrimesService {
  readonly maxN: number;
  readonly maxOperationFactorials: number;
  readonly maxOperationPrimes: number;
  readonly nativeArithmetic: boolean;
  readonly pool: WorkerPool<DigitCountTask, number>;

  constructor(private readonly options: PrimesServiceOptions) {
    this.maxN = options.maxN;
    this.maxOperationFactorials = options.maxOperationFactorials;
    this.maxOperationPrimes = options.maxOperationPrimes;
    this.nativeArithmetic = options.nativeArithmetic;
    this.pool = new WorkerPool({
      script: path.join(__dirname, 'primes-worker'),
      size: options.workers,
      maxQueue: options.maxQueue,
    });
    if (options.registry) {
      registerPoolGauge(options.registry, 'primes_worker_pool_tasks', 'Primes worker pool tasks, by state (busy or queued).', () =>
        this.pool.stats(),
      );
    }
  }

  /** The fields of one request: its loader, its deadline, its list budget. */
  forRequest(scope: RequestScope): RequestPrimes {
    const loader = this.options.factorials.forRequest(scope, {
      maxKeys: { limit: this.maxOperationFactorials, tooMany: tooManyFactorials },
      otherBytes: () => BYTES_PER_PRIME_POWER * budget.spent,
    });
    const budget = new PrimeBudget(this.maxOperationPrimes, (error) => loader.refuse(error));
    return new RequestPrimes(this, loader, budget, scope);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The fields of one request. Each checks its input and counts its list against the operation before any call. */
export class RequestPrimes {
  constructor(
    private readonly service: PrimesService,
    private readonly loader: FactorialLoader,
    private readonly budget: PrimeBudget,
    private readonly scope: RequestScope,
  ) {}

  /** A Factorial entity of n: n is checked; its fields are resolved on demand. */
  factorialRef(n: unknown): FactorialRef {
    checkCount('n', n, this.service.maxN);
    return { n };
  }

  /** A Binomial entity of (n, r): both are checked; its fields are resolved on demand. */
  binomialRef(n: unknown, r: unknown): BinomialRef {
    checkPair(n, r, this.service.maxN);
    return { n, r: r as number };
  }

  /** n! as prime powers. */
  factorialFactorization({ n }: FactorialRef): Promise<PrimePower[]> {
    this.budget.admit(primesUpTo(n).length, () => `the factorization of ${n}!`);
    return this.traced('factorial.primeFactorization', { 'math.n': n }, async () => {
      const exponents = await this.exponents(n);
      await this.turn();
      return primePowers(exponents);
    });
  }

  /** The decimal digits of n!, exact. */
  factorialDigitCount({ n }: FactorialRef): Promise<number> {
    return this.traced('factorial.digitCount', { 'math.n': n }, async () => this.digitCount(await this.exponents(n)));
  }

  /** The trailing zeros of n! in base `base`. */
  factorialTrailingZeros({ n }: FactorialRef, base: number): Promise<number> {
    if (!Number.isInteger(base) || base < 2 || base > 36) throw badInput(`base must be from 2 to 36 (got base = ${base})`);
    return this.traced('factorial.trailingZeros', { 'math.n': n, 'math.base': base }, async () => {
      const exponents = await this.exponents(n);
      await this.turn();
      return trailingZeros(exponents, base);
    });
  }

  /** C(n, r) as prime powers (Kummer: the exponents of n! less those of r! and (n-r)!). */
  binomialFactorization({ n, r }: BinomialRef): Promise<PrimePower[]> {
    this.budget.admit(primesUpTo(n).length, () => `the factorization of C(${n}, ${r})`);
    return this.traced('binomial.primeFactorization', { 'math.n': n, 'math.r': r }, async () => {
      const exponents = await this.binomialExponents(n, r);
      await this.turn();
      return primePowers(exponents);
    });
  }

  /** The decimal digits of C(n, r), exact. */
  binomialDigitCount({ n, r }: BinomialRef): Promise<number> {
    return this.traced('binomial.digitCount', { 'math.n': n, 'math.r': r }, async () =>
      this.digitCount(await this.binomialExponents(n, r)),
    );
  }

  /** The primes from `from` to `to`, ascending: no call, a sieve of the range. */
  primes(from: number, to: number): Promise<number[]> {
    if (!Number.isSafeInteger(from) || from < 0) throw badInput(`from must be a non-negative integer (got from = ${from})`);
    if (to < from) throw badInput(`to must be at least from (got from = ${from}, to = ${to})`);
    if (to - from > this.service.maxN) {
      throw badInput(`to - from must be at most ${this.service.maxN} (MAX_N) (got from = ${from}, to = ${to})`);
    }
    this.budget.admit(primesBetweenAtMost(from, to), () => `the primes from ${from} to ${to}`);
    return this.traced('primes', { 'primes.from': from, 'primes.to': to }, async () => {
      await this.turn();
      return primesBetween(from, to);
    });
  }

  private async exponents(n: number): Promise<Uint32Array> {
    return (await this.loader.load(n, Representation.REPRESENTATION_PRIME_EXPONENTS)).primeExponents;
  }

  private async binomialExponents(n: number, r: number): Promise<Float64Array> {
    const [top, left, right] = await Promise.all([this.exponents(n), this.exponents(r), this.exponents(n - r)]);
    await this.turn();
    return netExponents([top], [left, right]);
  }

  /** The digit count from the logarithm, or exactly on a worker thread where the logarithm cannot decide. */
  private async digitCount(exponents: ArrayLike<number>): Promise<number> {
    await this.turn();
    const fromLog = digitCountFromLog(exponents);
    if (fromLog !== undefined) return fromLog;
    const task: DigitCountTask = { exponents: Float64Array.from(exponents), native: this.service.nativeArithmetic };
    return runInSpan(this.service.pool, 'primes.worker', { 'primes.task': 'exact_digit_count' }, task, {
      signal: this.scope.deadline.signal,
      transfer: [task.exponents.buffer as ArrayBuffer],
      owner: this.loader,
    });
  }

  /** Inline work in turns: the event loop gets its share, and nothing runs past the deadline. */
  private turn(): Promise<void> {
    return inlineTurn(() => this.scope.deadline.expired);
  }

  /** Runs a field's work in a span under the request, its failures turned into the API's codes. */
  private traced<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
    return inSpan(`primes.${name}`, { parent: this.scope.trace, attributes }, async () => {
      try {
        return await work();
      } catch (error) {
        throw toApiError(error, 'the primes subgraph');
      }
    });
  }
}
