// Operation limits, checked before any query planning, execution or call: at the gateway, and again in every
// subgraph for whoever reaches it directly.

import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, visit, type DocumentNode, type ValidationRule } from 'graphql';
import { readInt } from '../config';

export interface OperationLimits {
  /** Deepest selection. Default: 6. */
  maxDepth: number;
  /** Aliases in a document. Default: 50. */
  maxAliases: number;
  /** Fields selected on the root type of an operation (each is a computation here). Default: 50. */
  maxRootFields: number;
  /** Tokens in a document (stops huge documents before they are parsed in full). Default: 2,000. */
  maxTokens: number;
  /** Directives in a document. Default: 10. */
  maxDirectives: number;
  /** graphql-armor's cost (1 per scalar, 2 per object, x1.5 per level). Default: 500. */
  maxCost: number;
  /** Items in all the list arguments of an operation together, literals and variables alike. Default: 256. */
  maxListLength: number;
}

export const DEFAULT_LIMITS: Readonly<OperationLimits> = Object.freeze({
  maxDepth: 6,
  maxAliases: 50,
  maxRootFields: 50,
  maxTokens: 2000,
  maxDirectives: 10,
  maxCost: 500,
  maxListLength: 256,
});

/** Reads MAX_DEPTH, MAX_ALIASES, MAX_ROOT_FIELDS, MAX_TOKENS, MAX_DIRECTIVES, MAX_COST and MAX_LIST_LENGTH. */
export function readOperationLimits(env: Readonly<Record<string, string | undefined>>): Readonly<OperationLimits> {
  return Object.freeze({
    maxDepth: readInt(env, 'MAX_DEPTH', DEFAULT_LIMITS.maxDepth, { min: 1, max: 1000 }),
    maxAliases: readInt(env, 'MAX_ALIASES', DEFAULT_LIMITS.maxAliases, { min: 0, max: 100_000 }),
    maxRootFields: readInt(env, 'MAX_ROOT_FIELDS', DEFAULT_LIMITS.maxRootFields, { min: 1, max: 100_000 }),
    maxTokens: readInt(env, 'MAX_TOKENS', DEFAULT_LIMITS.maxTokens, { min: 10, max: 1_000_000 }),
    maxDirectives: readInt(env, 'MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, { min: 0, max: 10_000 }),
    maxCost: readInt(env, 'MAX_COST', DEFAULT_LIMITS.maxCost, { min: 1, max: 10_000_000 }),
    maxListLength: readInt(env, 'MAX_LIST_LENGTH', DEFAULT_LIMITS.maxListLength, { min: 1, max: 1_000_000 }),
  });
}

/** What Apollo Server needs to enforce limits: plugins, validation rules and the parser's token limit. */
export interface EnforcedLimits {
  plugins: ApolloServerPlugin<BaseContext>[];
  validationRules: ValidationRule[];
  parseOptions: { maxTokens: number };
}

/** graphql-armor's rules for depth, aliases and directives, and its cost rule when `maxCost` is given. */
function armorRules(
  limits: OperationLimits,
  maxCost: number | undefined,
): { plugins: ApolloServerPlugin<BaseContext>[]; validationRules: ValidationRule[] } {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    // graphql-armor's token plugin re-parses every document and turns syntax errors into HTTP 500s: the parser's own
    // option (parseOptions) keeps them 400 GRAPHQL_PARSE_FAILED.
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: maxCost === undefined ? { enabled: false } : { maxCost },
    // Suggestions are hidden by Apollo Server's own setting in production (hideSchemaDetailsFromClientErrors).
    blockFieldSuggestion: { enabled: false },
  });
  return armor.protect() as { plugins: ApolloServerPlugin<BaseContext>[]; validationRules: ValidationRule[] };
}

/**
 * The gateway's limits, all of them: graphql-armor's rules and cost, root fields, the operation types the schema has,
 * list lengths, tokens in the parser, and the resolution of the operation to run.
 */
export function gatewayLimits(limits: OperationLimits): EnforcedLimits {
  const armor = armorRules(limits, limits.maxCost);
  return {
    plugins: [...armor.plugins, listLengths(limits.maxListLength, 'MAX_LIST_LENGTH'), operationResolution],
    validationRules: [...armor.validationRules, maxRootFieldsRule(limits.maxRootFields), knownOperationTypeRule],
    parseOptions: { maxTokens: limits.maxTokens },
  };
}

/**
 * A subgraph's limits, for whoever reaches it directly: the limits the query planner keeps as they were (depth,
 * aliases, root fields, directives), and list lengths with room for the entities one gateway fetch can carry
 * (`maxListLength + maxRootFields` representations); not tokens and cost, which the planner changes (it expands
 * fragments and adds __typename and key fields), so that an operation the gateway admitted is never refused by a
 * subgraph (tokens get 16 times the room).
 */
export function subgraphLimits(limits: OperationLimits): EnforcedLimits {
  const armor = armorRules(limits, undefined);
  return {
    plugins: [...armor.plugins, listLengths(limits.maxListLength + limits.maxRootFields, 'MAX_LIST_LENGTH + MAX_ROOT_FIELDS')],
    validationRules: [...armor.validationRules, maxRootFieldsRule(limits.maxRootFields), knownOperationTypeRule],
    parseOptions: { maxTokens: 16 * limits.maxTokens },
  };
}

/** Rejects an operation that selects more than `max` fields on its root type, fragments included. */
function maxRootFieldsRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const fragments = new Map(
        context
          .getDocument()
          .definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
          .map((d) => [d.name.value, d]),
      );
      let count = 0;
      const visited = new Set<string>();
      const walk = (selections: readonly import('graphql').SelectionNode[]): void => {
        for (const selection of selections) {
          if (selection.kind === Kind.FIELD) count++;
          else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet.selections);
          else if (!visited.has(selection.name.value)) {
            // Each named fragment once: a cycle is reported by graphql-js's own rule.
            visited.add(selection.name.value);
            const fragment = fragments.get(selection.name.value);
            if (fragment) walk(fragment.selectionSet.selections);
          }
        }
      };
      walk(operation.selectionSet.selections);
      if (count > max) {
        context.reportError(new GraphQLError(`Root fields limit of ${max} exceeded, found ${count}.`, { nodes: [operation] }));
      }
    },
  });
}

/** The list items of each document counted so far: Apollo Server's document store hands the same DocumentNode to every request of one document. */
const documentListItems = new WeakMap<DocumentNode, number>();

/** Items in every list literal of a document, counted once per document. */
function listItemsInDocument(document: DocumentNode): number {
  let items = documentListItems.get(document);
  if (items !== undefined) return items;
  let counted = 0;
  visit(document, {
    ListValue(node) {
      counted += node.values.length;
    },
  });
  documentListItems.set(document, (items = counted));
  return items;
}

/**
 * Items in every array of a request's variables, however deep; it stops counting past `max`. Iterative, with an
 * explicit stack: the value is the client's, and its depth is not ours to trust.
 */
function listItemsInVariables(variables: unknown, max: number): number {
  let counted = 0;
  const pending: unknown[] = [variables];
  while (pending.length > 0 && counted <= max) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    const items = Array.isArray(value) ? value : Object.values(value);
    if (Array.isArray(value)) counted += value.length;
    for (const item of items) if (typeof item === 'object' && item !== null) pending.push(item);
  }
  return counted;
}

/** How far list items are counted: past it a request is refused without counting the rest. */
const COUNT_UP_TO = 1_000_000;

/**
 * Refuses an operation whose list arguments hold more than `max` items together (BAD_USER_INPUT, 400), before its
 * variables are coerced or any field runs: a 20,000-item list costs one check, not 20,000 of anything.
 */
function listLengths(max: number, setting = 'MAX_LIST_LENGTH'): ApolloServerPlugin<BaseContext> {
  const listener: GraphQLRequestListener<BaseContext> = {
    async didResolveOperation({ document, request }) {
      const items = listItemsInDocument(document) + listItemsInVariables(request.variables, COUNT_UP_TO);
      if (items <= max) return;
      const got = items > COUNT_UP_TO ? `more than ${COUNT_UP_TO}` : String(items);
      throw new GraphQLError(`the operation's list arguments may hold at most ${max} items in all (${setting}) (got ${got})`, {
        extensions: { code: ApolloServerErrorCode.BAD_USER_INPUT, http: { status: 400 } },
      });
    },
  };
  return { requestDidStart: async () => listener };
}

/**
 * Refuses a request whose operation cannot be found in its document (an `operationName` the document lacks, or
 * none given for several operations) with 400 OPERATION_RESOLUTION_FAILURE, as Apollo Server does without a
 * gateway. With one, it leaves that to the gateway's executor, whose error is unexpected there (a masked 500).
 */
const resolutionListener: GraphQLRequestListener<BaseContext> = {
  async didResolveOperation({ operation, request }) {
    if (operation) return;
    const message = request.operationName
      ? `Unknown operation named "${request.operationName.slice(0, 100)}".`
      : 'Must provide operation name if query contains multiple operations.';
    throw new GraphQLError(message, {
      extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } },
    });
  },
};
const operationResolution: ApolloServerPlugin<BaseContext> = { requestDidStart: async () => resolutionListener };

/**
 * Refuses an operation whose type the schema lacks (mutation, subscription): graphql-js leaves that to execution,
 * where the gateway's query planner, or a subgraph's executor, would throw an unexpected error.
 */
const knownOperationTypeRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    if (!context.getSchema().getRootType(operation.operation)) {
      context.reportError(
        new GraphQLError(`This API serves queries only: the schema has no ${operation.operation} type.`, { nodes: [operation] }),
      );
    }
  },
});
