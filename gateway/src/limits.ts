// Operation limits, checked at the gateway before any query planning or subgraph call.

import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, type ValidationRule } from 'graphql';

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
}

export const DEFAULT_LIMITS: Readonly<OperationLimits> = Object.freeze({
  maxDepth: 6,
  maxAliases: 50,
  maxRootFields: 50,
  maxTokens: 2000,
  maxDirectives: 10,
  maxCost: 500,
});

/**
 * Apollo Server options enforcing the limits: graphql-armor's rules, a root-field rule, and
 * graphql-js's own token limit in the parser (armor's token plugin re-parses every document
 * and turns syntax errors into HTTP 500s; the parser's option keeps them 400 GRAPHQL_PARSE_FAILED).
 */
export function operationLimits(limits: OperationLimits): {
  plugins: ApolloServerPlugin<BaseContext>[];
  validationRules: ValidationRule[];
  parseOptions: { maxTokens: number };
} {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost },
    // Suggestions are hidden by Apollo Server's own setting in production (hideSchemaDetailsFromClientErrors).
    blockFieldSuggestion: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    plugins: [...plugins, operationResolution],
    validationRules: [...validationRules, maxRootFieldsRule(limits.maxRootFields), knownOperationTypeRule],
    parseOptions: { maxTokens: limits.maxTokens },
  };
}

/** Rejects an operation that selects more than `max` fields on its root type, fragments included. */
export function maxRootFieldsRule(max: number): ValidationRule {
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
export const operationResolution: ApolloServerPlugin<BaseContext> = { requestDidStart: async () => resolutionListener };

/**
 * Refuses an operation whose type the schema lacks (mutation, subscription): graphql-js leaves that
 * to execution, where the gateway's query planner would throw an unexpected error (a 500).
 */
export const knownOperationTypeRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    if (!context.getSchema().getRootType(operation.operation)) {
      context.reportError(
        new GraphQLError(`This API serves queries only: the schema has no ${operation.operation} type.`, { nodes: [operation] }),
      );
    }
  },
});
