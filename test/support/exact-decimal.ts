// Exact decimal helpers for tests that read raw exchange responses. Deliberately independent of src/domain/decimal.ts:
// the expected values must not be computed by the code under test.

/** A canonical plain decimal: no exponent, no leading zeros, no trailing fractional zeros, no "-0". */
export const CANONICAL_DECIMAL = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The canonical plain form of a decimal written as text ("0.01000000", "1e-05", "100", "1.5E+3").
 * Throws on anything that is not a decimal number, so a malformed raw value fails loudly.
 */
export function canonical(text: string): string {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (m === null || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  const negative = m[1] === '-';
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  const exponent = Number(m[4] ?? '0');
  // digits × 10^(exponent − fracPart.length)
  let digits = (intPart + fracPart).replace(/^0+/, '');
  let scale = fracPart.length - exponent; // number of digits after the point
  if (digits === '') return '0';
  // Drop trailing zeros while they sit after the decimal point.
  while (scale > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    scale -= 1;
  }
  let plain: string;
  if (scale <= 0) {
    plain = digits + '0'.repeat(-scale);
  } else if (digits.length > scale) {
    plain = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  } else {
    plain = `0.${'0'.repeat(scale - digits.length)}${digits}`;
  }
  return negative ? `-${plain}` : plain;
}

function toScaled(text: string): { units: bigint; scale: number } {
  const c = canonical(text);
  const negative = c.startsWith('-');
  const body = negative ? c.slice(1) : c;
  const [int = '', frac = ''] = body.split('.');
  const units = BigInt(int + frac) * (negative ? -1n : 1n);
  return { units, scale: frac.length };
}

/** Exact product of two decimals, canonical. */
export function multiply(a: string, b: string): string {
  const x = toScaled(a);
  const y = toScaled(b);
  const units = x.units * y.units;
  const scale = x.scale + y.scale;
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString();
  const padded = digits.padStart(scale + 1, '0');
  const text = scale === 0 ? padded : `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  return canonical(`${negative ? '-' : ''}${text}`);
}

/** 10^-places as a canonical decimal: 2 → "0.01", 0 → "1", -1 → "10" (a "number of decimals" field). */
export function incrementOfDecimals(places: string): string {
  if (!/^-?\d+$/.test(places)) throw new Error(`not an integer number of decimals: ${places}`);
  return canonical(`1e${-Number(places)}`);
}
