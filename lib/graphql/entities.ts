// The _entities field of a subgraph, guarded: a representation that names no entity of the schema (or is not an
// object) fails alone with BAD_USER_INPUT at its index; @apollo/subgraph would fail the whole list with an
// unexpected error.

import { isUnionType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { badInput } from './api-error';
import { shown } from './arguments';

/** Replaces the schema's _entities resolver with one that refuses bad representations one by one. */
export function guardEntities(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()._entities;
  const union = schema.getType('_Entity');
  if (!field?.resolve || !union || !isUnionType(union)) return;
  const entityTypes = new Set(union.getTypes().map((type) => type.name));
  const resolve = field.resolve as GraphQLFieldResolver<unknown, unknown, { representations: unknown[] }>;
  const problemWith = (representation: unknown): string | undefined => {
    if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) return 'must be an object';
    const typename = (representation as { __typename?: unknown }).__typename;
    if (typeof typename !== 'string' || !entityTypes.has(typename)) {
      return `must name an entity of this subgraph in __typename (${[...entityTypes].join(', ')}) (got ${shown(typename)})`;
    }
    return undefined;
  };
  field.resolve = (source, args: { representations: unknown[] }, context, info) => {
    const problems = args.representations.map(problemWith);
    if (problems.every((problem) => problem === undefined)) return resolve(source, args, context, info);
    const good = args.representations.filter((_, i) => problems[i] === undefined);
    const resolved = resolve(source, { ...args, representations: good }, context, info) as unknown[];
    let next = 0;
    return problems.map((problem, i) => (problem ? Promise.reject(badInput(`representations[${i}] ${problem}`)) : resolved[next++]));
  };
}
