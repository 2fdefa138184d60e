import { describe, expect, it } from 'vitest';
import { decimalPlacesToIncrement, isPlainDecimal, multiplyDecimals, toPlainDecimal } from '../../src/domain/decimal.js';

describe('toPlainDecimal', () => {
  it.each([
    [1e-5, '0.00001'],
    [1e-8, '0.00000001'],
    [0.1 + 0.2, '0.30000000000000004'],
    [100, '100'],
    [1e21, '1000000000000000000000'],
    [-0.5, '-0.5'],
    [0, '0'],
    ['0.01000000', '0.01'],
    ['1E+3', '1000'],
    ['000.500', '0.5'],
    ['-0', '0'],
    ['1.5e-7', '0.00000015'],
    ['92233720368', '92233720368'],
  ])('%s → %s', (input, expected) => {
    expect(toPlainDecimal(input)).toBe(expected);
    expect(isPlainDecimal(expected)).toBe(true);
  });

  it.each([undefined, null, NaN, Infinity, '', 'abc', '1.2.3', {}])('%s is not a decimal', (input) => {
    expect(toPlainDecimal(input)).toBeUndefined();
  });

  it('rejects non-canonical forms', () => {
    expect(isPlainDecimal('1e-5')).toBe(false);
    expect(isPlainDecimal('0.10')).toBe(false);
    expect(isPlainDecimal('01')).toBe(false);
    expect(isPlainDecimal('-0')).toBe(false);
  });
});

describe('decimalPlacesToIncrement', () => {
  it.each([[0, '1'], [1, '0.1'], [8, '0.00000001'], [-2, '100']])('%i places → %s', (places, expected) => {
    expect(decimalPlacesToIncrement(places)).toBe(expected);
  });
});

describe('multiplyDecimals', () => {
  it.each([
    ['1', '0.01', '0.01'],
    ['0.1', '0.1', '0.01'],
    ['100', '1', '100'],
    ['-2.5', '0.4', '-1'],
    ['0.0001', '10', '0.001'],
    ['123456789.123456789', '1000', '123456789123.456789'],
  ])('%s × %s = %s', (a, b, expected) => {
    expect(multiplyDecimals(a, b)).toBe(expected);
  });
});
