// The work of an operation, as its quota counts it: 1 unit for the operation, plus 1 for every 1,000 decimal digits
// its results are estimated to take (the estimate the limits already make, before any work). A small ncr costs
// about 1; ncr(10^6, 5·10^5), 301,030 digits, about 302. Fields the estimate does not know (sizes, factorizations,
// primes) count by the size of their answer: 10 digits a list item.

import { Kind, valueFromASTUntyped, type DocumentNode, type FieldNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ratioDigits } from '../../../lib/math';

/** Digits a unit of work stands for. */
export const DIGITS_PER_UNIT = 1000;
/** Digits a list item of a factorization or of primes(from, to) is counted for. */
const DIGITS_PER_ITEM = 10;

/** Units of work for `digits` estimated digits of results, the operation's own unit included. */
export const workOf = (digits: number): number => 1 + Math.ceil(digits / DIGITS_PER_UNIT);

const int = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;

/**
 * Estimated digits of one root field's result, from its arguments; 0 for arguments the subgraph will refuse (a
 * result above `maxResultDigits` among them: its refusal, BAD_USER_INPUT, costs nothing).
 */
function fieldDigits(
  field: FieldNode,
  variables: Record<string, unknown>,
  fragments: Map<string, SelectionSetNode>,
  maxResultDigits: number,
): number {
  const digits = estimate(field, variables, fragments);
  return digits > maxResultDigits ? 0 : digits;
}

function estimate(field: FieldNode, variables: Record<string, unknown>, fragments: Map<string, SelectionSetNode>): number {
  const args = Object.fromEntries((field.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value, variables)]));
  const n = int(args.n);
  const r = int(args.r);
  const asks = (name: string): boolean => selects(field.selectionSet, name, fragments, 0);
  const factorizationItems = (m: number): number => (asks('primeFactorization') ? (m / Math.max(1, Math.log(m))) * DIGITS_PER_ITEM : 0);
  switch (field.name.value) {
    case 'ncr':
      return n !== undefined && r !== undefined && r <= n ? ratioDigits([n], [r, n - r]) : 0;
    case 'npr':
      return n !== undefined && r !== undefined && r <= n ? ratioDigits([n], [n - r]) : 0;
    case 'factorial':
      return n !== undefined ? ratioDigits([n], []) : 0;
    case 'catalan':
      return n !== undefined ? ratioDigits([2 * n], [n + 1, n]) : 0;
    case 'multinomial': {
      const ks = Array.isArray(args.ks) ? args.ks.map(int) : [];
      if (ks.some((k) => k === undefined)) return 0;
      const total = (ks as number[]).reduce((a, b) => a + b, 0);
      return ratioDigits([total], ks as number[]);
    }
    case 'binomial':
      return n !== undefined && r !== undefined && r <= n ? (asks('value') ? ratioDigits([n], [r, n - r]) : 0) + factorizationItems(n) : 0;
    case 'factorials': {
      const ns = Array.isArray(args.ns) ? args.ns.map(int).filter((m): m is number => m !== undefined) : [];
      return ns.reduce((sum, m) => sum + (asks('value') ? ratioDigits([m], []) : 0) + factorizationItems(m), 0);
    }
    case 'primes': {
      const from = int(args.from) ?? 2;
      const to = int(args.to);
      return to !== undefined && to >= from ? ((to - from) / Math.max(1, Math.log(to))) * DIGITS_PER_ITEM : 0;
    }
    default:
      return 0;
  }
}

/** Whether a selection set asks for the field `name`, through fragments too (depth-bounded, as the limits are). */
function selects(
  selectionSet: SelectionSetNode | undefined,
  name: string,
  fragments: Map<string, SelectionSetNode>,
  depth: number,
): boolean {
  if (!selectionSet || depth > 16) return false;
  return selectionSet.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === name;
    const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value);
    return selects(inner, name, fragments, depth + 1);
  });
}

/** The work of `operation` in `document` with `variables`: 1 unit, plus 1 per 1,000 estimated digits of its results. */
export function operationWork(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  maxResultDigits: number,
): number {
  const fragments = new Map(
    document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d.selectionSet] as const),
  );
  let digits = 0;
  const visit = (selectionSet: SelectionSetNode, depth: number): void => {
    if (depth > 16) return;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) digits += fieldDigits(selection, variables ?? {}, fragments, maxResultDigits);
      else {
        const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value);
        if (inner) visit(inner, depth + 1);
      }
    }
  };
  visit(operation.selectionSet, 0);
  return workOf(digits);
}
