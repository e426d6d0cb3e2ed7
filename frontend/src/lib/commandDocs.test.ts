import { describe, expect, it } from 'vitest';
import { argumentsHint, docFor, normaliseDoc, remainingHint } from './commandDocs';

// Shapes as the node's COMMAND DOCS returns them (converted with toPlain).
const set = normaliseDoc({
  summary: 'Set the string value of a key',
  arguments: [
    { name: 'key', type: 'key' },
    { name: 'value', type: 'string' },
    { name: 'condition', type: 'oneof', flags: ['optional'], arguments: [{ name: 'nx', type: 'pure-token', token: 'NX' }, { name: 'xx', type: 'pure-token', token: 'XX' }] },
    { name: 'get', type: 'pure-token', token: 'GET', flags: ['optional'] },
    {
      name: 'expiration',
      type: 'oneof',
      flags: ['optional'],
      arguments: [
        { name: 'seconds', type: 'integer', token: 'EX' },
        { name: 'keepttl', type: 'pure-token', token: 'KEEPTTL' },
      ],
    },
  ],
});
const rpush = normaliseDoc({ arguments: [{ name: 'key', type: 'key' }, { name: 'element', type: 'string', flags: ['multiple'] }] });

describe('syntax hints from COMMAND DOCS', () => {
  it('lays arguments out in Redis doc notation', () => {
    expect(argumentsHint(set.arguments)).toBe('key value [NX|XX] [GET] [EX seconds|KEEPTTL]');
    expect(argumentsHint(rpush.arguments)).toBe('key element [element ...]');
    expect(argumentsHint(normaliseDoc({ arguments: [{ name: 'field', type: 'string', token: 'FIELDS', flags: ['multiple', 'multiple_token'] }] }).arguments)).toBe(
      'FIELDS field [FIELDS field ...]',
    );
  });

  it('drops what was already typed', () => {
    expect(remainingHint(set, 0)).toBe('key value [NX|XX] [GET] [EX seconds|KEEPTTL]');
    expect(remainingHint(set, 1)).toBe('value [NX|XX] [GET] [EX seconds|KEEPTTL]');
    expect(remainingHint(set, 2)).toBe('[NX|XX] [GET] [EX seconds|KEEPTTL]');
    expect(remainingHint(set, 3)).toBe('');
    expect(remainingHint(undefined, 0)).toBe('');
  });

  it('finds subcommand docs (CONFIG GET)', () => {
    const config = normaliseDoc({ summary: 'container', subcommands: { 'config|get': { arguments: [{ name: 'parameter', type: 'string', flags: ['multiple'] }] } } });
    const { doc, consumed } = docFor({ config }, ['CONFIG', 'GET']);
    expect(consumed).toBe(2);
    expect(argumentsHint(doc?.arguments)).toBe('parameter [parameter ...]');
    expect(docFor({ config }, ['config']).consumed).toBe(1);
  });

  it('tolerates odd shapes without throwing', () => {
    expect(normaliseDoc(null)).toEqual({});
    expect(normaliseDoc({ arguments: 'nope' }).arguments).toBeUndefined();
  });
});
