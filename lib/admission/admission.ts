// A process's budget for work in flight, in units of its choosing (bytes of memory here): requests take their share
// in arrival order and give it back when done. One that does not fit waits, within its deadline; when too many wait,
// the next is refused at once (the caller sheds load with RESOURCE_EXHAUSTED). A share larger than the whole budget
// is granted alone on an idle process, so that whatever a request's own limits admit can succeed. A small share
// (at most 1/256 of the budget) does not queue behind big ones: it is granted whenever it fits, so that small
// requests keep flowing while big ones wait their turn.

import { QueueFullError, TaskAbortedError } from '../errors';
import type { Deadline } from '../request';

export interface AdmissionOptions {
  /** Units that may be in use at once. */
  capacity: number;
  /** Requests that may wait for their share before the next is refused. */
  maxWaiting: number;
}

export interface AdmissionStats {
  capacity: number;
  inUse: number;
  waiting: number;
  /** Requests refused so far because too many waited. */
  refused: number;
}

interface Waiter {
  units: number;
  grant: () => void;
}

/** A share at most this fraction of the budget is small: granted whenever it fits, ahead of big ones waiting. */
const SMALL_SHARE_DIVISOR = 256;

export class Admission {
  private inUse = 0;
  private refused = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly options: AdmissionOptions) {}

  /**
   * Resolves with the function that gives `units` back, once they are free (at once when nothing waits and they fit);
   * rejects with QueueFullError when `maxWaiting` requests already wait, or TaskAbortedError when the deadline passes first.
   */
  acquire(units: number, deadline: Deadline): Promise<() => void> {
    const share = Math.min(Math.max(0, units), this.options.capacity);
    if (deadline.expired) return Promise.reject(new TaskAbortedError());
    const small = share <= this.options.capacity / SMALL_SHARE_DIVISOR;
    if ((small || this.waiting.length === 0) && this.inUse + share <= this.options.capacity) return Promise.resolve(this.take(share));
    if (this.waiting.length >= this.options.maxWaiting) {
      this.refused++;
      return Promise.reject(new QueueFullError(this.options.maxWaiting));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        units: share,
        grant: () => {
          stopListening();
          resolve(this.take(share));
        },
      };
      const stopListening = deadline.onExpire(() => {
        const index = this.waiting.indexOf(waiter);
        if (index < 0) return;
        this.waiting.splice(index, 1);
        reject(new TaskAbortedError());
        // The head may have been what held the others back.
        this.grantWaiting();
      });
      this.waiting.push(waiter);
    });
  }

  stats(): AdmissionStats {
    return { capacity: this.options.capacity, inUse: this.inUse, waiting: this.waiting.length, refused: this.refused };
  }

  private take(units: number): () => void {
    this.inUse += units;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse -= units;
      this.grantWaiting();
    };
  }

  /** Grants waiting requests in arrival order, as long as the first fits. */
  private grantWaiting(): void {
    while (this.waiting.length > 0 && this.inUse + this.waiting[0]!.units <= this.options.capacity) {
      this.waiting.shift()!.grant();
    }
  }
}
