// The math of the subgraph's fields: each checks its input, then computes its result as one ratio of factorials.

import * as path from 'node:path';
import type { Attributes, Span } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { badInput, checkCount, checkPair, toApiError, tooManyFactorials } from '../../../lib/graphql';
import { inSpan } from '../../../lib/observability';
import type { RequestScope } from '../../../lib/request';
import { registerPoolGauge, WorkerPool } from '../../../lib/workers';
import type { FactorialBatches } from '../../../services/factorial/client';
import { DigitBudget } from './checks';
import type { MathTask } from './math-worker';
import { cancelCommonTerms, computeRatio, factorialDecimal, type RatioContext } from './ratio';

/** The math service's settings: those read from the environment (config.ts, with their defaults), and its tuning. */
export interface MathSettings {
  /** Largest factorial argument; above it input is refused (MAX_N). */
  maxN: number;
  /** Largest result, in decimal digits, estimated before any work (MAX_RESULT_DIGITS). */
  maxResultDigits: number;
  /** Most digits all the results of one operation may add up to (MAX_OPERATION_DIGITS). */
  maxOperationDigits: number;
  /** Most terms in multinomial(ks). Default: 100. */
  maxTerms?: number;
  /** Most distinct factorials one operation may need (MAX_OPERATION_FACTORIALS). */
  maxOperationFactorials: number;
  /** Ratios whose arguments are all <= this use factorial values and plain division. Default: 1,000. */
  valueMaxN?: number;
  /** Results with at most this many digits are computed on the event loop... Default: 2,000. */
  inlineDigits?: number;
  /** ...from at most this many prime exponents in all (about 0.2 ms of work). Default: 16,384. */
  inlineExponents?: number;
  /** Worker threads for big results (MATH_WORKERS); undefined: cores minus one, at least 1. */
  workers: number | undefined;
  /** Whether worker threads use the GMP addon when it was built, lib/math/native.ts (MATH_NATIVE). */
  nativeArithmetic: boolean;
  /** Operations that may have big results waiting for a worker; beyond it RESOURCE_EXHAUSTED. */
  maxQueue: number;
}

export interface MathServiceOptions extends MathSettings {
  /** The process's factorial batches (one client per process). */
  factorials: FactorialBatches;
  registry?: Registry;
}

/** The process-wide part: factorial batches, worker pool, limits. */
export class MathService {
  readonly maxN: number;
  readonly maxResultDigits: number;
  readonly maxOperationDigits: number;
  readonly maxTerms: number;
  readonly maxOperationFactorials: number;
  readonly pool: WorkerPool<MathTask, string>;
  private readonly ratioSettings: Pick<RatioContext, 'valueMaxN' | 'inlineDigits' | 'inlineExponents' | 'nativeArithmetic'>;

  constructor(private readonly options: MathServiceOptions) {
    this.maxN = options.maxN;
    this.maxResultDigits = options.maxResultDigits;
    this.maxOperationDigits = options.maxOperationDigits;
    this.maxTerms = options.maxTerms ?? 100;
    this.maxOperationFactorials = options.maxOperationFactorials;
    this.ratioSettings = {
      valueMaxN: options.valueMaxN ?? 1000,
      inlineDigits: options.inlineDigits ?? 2000,
      inlineExponents: options.inlineExponents ?? 16_384,
      nativeArithmetic: options.nativeArithmetic,
    };
    this.pool = new WorkerPool({ script: path.join(__dirname, 'math-worker'), size: options.workers, maxQueue: options.maxQueue });
    if (options.registry) {
      registerPoolGauge(options.registry, 'math_worker_pool_tasks', 'Math worker pool tasks, by state (busy or queued).', () =>
        this.pool.stats(),
      );
    }
  }

  /** The math of one request: its loader, its deadline, its digit budget. */
  forRequest(scope: RequestScope): RequestMath {
    const loader = this.options.factorials.forRequest(scope, {
      maxKeys: { limit: this.maxOperationFactorials, tooMany: tooManyFactorials },
      // Its results are held with its replies until it is answered: about 3 bytes a digit (the string, the JSON, the body).
      otherBytes: () => 3 * digits.spent,
    });
    const digits = new DigitBudget(this, (error) => loader.refuse(error));
    const context: RatioContext = { ...this.ratioSettings, loader, pool: this.pool, deadline: scope.deadline, owner: loader };
    return new RequestMath(this, context, digits, scope);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The math of one request. Every method checks its input first and throws BAD_USER_INPUT before any call. */
export class RequestMath {
  constructor(
    private readonly service: MathService,
    private readonly context: RatioContext,
    private readonly digits: DigitBudget,
    private readonly scope: RequestScope,
  ) {}

  /** n choose r. */
  ncr(n: number, r: number): Promise<string> {
    checkPair(n, r, this.service.maxN);
    return this.ratio('ncr', { 'math.n': n, 'math.r': r }, [n], [r, n - r], () => `n = ${n}, r = ${r}`);
  }

  /** n! / (n-r)!. */
  npr(n: number, r: number): Promise<string> {
    checkPair(n, r, this.service.maxN);
    return this.ratio('npr', { 'math.n': n, 'math.r': r }, [n], [n - r], () => `n = ${n}, r = ${r}`);
  }

  /** (sum ks)! / prod(ks!). */
  multinomial(ks: readonly number[]): Promise<string> {
    if (ks.length > this.service.maxTerms) throw badInput(`ks may hold at most ${this.service.maxTerms} terms (got ${ks.length})`);
    ks.forEach((k, i) => checkCount(`ks[${i}]`, k, this.service.maxN));
    const total = ks.reduce((sum, k) => sum + k, 0);
    if (total > this.service.maxN) throw badInput(`the sum of ks must be at most ${this.service.maxN} (MAX_N) (got ${total})`);
    return this.ratio('multinomial', { 'math.n': total, 'math.terms': ks.length }, [total], [...ks], () => `ks summing to ${total}`);
  }

  /** The n-th Catalan number, (2n)! / ((n+1)! n!). */
  catalan(n: number): Promise<string> {
    checkCount('n', n, this.service.maxN);
    if (2 * n > this.service.maxN) throw badInput(`2n must be at most ${this.service.maxN} (MAX_N) (got n = ${n})`);
    return this.ratio('catalan', { 'math.n': n }, [2 * n], [n + 1, n], () => `n = ${n}`);
  }

  /** A Factorial entity of n (for factorials(ns) and entity references): n is checked; its value is resolved on demand. */
  factorialRef(n: unknown): { n: number } {
    checkCount('n', n, this.service.maxN);
    return { n };
  }

  /** A Binomial entity of (n, r) (for binomial(n, r) and entity references): checked; its value is resolved on demand. */
  binomialRef(n: unknown, r: unknown): { n: number; r: number } {
    checkPair(n, r, this.service.maxN);
    return { n, r: r as number };
  }

  /** n! in decimal. */
  factorial(n: number): Promise<string> {
    checkCount('n', n, this.service.maxN);
    const digits = this.digits.admit([n], [], () => `n = ${n}`);
    return this.traced('factorial', { 'math.n': n, 'math.representation': 'value', 'math.digits_estimate': digits }, (span) =>
      factorialDecimal(this.context, n, span),
    );
  }

  /** prod(numerators!) / prod(denominators!): the one path behind ncr, npr, multinomial and catalan. */
  private ratio(
    name: string,
    attributes: Attributes,
    numerators: number[],
    denominators: number[],
    describe: () => string,
  ): Promise<string> {
    const digits = this.digits.admit(numerators, denominators, describe);
    const [num, den] = cancelCommonTerms(numerators, denominators);
    if (num.length === 0) return Promise.resolve('1');
    return this.traced(name, { ...attributes, 'math.digits_estimate': digits }, (span) =>
      computeRatio(this.context, num, den, digits, span),
    );
  }

  /**
   * Runs a field's work in a span `math.<name>` under the request, and turns failures from the factorial
   * service or the worker pool into the API's codes (which the span records).
   */
  private traced(name: string, attributes: Attributes, work: (span: Span) => Promise<string>): Promise<string> {
    return inSpan(`math.${name}`, { parent: this.scope.trace, attributes }, async (span) => {
      try {
        return await work(span);
      } catch (error) {
        throw toApiError(error, 'the math subgraph');
      }
    });
  }
}
