import { describe, expect, it } from 'vitest';
import { type Reply, hasError, renderReply, repr, reprBytes, toPlain } from './resp';

const text = (reply: Reply) => renderReply(reply).map((l) => l.text);
const s = (value: string): Reply => ({ type: 'string', value });
const i = (value: number): Reply => ({ type: 'integer', value });

describe('renderReply: scalars as redis-cli prints them', () => {
  it.each<[Reply, string]>([
    [{ type: 'simple', value: 'OK' }, 'OK'],
    [s('hello world'), '"hello world"'],
    [i(42), '(integer) 42'],
    [{ type: 'double', value: 1.5 }, '(double) 1.5'],
    [{ type: 'double', value: 'inf' }, '(double) inf'],
    [{ type: 'bignum', value: '1234567890123456789012' }, '(big number) 1234567890123456789012'],
    [{ type: 'boolean', value: true }, '(true)'],
    [{ type: 'boolean', value: false }, '(false)'],
    [{ type: 'nil' }, '(nil)'],
    [{ type: 'error', value: 'ERR wrong number of arguments' }, '(error) ERR wrong number of arguments'],
    [{ type: 'array', items: [] }, '(empty array)'],
    [{ type: 'set', items: [] }, '(empty set)'],
    [{ type: 'map', pairs: [] }, '(empty hash)'],
  ])('%j → %s', (reply, expected) => {
    expect(text(reply)).toEqual([expected]);
  });

  it('escapes like sdscatrepr', () => {
    expect(repr('a"b\\c\n\r\t\x07\b\x01')).toBe('"a\\"b\\\\c\\n\\r\\t\\a\\b\\x01"');
    expect(repr('héllo')).toBe('"héllo"');
    expect(reprBytes(btoa('\xff\x00ok'))).toBe('"\\xff\\x00ok"');
    expect(text({ type: 'string', value: btoa('\xc3\x28'), base64: true })).toEqual(['"\\xc3("']);
  });

  it('keeps verbatim text raw, one line per line', () => {
    expect(text({ type: 'verbatim', value: '# Server\nredis_version:7.0.0' })).toEqual(['# Server', 'redis_version:7.0.0']);
  });

  it('tones: errors red, nil grey', () => {
    expect(renderReply({ type: 'error', value: 'ERR x' })[0].tone).toBe('error');
    expect(renderReply({ type: 'nil' })[0].tone).toBe('nil');
  });
});

describe('renderReply: aggregates', () => {
  it('numbers arrays and aligns the index width', () => {
    const items = Array.from({ length: 10 }, (_, n) => s(`v${n}`));
    const lines = text({ type: 'array', items });
    expect(lines[0]).toBe(' 1) "v0"');
    expect(lines[9]).toBe('10) "v9"');
  });

  it('indents nested arrays as redis-cli does', () => {
    const reply: Reply = { type: 'array', items: [{ type: 'array', items: [s('a'), s('b')] }, s('c'), { type: 'array', items: [] }] };
    expect(text(reply)).toEqual(['1) 1) "a"', '   2) "b"', '2) "c"', '3) (empty array)']);
  });

  it('prints sets with ~ and maps with # and =>', () => {
    expect(text({ type: 'set', items: [s('x'), s('y')] })).toEqual(['1~ "x"', '2~ "y"']);
    const map: Reply = { type: 'map', pairs: [{ key: s('f1'), value: s('v1') }, { key: s('n'), value: i(2) }] };
    expect(text(map)).toEqual(['1# "f1" => "v1"', '2# "n" => (integer) 2']);
  });

  it('nests maps in arrays (e.g. XINFO, COMMAND DOCS)', () => {
    const reply: Reply = {
      type: 'array',
      items: [{ type: 'map', pairs: [{ key: s('a'), value: { type: 'array', items: [i(1), i(2)] } }] }],
    };
    expect(text(reply)).toEqual(['1) 1# "a" => 1) (integer) 1', '      2) (integer) 2']); // redis-cli indents by the map's prefix, not under "=>"
  });

  it('finds errors inside aggregates and converts to plain values', () => {
    const reply: Reply = { type: 'array', items: [s('ok'), { type: 'error', value: 'ERR no' }] };
    expect(hasError(reply)).toBe(true);
    expect(hasError(s('x'))).toBe(false);
    expect(toPlain({ type: 'map', pairs: [{ key: s('k'), value: { type: 'array', items: [i(1), { type: 'nil' }] } }] })).toEqual({ k: [1, null] });
  });
});
