// Exact decimals travel as plain strings ("0.00001", never "1e-5"). CCXT hands us JS numbers
// parsed from the exchange's decimal strings; the shortest round-trip form of such a number is
// the decimal the exchange wrote, so expanding its exponent is exact.

const PLAIN = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;

/** True for a canonical plain decimal: no exponent, no leading zeros, no trailing fractional zeros. */
export function isPlainDecimal(value: string): boolean {
  return PLAIN.test(value) && value !== '-0';
}

/**
 * Canonical plain decimal string of a number or numeric string, or undefined when the input is
 * missing or not a finite number. "0.01000000" → "0.01", 1e-7 → "0.0000001", "1E+3" → "1000".
 */
export function toPlainDecimal(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    // A number prints without an exponent from 1e-7 to 1e21, already canonical (the common case:
    // this runs for every limit of every market on every refresh).
    const text = String(value);
    if (!text.includes('e')) return text;
    return normalize(text);
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (isPlainDecimal(trimmed)) return trimmed;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
    return normalize(trimmed);
  }
  return undefined;
}

function normalize(text: string): string {
  let sign = '';
  let body = text;
  if (body.startsWith('-') || body.startsWith('+')) {
    sign = body.startsWith('-') ? '-' : '';
    body = body.slice(1);
  }
  let exponent = 0;
  const e = body.search(/[eE]/);
  if (e >= 0) {
    exponent = Number(body.slice(e + 1));
    body = body.slice(0, e);
  }
  const dot = body.indexOf('.');
  let digits = dot >= 0 ? body.slice(0, dot) + body.slice(dot + 1) : body;
  let pointAt = (dot >= 0 ? dot : body.length) + exponent;
  if (pointAt < 0) {
    digits = '0'.repeat(-pointAt) + digits;
    pointAt = 0;
  }
  if (pointAt > digits.length) digits = digits + '0'.repeat(pointAt - digits.length);
  const intPart = digits.slice(0, pointAt).replace(/^0+/, '') || '0';
  const fracPart = digits.slice(pointAt).replace(/0+$/, '');
  const result = fracPart ? `${intPart}.${fracPart}` : intPart;
  return result === '0' ? '0' : sign + result;
}

/** "1" followed by places decimal places: 2 → "0.01", 0 → "1", -1 → "10". */
export function decimalPlacesToIncrement(places: number): string {
  if (!Number.isInteger(places)) throw new RangeError(`decimal places must be an integer, got ${places}`);
  if (places <= 0) return '1' + '0'.repeat(-places);
  return '0.' + '0'.repeat(places - 1) + '1';
}

function splitDecimal(value: string): { negative: boolean; int: string; frac: string } {
  const plain = toPlainDecimal(value);
  if (plain === undefined) throw new RangeError(`not a decimal: ${value}`);
  const negative = plain.startsWith('-');
  const [int = '0', frac = ''] = (negative ? plain.slice(1) : plain).split('.');
  return { negative, int, frac };
}

/** Exact product of two plain decimals ("1" × "0.01" → "0.01"). */
export function multiplyDecimals(a: string, b: string): string {
  const [x, y] = [splitDecimal(a), splitDecimal(b)];
  const digits = BigInt(x.int + x.frac) * BigInt(y.int + y.frac);
  const scale = x.frac.length + y.frac.length;
  const text = digits.toString().padStart(scale + 1, '0');
  const product = scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
  return toPlainDecimal((x.negative !== y.negative ? '-' : '') + product) as string;
}
