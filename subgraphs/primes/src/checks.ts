// The size check of one operation in the primes subgraph: the prime powers and primes its answers may hold in all
// (MAX_OPERATION_PRIMES), counted before any call from what each field can hold at most.

import { badInput } from '../../../lib/graphql';

/** The list items an operation has been allowed so far; `refuse` is called when it goes over, to refuse it whole. */
export class PrimeBudget {
  private items = 0;

  constructor(
    private readonly maxOperationPrimes: number,
    private readonly refuse: (error: Error) => void,
  ) {}

  /** Counts a field that may hold `items` prime powers or primes against the operation's limit. */
  admit(items: number, describe: () => string): void {
    if (this.items + items > this.maxOperationPrimes) {
      const error = badInput(
        `the operation's answers could hold ${this.items + items} prime powers and primes in all, above the limit of ${this.maxOperationPrimes} (MAX_OPERATION_PRIMES) (got ${describe()})`,
      );
      this.refuse(error);
      throw error;
    }
    this.items += items;
  }

  /** The items admitted so far. */
  get spent(): number {
    return this.items;
  }
}
