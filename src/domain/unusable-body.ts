/**
 * Why a successful response cannot be a JSON API's answer, or undefined when it can be. CCXT
 * hands a body it cannot parse to the exchange's code as a string, which reads it as "no markets":
 * an empty body, an HTML page or cut-off JSON would look like an exchange delisting everything.
 * `parsed` is what CCXT parsed from `body` (undefined when it could not).
 */
export function unusableBody(status: number, body: string, parsed: unknown): string | undefined {
  // 204 carries no body by definition; errors (4xx/5xx) are CCXT's and the exchange's to classify.
  if (status < 200 || status >= 300 || status === 204 || parsed !== undefined) return undefined;
  const text = body.trim();
  if (text === '') return 'an empty body';
  if (text.startsWith('<')) return 'an HTML page instead of JSON';
  if (text.startsWith('{') || text.startsWith('[')) return `malformed JSON (${Buffer.byteLength(body)} bytes)`;
  return undefined; // a bare scalar ("1700000000000"): some endpoints answer like that
}
