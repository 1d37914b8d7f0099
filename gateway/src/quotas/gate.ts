// The door every GraphQL and REST request passes first: who sent it (an unknown API key is refused with 401
// UNAUTHENTICATED), and its operation's own unit of work against its quota (429 RATE_LIMITED when over; 400
// BAD_USER_INPUT for work no quota refill can ever admit), before the
// cache of answers or anything else is asked. An answer served from the cache costs this unit alone.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../../../lib/errors';
import { UnknownApiKeyError, type ClientIdentity, type Clients } from '../clients';
import { quotaRefusal, rateLimitHeaders, type Quotas } from './quotas';
import type { OnLeave, Tarpit } from './tarpit';
import { workOf } from './work';

export type Admission =
  | { admitted: true; client: ClientIdentity; headers: Record<string, string> }
  | { admitted: false; code: ErrorCode; message: string; headers: Record<string, string> };

export class Gate {
  constructor(
    private readonly clients: Clients,
    private readonly quotas: Quotas,
    /** MAX_RESULT_DIGITS: a larger result is refused downstream, and costs nothing here. */
    private readonly maxResultDigits: number,
    /** Where refusals over quota wait before they are sent. */
    private readonly tarpit: Tarpit,
  ) {}

  /**
   * The admission of a client without a quota (or with an unknown key), decided now, with no promise: the hot path of
   * a gateway without quotas costs no more than reading who is asking. Undefined when a quota applies: `admit`.
   */
  admitAtOnce(request: FastifyRequest): Admission | undefined {
    const client = this.identify(request);
    if (!('label' in client)) return client;
    return this.quotas.policyOf(client) ? undefined : { admitted: true, client, headers: NO_HEADERS };
  }

  /** Who sent `request`, and its unit of work; a refusal over quota is held (see Tarpit) unless the client leaves. */
  async admit(request: FastifyRequest, reply?: FastifyReply): Promise<Admission> {
    const client = this.identify(request);
    return 'label' in client ? this.charge(client, 1, 1, reply) : client;
  }

  /** Charges the work of a result of `digits` estimated digits (beyond the request's unit) once it is to be computed. */
  chargeDigits(client: ClientIdentity, digits: number, reply?: FastifyReply): Promise<Admission> {
    const units = digits > this.maxResultDigits ? 0 : workOf(digits) - 1;
    return this.charge(client, units, units + 1, reply);
  }

  /** The client, or the refusal of a key no client has. */
  private identify(request: FastifyRequest): ClientIdentity | Admission {
    try {
      return this.clients.identify(request);
    } catch (error) {
      if (error instanceof UnknownApiKeyError)
        return { admitted: false, code: 'UNAUTHENTICATED', message: error.message, headers: NO_HEADERS };
      throw error;
    }
  }

  /** Takes `units` from the client's quota; `shown` is what the refusal says the operation costs. */
  private async charge(client: ClientIdentity, units: number, shown: number, reply: FastifyReply | undefined): Promise<Admission> {
    const decision = await this.quotas.take(client, units);
    if (!decision) return { admitted: true, client, headers: NO_HEADERS };
    if (decision.allowed) return { admitted: true, client, headers: rateLimitHeaders(decision) };
    const refusal = quotaRefusal(decision, shown);
    await this.tarpit.hold(refusal.holdSeconds, reply && leaving(reply));
    return { admitted: false, code: refusal.code, message: refusal.message, headers: refusal.headers };
  }
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Hears a client leave before its answer is sent (its response closes early). */
const leaving =
  (reply: FastifyReply): OnLeave =>
  (listener) => {
    reply.raw.once('close', listener);
    return () => reply.raw.off('close', listener);
  };
