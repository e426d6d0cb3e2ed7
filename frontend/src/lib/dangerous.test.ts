import { describe, expect, it } from 'vitest';
import { MANY_KEYS, dangerOf, looksReadOnly } from './dangerous';

describe('dangerOf: commands that ask for confirmation', () => {
  it.each([['FLUSHALL'], ['flushall', 'ASYNC'], ['FLUSHDB'], ['KEYS', '*'], ['keys', '**'], ['SCRIPT', 'FLUSH'], ['FUNCTION', 'flush'], ['SWAPDB', '0', '1']])(
    '%s is dangerous',
    (...args) => {
      expect(dangerOf(args)).not.toBeNull();
    },
  );

  it.each([['GET', 'k'], ['KEYS', 'user:*'], ['DEL', 'a', 'b'], ['SCRIPT', 'EXISTS', 'x'], ['SET', 'FLUSHALL', 'x'], []])('%s is not', (...args) => {
    expect(dangerOf(args)).toBeNull();
  });

  it(`DEL and UNLINK of ${MANY_KEYS} or more keys ask first`, () => {
    const keys = Array.from({ length: MANY_KEYS }, (_, n) => `k${n}`);
    expect(dangerOf(['DEL', ...keys.slice(1)])).toBeNull();
    expect(dangerOf(['DEL', ...keys])?.reason).toContain(`${MANY_KEYS} keys`);
    expect(dangerOf(['unlink', ...keys])?.command).toBe('UNLINK');
  });

  it('explains why', () => {
    expect(dangerOf(['KEYS', '*'])?.reason).toMatch(/SCAN/);
  });
});

describe('looksReadOnly (the viewer hint)', () => {
  it('knows reads from writes', () => {
    expect(looksReadOnly(['GET', 'k'])).toBe(true);
    expect(looksReadOnly(['scan', '0'])).toBe(true);
    expect(looksReadOnly(['SET', 'k', 'v'])).toBe(false);
    expect(looksReadOnly([])).toBe(false);
  });
});
