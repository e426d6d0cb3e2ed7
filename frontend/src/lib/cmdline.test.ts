import { describe, expect, it } from 'vitest';
import { CommandLineError, quoteArg, splitArgs, splitArgsLenient } from './cmdline';

describe('splitArgs (redis-cli sdssplitargs)', () => {
  it.each<[string, string[]]>([
    ['SET k v', ['SET', 'k', 'v']],
    ['  GET   key  ', ['GET', 'key']],
    ['SET greeting "hello world"', ['SET', 'greeting', 'hello world']],
    ['SET k "a\\nb\\t\\"c\\""', ['SET', 'k', 'a\nb\t"c"']],
    ['SET k "\\x41\\x42"', ['SET', 'k', 'AB']],
    ["SET k 'single \\' quote'", ['SET', 'k', "single ' quote"]],
    ["SET k 'no \\n escape'", ['SET', 'k', 'no \\n escape']],
    ['SET k ""', ['SET', 'k', '']],
    ['', []],
  ])('%s', (line, expected) => {
    expect(splitArgs(line)).toEqual(expected);
  });

  it('refuses unbalanced quotes and text glued to a closing quote', () => {
    expect(() => splitArgs('SET k "open')).toThrow(CommandLineError);
    expect(() => splitArgs("SET k 'open")).toThrow(CommandLineError);
    expect(() => splitArgs('SET k "a"b')).toThrow(CommandLineError);
  });

  it('lenient split closes an open quote (for hints while typing)', () => {
    expect(splitArgsLenient('SET k "hello wor')).toEqual(['SET', 'k', 'hello wor']);
    expect(splitArgsLenient("GET 'x")).toEqual(['GET', 'x']);
  });

  it('quoteArg round-trips through splitArgs', () => {
    for (const arg of ['plain', 'two words', 'q"uote', 'back\\slash', 'new\nline', '', "it's", 'ünï']) {
      expect(splitArgs(`SET ${quoteArg(arg)}`)).toEqual(['SET', arg]);
    }
  });
});
