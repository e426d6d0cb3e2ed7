// Prints the JavaScript the browser loads first (index.html's entry and its static imports) and
// every lazily loaded chunk, gzipped. Budget: initial JS <= 300 kB gzipped (printed, not asserted).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]));
const size = (file) => gzipSync(readFileSync(join(dist, file))).length;
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
// follow static imports of the entry (modulepreload links are already listed in index.html)
const queue = [...initial];
while (queue.length) {
  const file = queue.pop();
  const text = readFileSync(join(dist, file), 'utf8');
  for (const m of text.matchAll(/^import\s*[^'"()]*?from\s*["']\.\/([^"']+\.js)["']|^import\s*["']\.\/([^"']+\.js)["']/gm)) {
    const dep = `assets/${m[1] ?? m[2]}`;
    if (!initial.has(dep)) (initial.add(dep), queue.push(dep));
  }
}
const all = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
let initialTotal = 0;
for (const f of initial) initialTotal += size(f);
console.log(`initial JS (gzipped): ${kb(initialTotal)} in ${initial.size} file(s) — budget 300 kB ${initialTotal <= 300 * 1024 ? 'OK' : 'EXCEEDED'}`);
for (const f of all.filter((f) => !initial.has(f)).sort()) console.log(`  lazy chunk ${f}: ${kb(size(f))}`);
