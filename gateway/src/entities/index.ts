// The entity cache: _entities fetches answered from the cache where it can, only the rest sent to the subgraph.

export { EntityCache, type EntityCacheOptions } from './entity-cache';
export { decodeEntity, encodeEntity, type KeptEntity } from './codec';
