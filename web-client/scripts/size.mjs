// Reports what the first page needs: the JavaScript and CSS that dist/index.html loads
// (entry script, modulepreloads, stylesheets), raw and gzip-compressed (level 9, as a
// server would send it). Writes dist/size.json and fails above the budget.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const BUDGET_JS_GZIP = 120 * 1024;
let js = 0, jsRaw = 0, css = 0;
const files = [];
for (const r of [...new Set(refs)]) {
  const buf = readFileSync(join(dist, r));
  const gz = gzipSync(buf, { level: 9 }).length;
  files.push({ file: r, bytes: buf.length, gzip: gz });
  if (r.endsWith('.js')) { js += gz; jsRaw += buf.length; } else css += gz;
}
const htmlGz = gzipSync(Buffer.from(html), { level: 9 }).length;
const report = { firstPageJsGzip: js, firstPageJsRaw: jsRaw, firstPageCssGzip: css, indexHtmlGzip: htmlGz, files };
writeFileSync(join(dist, 'size.json'), JSON.stringify(report, null, 2));
const kb = (n) => (n / 1024).toFixed(1) + ' KB';
console.log(`first page: JS ${kb(js)} gzip (${kb(jsRaw)} raw), CSS ${kb(css)} gzip, index.html ${kb(htmlGz)} gzip`);
if (js > BUDGET_JS_GZIP) {
  console.error(`first-page JavaScript is ${kb(js)} gzip, over the ${kb(BUDGET_JS_GZIP)} budget`);
  process.exit(1);
}
