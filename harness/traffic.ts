// Mixed client traffic through the gateway, every answer checked: exactly right, or a documented code.

import { ERRORS, isErrorCode } from '../lib/errors';
import { binomial } from './reference';

export interface Outcome {
  startedAt: number;
  /** When the answer (or the failure) arrived. */
  finishedAt: number;
  /** Whether the request was valid (so exactly one right answer exists). */
  valid: boolean;
  /** Valid and answered exactly right. */
  ok: boolean;
  /** The documented code of a refusal. */
  code?: string;
  /** Set when the answer is wrong, code-less or not an answer at all. */
  wrong?: string;
}

const INVALID_REST = ['abc/3', '3/10', '-1/0', '10.5/3', '1000001/2', '1e309/1'];

const randomInt = (max: number) => Math.floor(Math.random() * (max + 1));

/** One random request (REST or GraphQL, valid or not) and the verdict on its answer, timed. */
export async function oneRequest(gatewayUrl: string): Promise<Outcome> {
  const verdict = await judgeOneRequest(gatewayUrl);
  return { ...verdict, finishedAt: Date.now() };
}

async function judgeOneRequest(gatewayUrl: string): Promise<Omit<Outcome, 'finishedAt'>> {
  const startedAt = Date.now();
  const kind = Math.random();
  const n = randomInt(2000);
  const r = randomInt(n);
  try {
    if (kind < 0.35) {
      const response = await fetch(`${gatewayUrl}/api/ncr/${n}/${r}`);
      const text = await response.text();
      if (response.status === 200) {
        const expected = `{"input":[${n},${r}],"ncr":${binomial(n, r)},"msg":"Success"}`;
        return text === expected
          ? { startedAt, valid: true, ok: true }
          : { startedAt, valid: true, ok: false, wrong: `wrong REST answer for ${n}/${r}` };
      }
      return refusal(startedAt, true, response.status, (JSON.parse(text) as { code?: string }).code);
    }
    if (kind < 0.5) {
      const path = INVALID_REST[randomInt(INVALID_REST.length - 1)]!;
      const response = await fetch(`${gatewayUrl}/api/ncr/${path}`);
      const body = (await response.json()) as { code?: string };
      if (response.status === 400 && body.code === 'BAD_USER_INPUT') return { startedAt, valid: false, ok: false, code: body.code };
      return { startedAt, valid: false, ok: false, wrong: `invalid REST ${path} answered ${response.status} ${String(body.code)}` };
    }
    if (kind > 0.75 && kind <= 0.85) return await federated(gatewayUrl, startedAt, n, r);
    const invalid = kind > 0.85;
    const variables = invalid ? { n: r, r: n + 1 } : { n, r };
    const response = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query ($n: Int!, $r: Int!) { ncr(n: $n, r: $r) }', variables }),
    });
    const body = (await response.json()) as { data?: { ncr?: string } | null; errors?: { extensions?: { code?: string } }[] };
    const code = body.errors?.[0]?.extensions?.code;
    if (invalid) {
      return code === 'BAD_USER_INPUT'
        ? { startedAt, valid: false, ok: false, code }
        : { startedAt, valid: false, ok: false, wrong: `invalid GraphQL answered ${String(code)}` };
    }
    if (body.data?.ncr !== undefined) {
      return body.data.ncr === binomial(n, r).toString()
        ? { startedAt, valid: true, ok: true }
        : { startedAt, valid: true, ok: false, wrong: `wrong GraphQL answer for ${n}, ${r}` };
    }
    return isErrorCode(code)
      ? { startedAt, valid: true, ok: false, code }
      : { startedAt, valid: true, ok: false, wrong: `GraphQL error without a documented code: ${String(code)}` };
  } catch (error) {
    return { startedAt, valid: true, ok: false, wrong: `no answer: ${(error as Error).message}` };
  }
}

/**
 * A plan across both subgraphs: the binomial's value from math, its digit count and factorization from primes. Exact,
 * or coded; when one subgraph cannot answer, its fields alone are null, with their code.
 */
async function federated(gatewayUrl: string, startedAt: number, n: number, r: number): Promise<Omit<Outcome, 'finishedAt'>> {
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'query ($n: Int!, $r: Int!) { binomial(n: $n, r: $r) { value digitCount primeFactorization { prime exponent } } }',
      variables: { n, r },
    }),
  });
  const body = (await response.json()) as {
    data?: {
      binomial?: { value: string; digitCount: number | null; primeFactorization: { prime: number; exponent: number }[] | null };
    } | null;
    errors?: { extensions?: { code?: string } }[];
  };
  const code = body.errors?.[0]?.extensions?.code;
  const exact = binomial(n, r);
  const answer = body.data?.binomial;
  if (body.errors) {
    if (!isErrorCode(code) || code === 'INTERNAL_SERVER_ERROR')
      return { startedAt, valid: true, ok: false, wrong: `federated error ${String(code)}` };
    // What did arrive must be right.
    if (answer && answer.value !== exact.toString()) return { startedAt, valid: true, ok: false, wrong: `wrong value for C(${n}, ${r})` };
    return { startedAt, valid: true, ok: false, code };
  }
  const product = answer?.primeFactorization?.reduce((acc, { prime, exponent }) => acc * BigInt(prime) ** BigInt(exponent), 1n);
  return answer?.value === exact.toString() && answer.digitCount === answer.value.length && product === exact
    ? { startedAt, valid: true, ok: true }
    : { startedAt, valid: true, ok: false, wrong: `wrong federated answer for C(${n}, ${r})` };
}

function refusal(startedAt: number, valid: boolean, status: number, code: string | undefined): Omit<Outcome, 'finishedAt'> {
  if (isErrorCode(code) && ERRORS[code].status === status) return { startedAt, valid, ok: false, code };
  return { startedAt, valid, ok: false, wrong: `REST ${status} with code ${String(code)}` };
}

/** `clients` concurrent loops of oneRequest until `stop()` returns true; every outcome, in order of completion. */
export async function runLoad(gatewayUrl: string, clients: number, stop: () => boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!stop()) outcomes.push(await oneRequest(gatewayUrl));
    }),
  );
  return outcomes;
}

/** Counts by verdict, for a summary line. */
export function summarize(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = { total: outcomes.length, ok: 0, wrong: 0 };
  for (const o of outcomes) {
    if (o.ok) counts.ok!++;
    else if (o.wrong) counts.wrong!++;
    else counts[o.code!] = (counts[o.code!] ?? 0) + 1;
  }
  return counts;
}
