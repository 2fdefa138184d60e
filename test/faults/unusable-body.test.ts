import { expect, it } from 'vitest';
import { unusableBody } from '../../src/domain/unusable-body.js';

it.each([
  [200, '', undefined, 'an empty body'],
  [200, '  \n', undefined, 'an empty body'],
  [200, '<!DOCTYPE html><html>…', undefined, 'an HTML page instead of JSON'],
  [200, '{"symbols":[{"symbol":"BTCUSD_PERP"', undefined, 'malformed JSON (35 bytes)'],
  [200, '[1,2', undefined, 'malformed JSON (4 bytes)'],
])('a %i with body %j is unusable: %s', (status, body, parsed, reason) => {
  expect(unusableBody(status, body, parsed)).toBe(reason);
});

it.each([
  [200, '{"symbols":[]}', { symbols: [] }],
  [200, '1700000000000', undefined], // a bare scalar some endpoints answer with
  [204, '', undefined],
  [503, '<html>503</html>', undefined], // errors stay CCXT's and the exchange's to classify
  [429, '', undefined],
])('a %i with body %j is left to CCXT', (status, body, parsed) => {
  expect(unusableBody(status, body, parsed)).toBeUndefined();
});
