/**
 * RESP3 replies (typed JSON from the exec endpoint) rendered the way redis-cli prints them in a
 * terminal (`cliFormatReplyTTY`): "quoted strings", (integer) 1, (double) 1.5, (nil), (true),
 * (error) ERR ..., numbered arrays `1) ...`, sets `1~ ...`, maps `1# key => value`, and the
 * (empty array)/(empty set)/(empty hash) forms. Each output line carries a tone for colouring.
 */
import type { components } from '../client/schema';

/** The API's `Reply` (generated), with the defaulted `base64` optional so replies can be built by hand. */
export interface Reply {
  type: components['schemas']['Reply']['type'];
  value?: components['schemas']['Reply']['value'];
  base64?: boolean;
  items?: Reply[] | null;
  pairs?: { key: Reply; value: Reply }[] | null;
}
export type Tone = 'normal' | 'error' | 'nil' | 'number' | 'string' | 'status';
export interface Line {
  text: string;
  tone: Tone;
}

/** redis-cli's sdscatrepr: printable characters kept, the rest escaped. Non-ASCII text is kept. */
export function repr(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '\\':
      case '"':
        out += '\\' + ch;
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\x07':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      default:
        out += code < 0x20 || code === 0x7f ? '\\x' + code.toString(16).padStart(2, '0') : ch;
    }
  }
  return out + '"';
}

/** Bytes given base64-encoded (not UTF-8) as redis-cli shows them: printable ASCII, else \xHH. */
export function reprBytes(base64: string): string {
  const raw = atob(base64);
  let out = '"';
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    const ch = raw[i];
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code === 7) out += '\\a';
    else if (code === 8) out += '\\b';
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else out += '\\x' + code.toString(16).padStart(2, '0');
  }
  return out + '"';
}

function scalar(reply: Reply): Line {
  const value = reply.value;
  switch (reply.type) {
    case 'string':
      return { text: reply.base64 ? reprBytes(String(value ?? '')) : repr(String(value ?? '')), tone: 'string' };
    case 'simple':
      return { text: String(value ?? ''), tone: 'status' };
    case 'verbatim':
      return { text: reply.base64 ? reprBytes(String(value ?? '')) : String(value ?? ''), tone: 'normal' };
    case 'integer':
      return { text: `(integer) ${value}`, tone: 'number' };
    case 'double':
      return { text: `(double) ${formatDouble(value)}`, tone: 'number' };
    case 'bignum':
      return { text: `(big number) ${value}`, tone: 'number' };
    case 'boolean':
      return { text: value ? '(true)' : '(false)', tone: 'number' };
    case 'nil':
      return { text: '(nil)', tone: 'nil' };
    case 'error':
      return { text: `(error) ${value ?? ''}`, tone: 'error' };
    default:
      return { text: String(value ?? ''), tone: 'normal' };
  }
}

function formatDouble(value: Reply['value']): string {
  if (typeof value === 'string') return value; // "inf", "-inf", "nan" as the API sends them
  if (typeof value !== 'number') return String(value);
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

const EMPTY: Record<string, string> = {
  array: '(empty array)',
  set: '(empty set)',
  map: '(empty hash)',
  push: '(empty push)',
};

/** Render one reply into lines, exactly as redis-cli lays them out (prefixes and indentation). */
export function renderReply(reply: Reply): Line[] {
  const lines: Line[] = [];
  // `head` is the text already written on the current line (the parent's index), `prefix` the
  // indentation of the following lines, as in cliFormatReplyTTY.
  const walk = (r: Reply, head: string, prefix: string) => {
    const isMap = r.type === 'map';
    const aggregate = isMap || r.type === 'array' || r.type === 'set' || r.type === 'push';
    if (!aggregate) {
      const line = scalar(r);
      const parts = line.text.split('\n');
      lines.push({ text: head + parts[0], tone: line.tone });
      for (const rest of parts.slice(1)) lines.push({ text: rest, tone: line.tone });
      return;
    }
    const count = isMap ? (r.pairs?.length ?? 0) : (r.items?.length ?? 0);
    if (count === 0) {
      lines.push({ text: head + EMPTY[r.type], tone: 'nil' });
      return;
    }
    const width = String(count).length;
    const sep = r.type === 'set' ? '~' : isMap ? '#' : ')';
    const childPrefix = prefix + ' '.repeat(width + 2);
    for (let i = 0; i < count; i++) {
      const index = String(i + 1).padStart(width, ' ') + sep + ' ';
      const start = (i === 0 ? head : prefix) + index;
      if (isMap) {
        const pair = r.pairs![i];
        walk(pair.key, start, childPrefix);
        const keyLine = lines.pop()!;
        walk(pair.value, keyLine.text + ' => ', childPrefix);
        // the first value line carries the key; keep the value's tone unless the key was an error
        if (keyLine.tone === 'error') lines[lines.length - 1].tone = 'error';
      } else {
        walk(r.items![i], start, childPrefix);
      }
    }
  };
  walk(reply, '', '');
  return lines;
}

/** Whether a reply (at any depth) contains an error. */
export function hasError(reply: Reply): boolean {
  if (reply.type === 'error') return true;
  return (reply.items ?? []).some(hasError) || (reply.pairs ?? []).some((p) => hasError(p.key) || hasError(p.value));
}

/** Convert a typed reply to plain JS (strings, numbers, arrays, objects) for internal use, e.g. COMMAND DOCS. */
export function toPlain(reply: Reply): unknown {
  switch (reply.type) {
    case 'array':
    case 'set':
    case 'push':
      return (reply.items ?? []).map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const pair of reply.pairs ?? []) out[String(toPlain(pair.key))] = toPlain(pair.value);
      return out;
    }
    case 'nil':
      return null;
    default:
      return reply.value;
  }
}
