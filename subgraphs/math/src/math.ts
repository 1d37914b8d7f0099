// The math behind the resolvers: input checks, then every result as one ratio of factorials from the factorial service.

import * as path from 'node:path';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { propagation, SpanKind, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';
import { Counter, Histogram, type Registry } from 'prom-client';
import { Representation } from '../../../generated/proto/factorial/v1/factorial';
import type { FactorialClient, FactorialMessage } from '../../../services/factorial/src/codec';
import { apiError, badInput, ErrorCode, fromGrpcError, grpcCodeName } from '../../../lib/errors';
import { bytesToBigint } from '../../../lib/math/bytes';
import { ratioDigits } from '../../../lib/math/estimate';
import { ratioOfFactorialExponents } from '../../../lib/math/prime-powers';
import { LATENCY_BUCKETS, registerPoolGauge } from '../../../lib/metrics';
import { REQUEST_ID_HEADER, type RequestLifetime } from '../../../lib/request-budget';
import { inSpan, isRecording, metadataSetter, runInSpan } from '../../../lib/telemetry';
import { QueueFullError, TaskAbortedError, WorkerPool } from '../../../lib/worker-pool';
import { DEFAULT_MAX_REPLY_BYTES, SERVICE_NAME } from '../../../services/factorial/src/server';
import { FactorialLoader } from './factorial-loader';
import type { MathTask } from './math-worker';

const { REPRESENTATION_VALUE: VALUE, REPRESENTATION_PRIME_EXPONENTS: EXPONENTS } = Representation;

export interface MathServiceOptions {
  /** The long-lived factorial service client (one per process). */
  client: FactorialClient;
  /** Largest factorial argument; above it input is refused. Default: 1,000,000. */
  maxN?: number;
  /** Largest result, in decimal digits (estimated before any work). Default: 1,000,000. */
  maxResultDigits?: number;
  /** Most digits all the results of one operation may add up to. Default: 3,000,000. */
  maxOperationDigits?: number;
  /** Most terms in multinomial(ks). Default: 100. */
  maxTerms?: number;
  /** Ratios whose arguments are all <= this use factorial values and plain division. Default: 1,000. */
  valueMaxN?: number;
  /** Results with at most this many digits are computed on the event loop. Default: 2,000. */
  inlineDigits?: number;
  /** Worker threads for big results. Default: cores minus one, at least 1. */
  workers?: number;
  /** Whether worker threads use the GMP addon when it was built (lib/math/native.ts). Default: true. */
  nativeArithmetic?: boolean;
  /** Big results that may wait for a worker; beyond it RESOURCE_EXHAUSTED. Default: 32. */
  maxQueue?: number;
  /** Keys per BatchGetFactorials call (a larger batch is split). Default: 1,000, the service's limit. */
  maxBatchSize?: number;
  /** Estimated reply bytes per call (a larger batch is split). Default: the service's 64 MiB. */
  maxReplyBytes?: number;
  registry?: Registry;
}

/** One request's view: its deadline and cancellation, and a loader of its own. */
export interface RequestScope {
  /** Its deadline, and what ends its work when the deadline passes or the client goes away. */
  lifetime: RequestLifetime;
  /** Sent to the factorial service (x-request-id), so that its log lines name the request. */
  requestId?: string;
  /** The request's trace context: parent of the spans of its fields and of its BatchGetFactorials call. */
  trace?: Context;
}

/** The process-wide part: client, worker pool, metrics, limits. */
export class MathService {
  readonly maxN: number;
  readonly maxResultDigits: number;
  readonly maxOperationDigits: number;
  readonly maxTerms: number;
  readonly valueMaxN: number;
  readonly inlineDigits: number;
  readonly pool: WorkerPool<MathTask, string>;
  readonly nativeArithmetic: boolean;
  private readonly metrics: ReturnType<typeof createClientMetrics> | undefined;

  constructor(private readonly options: MathServiceOptions) {
    this.maxN = options.maxN ?? 1_000_000;
    this.maxResultDigits = options.maxResultDigits ?? 1_000_000;
    this.maxOperationDigits = options.maxOperationDigits ?? 3_000_000;
    this.maxTerms = options.maxTerms ?? 100;
    this.valueMaxN = options.valueMaxN ?? 1000;
    this.inlineDigits = options.inlineDigits ?? 2000;
    this.nativeArithmetic = options.nativeArithmetic ?? true;
    this.pool = new WorkerPool({ script: path.join(__dirname, 'math-worker'), size: options.workers, maxQueue: options.maxQueue ?? 32 });
    this.metrics = options.registry ? createClientMetrics(options.registry, this.pool) : undefined;
  }

  forRequest(scope: RequestScope): RequestMath {
    const loader = new FactorialLoader((requests) => this.batchGetFactorials(requests, scope), {
      maxBatchSize: this.options.maxBatchSize ?? 1000,
      maxReplyBytes: this.options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES,
    });
    return new RequestMath(this, loader, scope);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private batchGetFactorials(requests: { n: number; representation: Representation }[], scope: RequestScope): Promise<FactorialMessage[]> {
    this.metrics?.batchSize.observe(requests.length);
    const attributes = isRecording() ? batchAttributes(requests) : undefined;
    // A CLIENT span under the request (not under whichever field asked first); the trace travels in the metadata.
    return inSpan(`${SERVICE_NAME}/BatchGetFactorials`, { kind: SpanKind.CLIENT, parent: scope.trace, attributes }, (span, active) => {
      const metadata = new Metadata();
      propagation.inject(active, metadata, metadataSetter);
      if (scope.requestId) metadata.set(REQUEST_ID_HEADER, scope.requestId);
      const stopTimer = this.metrics?.seconds.startTimer(BATCH_LABELS);
      return new Promise<FactorialMessage[]>((resolve, reject) => {
        // The call has the request's deadline; it is cancelled if the client goes away first.
        const call = this.options.client.batchGetFactorials(
          { requests },
          metadata,
          { deadline: scope.lifetime.deadline },
          (error, reply) => {
            stopListening();
            stopTimer?.();
            const code = error ? error.code : status.OK;
            this.metrics?.handled.inc({ ...BATCH_LABELS, grpc_code: grpcCodeName(code) });
            span.setAttribute('rpc.grpc.status_code', code);
            if (error) reject(error);
            else resolve(reply.factorials);
          },
        );
        const stopListening = scope.lifetime.onEnd(() => call.cancel());
      });
    });
  }
}

/** What the BatchGetFactorials span records: the batch's size, its keys by representation, its largest n. */
function batchAttributes(requests: { n: number; representation: Representation }[]): Attributes {
  const values = requests.filter((request) => request.representation === VALUE).length;
  return {
    'rpc.system': 'grpc',
    'rpc.service': SERVICE_NAME,
    'rpc.method': 'BatchGetFactorials',
    'factorial.batch_size': requests.length,
    'factorial.keys.value': values,
    'factorial.keys.prime_exponents': requests.length - values,
    'factorial.n_max': requests.reduce((max, request) => Math.max(max, request.n), 0),
  };
}

/** The math of one request. Every method checks its input first and throws BAD_USER_INPUT before any call. */
export class RequestMath {
  /** Digits of the results this request has been allowed so far. */
  private digitsSpent = 0;

  constructor(
    private readonly service: MathService,
    private readonly loader: FactorialLoader,
    private readonly scope: RequestScope,
  ) {}

  /** n choose r. */
  ncr(n: number, r: number): Promise<string> {
    this.checkPair(n, r);
    return this.ratio('ncr', { 'math.n': n, 'math.r': r }, [n], [r, n - r], () => `n = ${n}, r = ${r}`);
  }

  /** n! / (n-r)!. */
  npr(n: number, r: number): Promise<string> {
    this.checkPair(n, r);
    return this.ratio('npr', { 'math.n': n, 'math.r': r }, [n], [n - r], () => `n = ${n}, r = ${r}`);
  }

  /** (sum ks)! / prod(ks!). */
  multinomial(ks: readonly number[]): Promise<string> {
    if (ks.length > this.service.maxTerms) throw badInput(`ks may hold at most ${this.service.maxTerms} terms (got ${ks.length})`);
    ks.forEach((k, i) => this.checkArgument(`ks[${i}]`, k));
    const total = ks.reduce((sum, k) => sum + k, 0);
    if (total > this.service.maxN) throw badInput(`the sum of ks must be at most ${this.service.maxN} (MAX_N) (got ${total})`);
    return this.ratio('multinomial', { 'math.n': total, 'math.terms': ks.length }, [total], [...ks], () => `ks summing to ${total}`);
  }

  /** The n-th Catalan number, (2n)! / ((n+1)! n!). */
  catalan(n: number): Promise<string> {
    this.checkArgument('n', n);
    if (2 * n > this.service.maxN) throw badInput(`2n must be at most ${this.service.maxN} (MAX_N) (got n = ${n})`);
    return this.ratio('catalan', { 'math.n': n }, [2 * n], [n + 1, n], () => `n = ${n}`);
  }

  /** n! in decimal. */
  async factorial(n: number): Promise<string> {
    this.checkFactorial(n);
    return this.traced('factorial', { 'math.n': n, 'math.representation': 'value' }, async (span) => {
      const { value } = await this.loader.load(n, VALUE);
      span.setAttribute('math.computed_in', n <= this.service.valueMaxN ? 'event_loop' : 'worker');
      if (n <= this.service.valueMaxN) return bytesToBigint(value).toString();
      const bytes = new Uint8Array(value);
      return runInSpan(
        this.service.pool,
        'math.worker',
        { 'math.task': 'decimal' },
        { kind: 'decimal', bytes, native: this.service.nativeArithmetic } as MathTask,
        {
          signal: this.scope.lifetime.signal,
          transfer: [bytes.buffer],
        },
      );
    });
  }

  /** Checks a factorial argument (for factorial() and Factorial entity references). */
  checkFactorial(n: number): void {
    this.checkArgument('n', n);
    this.checkDigits([n], [], () => `n = ${n}`);
  }

  private checkPair(n: number, r: number): void {
    this.checkArgument('n', n);
    this.checkArgument('r', r);
    if (r > n) throw badInput(`r must be at most n (got n = ${n}, r = ${r})`);
  }

  private checkArgument(name: string, value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      // An entity representation's n can be anything JSON holds: show a string as one ("5", not 5).
      const shown = typeof value === 'number' ? String(value) : JSON.stringify(value)?.slice(0, 40);
      throw badInput(`${name} must be a non-negative integer (got ${name} = ${shown})`);
    }
    if (value > this.service.maxN) throw badInput(`${name} must be at most ${this.service.maxN} (MAX_N) (got ${name} = ${value})`);
  }

  /** Checks the result's estimated size against both limits, counts it against the operation's budget, and returns it. */
  private checkDigits(numerators: number[], denominators: number[], describe: () => string): number {
    const digits = ratioDigits(numerators, denominators);
    if (digits > this.service.maxResultDigits) {
      throw badInput(
        `the result would have about ${digits} digits, above the limit of ${this.service.maxResultDigits} (MAX_RESULT_DIGITS) (got ${describe()})`,
      );
    }
    // Many big fields in one operation (aliases) add up: the operation has a budget too.
    if (this.digitsSpent + digits > this.service.maxOperationDigits) {
      const error = badInput(
        `the operation's results would have about ${this.digitsSpent + digits} digits in all, above the limit of ${this.service.maxOperationDigits} (MAX_OPERATION_DIGITS) (got ${describe()})`,
      );
      // Refuse the whole operation: the fields already checked make no call either.
      this.loader.refuse(error);
      throw error;
    }
    this.digitsSpent += digits;
    return digits;
  }

  /**
   * prod(numerators!) / prod(denominators!): the one path behind ncr, npr, multinomial and catalan.
   * Small arguments divide factorial values; large ones subtract prime exponents and
   * multiply the prime powers left, in a worker thread when the result is big.
   */
  private ratio(
    name: string,
    attributes: Attributes,
    numerators: number[],
    denominators: number[],
    describe: () => string,
  ): Promise<string> {
    const digits = this.checkDigits(numerators, denominators, describe);
    const [num, den] = cancelCommonTerms(numerators, denominators);
    if (num.length === 0) return Promise.resolve('1');
    return this.traced(name, { ...attributes, 'math.digits_estimate': digits }, async (span) => {
      const largest = Math.max(...num, ...den);
      if (largest <= this.service.valueMaxN) {
        span.setAttributes({ 'math.representation': 'value', 'math.computed_in': 'event_loop' });
        const [top, bottom] = await Promise.all([this.values(num), this.values(den)]);
        return (top / bottom).toString();
      }
      const inline = digits <= this.service.inlineDigits;
      span.setAttributes({ 'math.representation': 'prime_exponents', 'math.computed_in': inline ? 'event_loop' : 'worker' });
      const [top, bottom] = await Promise.all([this.exponents(num), this.exponents(den)]);
      if (inline) return ratioOfFactorialExponents(top, bottom).toString();
      const task: MathTask = {
        kind: 'ratio',
        // Copies, handed over whole: other fields of the request may read the same arrays (and ncr(2k, k) sends one twice).
        numerators: top.map((e) => e.slice()),
        denominators: bottom.map((e) => e.slice()),
        native: this.service.nativeArithmetic,
      };
      const transfer = [...task.numerators, ...task.denominators].map((e) => e.buffer as ArrayBuffer);
      return runInSpan(this.service.pool, 'math.worker', { 'math.task': 'ratio' }, task, { signal: this.scope.lifetime.signal, transfer });
    });
  }

  private async values(args: number[]): Promise<bigint> {
    const factorials = await Promise.all(args.map((k) => this.loader.load(k, VALUE)));
    return factorials.reduce((product, f) => product * bytesToBigint(f.value), 1n);
  }

  private async exponents(args: number[]): Promise<Uint32Array[]> {
    const factorials = await Promise.all(args.map((k) => this.loader.load(k, EXPONENTS)));
    return factorials.map((f) => f.primeExponents);
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
        throw toApiError(error);
      }
    });
  }
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

function toApiError(error: unknown): unknown {
  if (error instanceof GraphQLError) return error;
  if (error instanceof QueueFullError) return apiError(ErrorCode.RESOURCE_EXHAUSTED, 'the math subgraph is saturated; retry later');
  if (error instanceof TaskAbortedError) return apiError(ErrorCode.DEADLINE_EXCEEDED, "the request's time budget ran out");
  if (isServiceError(error)) return fromGrpcError(error) ?? error;
  return error;
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'details' in error;
}

const BATCH_LABELS = { grpc_type: 'unary', grpc_service: SERVICE_NAME, grpc_method: 'BatchGetFactorials' };

function createClientMetrics(registry: Registry, pool: WorkerPool<MathTask, string>) {
  const labelNames = ['grpc_type', 'grpc_service', 'grpc_method'] as const;
  registerPoolGauge(registry, 'math_worker_pool_tasks', 'Math worker pool tasks, by state (busy or queued).', () => pool.stats());
  return {
    handled: new Counter({
      name: 'grpc_client_handled_total',
      help: 'RPCs completed by the client, by status code.',
      labelNames: [...labelNames, 'grpc_code'],
      registers: [registry],
    }),
    seconds: new Histogram({
      name: 'grpc_client_handling_seconds',
      help: 'Time from sending an RPC to its reply.',
      labelNames,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'factorial_batch_size',
      help: 'Keys per BatchGetFactorials call.',
      buckets: [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
  };
}
