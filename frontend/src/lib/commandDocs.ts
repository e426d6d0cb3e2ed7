/**
 * Syntax hints from the node's COMMAND DOCS, laid out as redis-cli shows them while you type
 * (`SET key value [NX|XX] [GET] ...`).
 */
export interface DocArgument {
  name?: string;
  type?: string;
  token?: string;
  flags?: string[];
  arguments?: DocArgument[];
}

export interface CommandDoc {
  summary?: string;
  since?: string;
  group?: string;
  complexity?: string;
  arguments?: DocArgument[];
  subcommands?: Record<string, CommandDoc>;
}

function one(arg: DocArgument): string {
  const children = arg.arguments ?? [];
  let base: string;
  if (arg.type === 'pure-token') base = arg.token ?? arg.name ?? '';
  else if (arg.type === 'oneof') base = children.map(one).join('|');
  else if (arg.type === 'block') base = children.map(one).join(' ');
  else base = arg.name ?? '';
  const token = arg.type !== 'pure-token' && arg.token ? arg.token : '';
  const flags = arg.flags ?? [];
  let text: string;
  if (flags.includes('multiple')) {
    if (token && flags.includes('multiple_token')) text = `${token} ${base} [${token} ${base} ...]`;
    else if (token) text = `${token} ${base} [${base} ...]`;
    else text = `${base} [${base} ...]`;
  } else {
    text = token ? `${token} ${base}` : base;
  }
  return flags.includes('optional') ? `[${text}]` : text;
}

export function argumentsHint(args: DocArgument[] | undefined): string {
  return (args ?? []).map(one).join(' ');
}

/** The hint still to show after what was typed: drops arguments already given, as redis-cli does. */
export function remainingHint(doc: CommandDoc | undefined, typedArgs: number): string {
  if (!doc?.arguments) return '';
  const parts = doc.arguments.map(one);
  let skip = Math.max(0, typedArgs);
  const out: string[] = [];
  for (const part of parts) {
    if (skip > 0 && !part.startsWith('[')) {
      skip--;
      continue;
    }
    if (skip > 0) break; // optional arguments: stop guessing once they begin
    out.push(part);
  }
  return skip > 0 ? '' : out.join(' ');
}

export function normaliseDoc(raw: unknown): CommandDoc {
  if (!raw || typeof raw !== 'object') return {};
  const value = raw as Record<string, unknown>;
  const args = (list: unknown): DocArgument[] | undefined =>
    Array.isArray(list)
      ? list.map((item) => {
          const a = (item ?? {}) as Record<string, unknown>;
          return {
            name: a.name as string | undefined,
            type: a.type as string | undefined,
            token: a.token as string | undefined,
            flags: Array.isArray(a.flags) ? (a.flags as string[]) : undefined,
            arguments: args(a.arguments),
          };
        })
      : undefined;
  return {
    summary: value.summary as string | undefined,
    since: value.since as string | undefined,
    group: value.group as string | undefined,
    complexity: value.complexity as string | undefined,
    arguments: args(value.arguments),
    subcommands:
      value.subcommands && typeof value.subcommands === 'object' && !Array.isArray(value.subcommands)
        ? Object.fromEntries(Object.entries(value.subcommands as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), normaliseDoc(v)]))
        : undefined,
  };
}

/** The doc for what was typed: `CONFIG GET` finds the `config|get` subcommand; the args it consumed. */
export function docFor(docs: Record<string, CommandDoc>, args: string[]): { doc: CommandDoc | undefined; consumed: number } {
  const name = (args[0] ?? '').toLowerCase();
  const doc = docs[name];
  if (doc?.subcommands && args.length > 1) {
    const sub = doc.subcommands[`${name}|${args[1].toLowerCase()}`];
    if (sub) return { doc: sub, consumed: 2 };
  }
  return { doc, consumed: 1 };
}
