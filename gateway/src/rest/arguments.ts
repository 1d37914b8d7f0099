// The REST route's path segments as integers, the way the tutorial's route took them, or a message saying what is wrong.

const INT32_MAX = 2 ** 31 - 1;
/** A decimal integer, or an integral decimal such as 10.0 (the tutorial parsed floats). */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The integer a path segment holds, or a message saying what is wrong with it. */
export function parseArgument(name: string, raw: string): number | string {
  const shown = raw.length > 32 ? `${raw.slice(0, 29)}...` : raw;
  // "+5", "1e3", "0x10", " 5": numbers perhaps, but not written as this route takes them.
  if (!DECIMAL.test(raw)) return `${name} must be a non-negative integer in decimal digits (got ${name} = ${JSON.stringify(shown)})`;
  const [whole, fraction = ''] = raw.split('.');
  if (/[1-9]/.test(fraction)) return `${name} must be an integer (got ${name} = ${shown})`;
  const digits = whole!.replace(/^-?0+(?=\d)/, (m) => (m.startsWith('-') ? '-' : ''));
  if (digits.startsWith('-') && digits !== '-0') return `${name} must be a non-negative integer (got ${name} = ${shown})`;
  const value = digits.length > 10 ? Infinity : Math.abs(Number(digits));
  if (value > INT32_MAX) return `${name} is too large (got ${name} = ${shown})`;
  return value;
}
