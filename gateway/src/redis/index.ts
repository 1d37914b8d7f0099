// The fleet's Redis, as an accelerator: its settings, its guarded client and caches, its circuit breaker.

export { CircuitBreaker, type BreakerState } from './breaker';
export { readRedisSettings, type RedisSettings } from './settings';
export { SharedRedis, type FailureReason } from './shared-redis';
export { seal, unseal, type Rejection } from './envelope';
