import { describe, expect, it } from 'vitest';
import { HISTORY_MAX, History, completions } from './history';

describe('History', () => {
  it('walks back and forth and restores the draft', () => {
    const h = new History(null, ['GET a', 'GET b']);
    expect(h.up('typing')).toBe('GET b');
    expect(h.up('')).toBe('GET a');
    expect(h.up('')).toBe('GET a');
    expect(h.down()).toBe('GET b');
    expect(h.down()).toBe('typing');
  });

  it('skips repeats, caps its length and persists', () => {
    const h = new History('test-history');
    h.push('PING');
    h.push('PING');
    h.push('  ');
    expect(h.entries).toEqual(['PING']);
    for (let n = 0; n < HISTORY_MAX + 5; n++) h.push(`SET k ${n}`);
    expect(h.entries.length).toBe(HISTORY_MAX);
    expect(new History('test-history').entries.at(-1)).toBe(`SET k ${HISTORY_MAX + 4}`);
  });
});

describe('completions', () => {
  it('matches command names by prefix, case-insensitively, sorted', () => {
    expect(completions(['get', 'getex', 'set', 'getrange'], 'GE')).toEqual(['get', 'getex', 'getrange']);
    expect(completions(['get'], '')).toEqual([]);
  });
});
