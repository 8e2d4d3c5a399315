// Fails the build if dist/ would break the server's strict CSP or reach outside the origin:
// no inline <script>/<style>, no style="" attributes, no external URLs in HTML, JS or CSS.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const problems = [];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = walk(dist);
const html = readFileSync(join(dist, 'index.html'), 'utf8');
for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
  if (!/\bsrc=/.test(m[1]) || m[2].trim()) problems.push(`inline <script> in index.html: ${m[0].slice(0, 80)}`);
}
if (/<style\b/i.test(html)) problems.push('inline <style> in index.html');
if (/\sstyle=/i.test(html)) problems.push('style="" attribute in index.html');
if (/\son[a-z]+=/i.test(html)) problems.push('inline event handler in index.html');

// Any absolute URL to another host (XML namespaces excepted) would be an external request.
const external = /(?:https?:)?\/\/(?!www\.w3\.org\/)[a-z0-9.-]+\.[a-z]{2,}[/"'\s)]/gi;
for (const f of files.filter((f) => /\.(html|js|css)$/.test(f))) {
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(external)) problems.push(`external URL in ${relative(dist, f)}: ${m[0]}`);
  if (/\.css$/.test(f) && /@import|url\((?!["']?(data:|\/))/i.test(text))
    problems.push(`CSS import or relative url() in ${relative(dist, f)}`);
}

if (problems.length) {
  console.error(`check-dist: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-dist: ${files.length} files OK (no inline script/style, no external URLs)`);
