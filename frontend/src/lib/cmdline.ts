/**
 * Command lines, split the way redis-cli splits them (`sdssplitargs`): words separated by
 * spaces; "double quotes" understand \n \r \t \b \a \\ \" and \xHH; 'single quotes' understand
 * only \'; a closing quote must be followed by a space or the end of the line.
 */
export class CommandLineError extends Error {}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };
const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);
const isHex = (ch: string | undefined) => ch !== undefined && /^[0-9a-fA-F]$/.test(ch);

export function splitArgs(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return args;
    let current = '';
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const ch = line[i];
      if (inDouble) {
        if (ch === undefined) throw new CommandLineError('unbalanced quotes in the command line');
        if (ch === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (ch === '\\' && i + 1 < n) {
          i++;
          const next = line[i];
          current += ESCAPES[next] ?? next;
        } else if (ch === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) throw new CommandLineError('a closing quote must be followed by a space');
          done = true;
        } else {
          current += ch;
        }
      } else if (inSingle) {
        if (ch === undefined) throw new CommandLineError('unbalanced quotes in the command line');
        if (ch === '\\' && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (ch === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) throw new CommandLineError('a closing quote must be followed by a space');
          done = true;
        } else {
          current += ch;
        }
      } else if (ch === undefined || isSpace(ch)) {
        done = true;
      } else if (ch === '"') {
        inDouble = true;
      } else if (ch === "'") {
        inSingle = true;
      } else {
        current += ch;
      }
      if (i < n) i++;
    }
    args.push(current);
  }
}

/** Like splitArgs, but never throws: an unfinished quote is closed at the end (for hints while typing). */
export function splitArgsLenient(line: string): string[] {
  try {
    return splitArgs(line);
  } catch {
    for (const close of ['"', "'"]) {
      try {
        return splitArgs(line + close);
      } catch {
        /* try the other quote */
      }
    }
    return line.trim().split(/\s+/).filter(Boolean);
  }
}

/** Quote an argument so that splitArgs gives it back unchanged (used to rebuild lines). */
export function quoteArg(arg: string): string {
  if (arg !== '' && !/[\s"'\\]/.test(arg) && !/[^\x20-\x7e]/.test(arg)) return arg;
  let out = '"';
  for (const ch of arg) {
    const code = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}
