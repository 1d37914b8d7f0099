// The size checks of one operation: each result's estimated digits against MAX_RESULT_DIGITS, and all of them
// together against MAX_OPERATION_DIGITS, before any call.

import { badInput } from '../../../lib/graphql';
import { ratioDigits } from '../../../lib/math';

export interface DigitLimits {
  /** Largest result, in decimal digits (estimated before any work). */
  maxResultDigits: number;
  /** Most digits all the results of one operation may add up to. */
  maxOperationDigits: number;
}

/** The digits an operation has been allowed so far; `refuse` is called when it goes over, to refuse it whole. */
export class DigitBudget {
  private digits = 0;

  constructor(
    private readonly limits: DigitLimits,
    private readonly refuse: (error: Error) => void,
  ) {}

  /** Checks prod(numerators!) / prod(denominators!)'s estimated size, counts it against the operation, and returns it. */
  admit(numerators: readonly number[], denominators: readonly number[], describe: () => string): number {
    const digits = ratioDigits(numerators, denominators);
    if (digits > this.limits.maxResultDigits) {
      throw badInput(
        `the result would have about ${digits} digits, above the limit of ${this.limits.maxResultDigits} (MAX_RESULT_DIGITS) (got ${describe()})`,
      );
    }
    // Many big fields in one operation (aliases) add up: the operation has a budget too.
    if (this.digits + digits > this.limits.maxOperationDigits) {
      const error = badInput(
        `the operation's results would have about ${this.digits + digits} digits in all, above the limit of ${this.limits.maxOperationDigits} (MAX_OPERATION_DIGITS) (got ${describe()})`,
      );
      // Refuse the whole operation: the fields already checked make no call either.
      this.refuse(error);
      throw error;
    }
    this.digits += digits;
    return digits;
  }

  /** The digits admitted so far. */
  get spent(): number {
    return this.digits;
  }
}
