// Quotas by work: what an operation costs, and each client's quota of it, shared across replicas through Redis.

export { operationWork, workOf, DIGITS_PER_UNIT } from './work';
export { Quotas, quotaRefusal, rateLimitHeaders, windowSeconds, type Decision, type Policy, type QuotaRefusal } from './quotas';
export { readQuotaSettings, type QuotaSettings } from './settings';
export { quotaPlugin, type QuotaContext } from './plugin';
export { Gate, type Admission } from './gate';
export { Tarpit } from './tarpit';
