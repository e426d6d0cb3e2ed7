/** Command history for the CLI: ↑/↓ navigation over past lines, kept in localStorage. */
export const HISTORY_MAX = 200;

export class History {
  private items: string[];
  private cursor: number;
  private draft = '';

  constructor(
    private readonly storageKey: string | null = null,
    initial: string[] = [],
  ) {
    this.items = initial.length ? initial : storageKey ? History.load(storageKey) : [];
    this.cursor = this.items.length;
  }

  private static load(key: string): string[] {
    try {
      const parsed = JSON.parse(localStorage.getItem(key) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }

  get entries(): readonly string[] {
    return this.items;
  }

  push(line: string): void {
    const trimmed = line.trim();
    if (trimmed && this.items[this.items.length - 1] !== trimmed) this.items.push(trimmed);
    if (this.items.length > HISTORY_MAX) this.items = this.items.slice(-HISTORY_MAX);
    this.cursor = this.items.length;
    this.draft = '';
    if (this.storageKey) localStorage.setItem(this.storageKey, JSON.stringify(this.items));
  }

  /** ↑: the previous line (the line being typed is kept as a draft). */
  up(current: string): string {
    if (this.cursor === this.items.length) this.draft = current;
    if (this.cursor > 0) this.cursor--;
    return this.items[this.cursor] ?? current;
  }

  /** ↓: the next line, then back to the draft. */
  down(): string {
    if (this.cursor < this.items.length) this.cursor++;
    return this.cursor === this.items.length ? this.draft : this.items[this.cursor];
  }
}

/** Tab completion of command names: the matches of the first word, cycling on each Tab. */
export function completions(names: readonly string[], prefix: string, limit = 50): string[] {
  const p = prefix.toLowerCase();
  if (!p) return [];
  return names.filter((n) => n.toLowerCase().startsWith(p)).sort().slice(0, limit);
}
