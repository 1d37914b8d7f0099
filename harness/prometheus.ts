// For the tests of the dashboard and the alert rules: PromQL read by Prometheus's own grammar
// (@prometheus-io/lezer-promql, the parser of Prometheus's web UI), for its syntax errors and the metrics each
// expression selects, with what labels; and the metric families each service exposes.

import { ApolloServerErrorCode } from '@apollo/server/errors';
import { status } from '@grpc/grpc-js';
import { parser } from '@prometheus-io/lezer-promql';
import { ERRORS } from '../lib/errors';
import { startStack, type Stack } from './stack';

export const JOBS = ['factorial', 'math', 'primes', 'gateway'] as const;
export type Job = (typeof JOBS)[number];

interface Matcher {
  label: string;
  /** =, !=, =~ or !~ */
  op: string;
  value: string;
}

interface Selector {
  metric: string;
  matchers: Matcher[];
}

interface ParsedPromql {
  /** Where the grammar found an error, as the text around it; empty when the expression parses. */
  errors: string[];
  selectors: Selector[];
}

/** Parses one expression. Grafana's variables ($__rate_interval and the like) become a plain 1m range. */
function parsePromql(expression: string): ParsedPromql {
  const expr = expression.replace(/\$__\w+/g, '1m');
  const errors: string[] = [];
  const selectors: Selector[] = [];
  const text = (from: number, to: number) => expr.slice(from, to);
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(text(Math.max(0, node.from - 20), node.to + 20))}`);
      if (node.name !== 'VectorSelector') return;
      const selector: Selector = { metric: '', matchers: [] };
      const cursor = node.node.cursor();
      cursor.iterate((child) => {
        if (child.name === 'Identifier' && selector.metric === '') selector.metric = text(child.from, child.to);
        if (child.name === 'UnquotedLabelMatcher') {
          const label = child.node.getChild('LabelName');
          const op = child.node.getChild('MatchOp');
          const value = child.node.getChild('StringLiteral');
          if (label && op && value) {
            selector.matchers.push({
              label: text(label.from, label.to),
              op: text(op.from, op.to),
              value: unquote(text(value.from, value.to)),
            });
          }
        }
      });
      selectors.push(selector);
    },
  });
  return { errors, selectors };
}

/** Whether a label value satisfies a matcher (Prometheus anchors regular expressions at both ends). */
function matches(matcher: Matcher, value: string): boolean {
  if (matcher.op === '=') return value === matcher.value;
  if (matcher.op === '!=') return value !== matcher.value;
  const regex = new RegExp(`^(?:${matcher.value})$`);
  return matcher.op === '=~' ? regex.test(value) : !regex.test(value);
}

/** A PromQL string literal's value: "double" and 'single' quotes take escapes, `backticks` none. */
function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  if (literal.startsWith("'")) return JSON.parse(`"${literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
  return JSON.parse(literal) as string;
}

/** Metric families a Prometheus text page declares (histogram and summary series map to their family). */
function families(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    names.add(match[1]!);
    if (match[2] === 'histogram' || match[2] === 'summary') ['_bucket', '_sum', '_count'].forEach((s) => names.add(match[1]! + s));
  }
  return names;
}

/** The metric families each service of a running stack (with its gateway) exposes on /metrics. */
async function exposedFamilies(stack: Stack): Promise<Record<Job, Set<string>>> {
  return {
    factorial: families(await stack.factorialRegistry.metrics()),
    math: families(await (await fetch(stack.mathUrl.replace('/graphql', '/metrics'))).text()),
    primes: families(await (await fetch(stack.primesUrl.replace('/graphql', '/metrics'))).text()),
    gateway: families(await (await fetch(stack.gatewayMetricsUrl)).text()),
  };
}

/** The jobs a selector's `job` matcher allows (every job when it has none), and whether it names any. */
function jobsOf(selector: Selector): { jobs: Job[]; named: boolean } {
  const matchers = selector.matchers.filter((m) => m.label === 'job');
  return { jobs: JOBS.filter((job) => matchers.every((m) => matches(m, job))), named: matchers.length > 0 };
}

/**
 * Starts a stack (with its gateway) around the tests of the describe block that calls this; the getter gives the
 * metric families each job exposes.
 */
export function exposedFamiliesOfAStack(): () => Record<Job, Set<string>> {
  let stack: Stack | undefined;
  let exposed: Record<Job, Set<string>> | undefined;
  beforeAll(async () => {
    stack = await startStack({ gateway: true });
    exposed = await exposedFamilies(stack);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });
  return () => exposed!;
}

/** Series Prometheus makes itself. */
const SYNTHETIC = new Set(['up']);

/** The values some labels take, where the services define them: what a matcher may compare them with. */
const LABEL_VALUES: Readonly<Record<string, string[]>> = {
  code: [...Object.keys(ERRORS), ...Object.values(ApolloServerErrorCode)],
  grpc_code: Object.keys(status).filter((key) => Number.isNaN(Number(key))),
  route: ['/graphql', '/api/ncr/:n/:r', '/health', '/ready', '/metrics'],
  state: ['busy', 'queued', 'in_use', 'capacity'],
  result: ['hit', 'miss'],
  tier: ['memory', 'redis', 'none'],
  reason: ['request', 'send', 'timeout', 'error', 'unavailable', 'format', 'version', 'truncated', 'digest'],
  decision: ['allowed', 'refused', 'failed_open'],
  outcome: ['listed', 'unlisted', 'refused'],
};

/**
 * What is wrong with an expression, in words (empty when nothing is): a syntax error, a metric that a job its
 * selector names does not expose (or, naming none, that no job exposes), or a label value the label never takes.
 */
export function problemsWith(expr: string, exposed: Record<Job, Set<string>>, labelValues = LABEL_VALUES): string[] {
  const { errors, selectors } = parsePromql(expr);
  const problems = errors.map((error) => `syntax error ${error}`);
  if (selectors.length === 0) problems.push('selects no metric');
  for (const selector of selectors.filter((s) => !SYNTHETIC.has(s.metric))) {
    const { jobs, named } = jobsOf(selector);
    const missing = jobs.filter((job) => !exposed[job].has(selector.metric));
    if (named && missing.length > 0) problems.push(`${selector.metric} is not exposed by ${missing.join(', ')}`);
    if (!named && missing.length === jobs.length) problems.push(`${selector.metric} is exposed by no job`);
    for (const { label, op, value } of selector.matchers) {
      const values = labelValues[label];
      if (op === '=' && values && !values.includes(value)) problems.push(`${label}="${value}" is not a value ${label} takes`);
    }
  }
  return problems;
}
