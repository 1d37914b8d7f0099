// The registry against what the README tells clients, and against the codes Apollo Server itself answers with.

import * as fs from 'node:fs';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { projectPath } from '../config';
import { ERRORS, errorCodeOf, isErrorCode } from '.';

/** The README's table of errors: code, fault, retry, HTTP status, as written. */
function documentedErrors(): Record<string, { fault: string; retry: string; status: number }> {
  const readme = fs.readFileSync(projectPath('README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Limits and security'));
  const rows = section.split('\n').filter((line) => /^\| `[A-Z_]+`/.test(line));
  return Object.fromEntries(
    rows.map((row) => {
      const [code, fault, retry, , status] = row
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      return [code!.replace(/`/g, ''), { fault: fault!, retry: retry!, status: Number(status) }];
    }),
  );
}

describe('the error registry', () => {
  it("is the README's table of errors: every code, its fault, whether to retry, its status, in the same order", () => {
    const registry = Object.fromEntries(
      Object.entries(ERRORS).map(([code, spec]) => [
        code,
        { fault: spec.fault, retry: spec.retryable ? 'yes' : 'no', status: spec.status },
      ]),
    );
    expect(documentedErrors()).toEqual(registry);
    expect(Object.keys(documentedErrors())).toEqual(Object.keys(ERRORS));
  });

  it('holds every code Apollo Server answers with, so none is masked as a bug', () => {
    for (const code of Object.values(ApolloServerErrorCode)) expect(isErrorCode(code)).toBe(true);
  });

  it('says INTERNAL_SERVER_ERROR only for bugs: unknown codes map to it, and it alone is a server fault that is not retryable', () => {
    expect(errorCodeOf('WEIRD')).toBe('INTERNAL_SERVER_ERROR');
    expect(errorCodeOf(undefined)).toBe('INTERNAL_SERVER_ERROR');
    expect(errorCodeOf('SUBGRAPH_UNAVAILABLE')).toBe('SUBGRAPH_UNAVAILABLE');
    const serverNotRetryable = Object.entries(ERRORS).filter(([, spec]) => spec.fault === 'server' && !spec.retryable);
    expect(serverNotRetryable.map(([code]) => code)).toEqual(['INTERNAL_SERVER_ERROR']);
  });
});
