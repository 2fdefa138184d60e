// Canonical form of a raw exchange decimal ("0.01000000" → "0.01", 0.0005 → "0.0005"), written
// independently of the code under test so expectations come from the raw data alone.
export function rawDecimal(value: string | number): string {
  let text = typeof value === 'number' ? value.toString() : value.trim();
  if (/e/i.test(text)) text = Number(text).toFixed(20);
  if (!text.includes('.')) return text.replace(/^(-?)0+(?=\d)/, '$1');
  text = text.replace(/0+$/, '').replace(/\.$/, '');
  return text.replace(/^(-?)0+(?=\d)/, '$1');
}
