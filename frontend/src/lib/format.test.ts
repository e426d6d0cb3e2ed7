import { describe, expect, it } from 'vitest';
import { MIB, formatBytes, formatRate, parseMemory } from './format';

describe('format', () => {
  it('formats bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(40 * MIB)).toBe('40 MB');
    expect(formatBytes(undefined)).toBe('—');
  });
  it('formats rates', () => {
    expect(formatRate(0)).toBe('0');
    expect(formatRate(2.25)).toBe('2.3');
    expect(formatRate(1520)).toBe('1.5k');
  });
  it('parses memory the way the API does', () => {
    expect(parseMemory('40mb')).toBe(40 * MIB);
    expect(parseMemory('64Mi')).toBe(64 * MIB);
    expect(parseMemory('1000')).toBe(1000);
    expect(parseMemory('1m')).toBe(1_000_000);
    expect(parseMemory('12 parsecs')).toBeNull();
    expect(parseMemory('-1mb')).toBeNull();
  });
});
