// Bundles the app into dist/ with esbuild (one ES module and its CSS, minified), copies
// index.html and the dice package's analysis .wasm beside them, and writes a .gz of each
// for FumbleBot to serve to browsers that accept gzip. Prints each file's size and the
// first load's gzipped total. Needs bindings/wasm/pkg (bindings/wasm/build.sh).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const wasm = join(here, '../../../bindings/wasm/pkg/web/critfumble_dice_analysis_bg.wasm');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
await build({
  entryPoints: { app: join(here, 'src/main.js') },
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['chrome111', 'firefox115', 'safari16'],
  outdir: dist,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(here, 'index.html'), join(dist, 'index.html'));
copyFileSync(wasm, join(dist, 'critfumble_dice_analysis_bg.wasm'));

let firstLoad = 0;
for (const name of readdirSync(dist).sort()) {
  const bytes = readFileSync(join(dist, name));
  const gzipped = gzipSync(bytes, { level: 9 });
  writeFileSync(join(dist, `${name}.gz`), gzipped);
  firstLoad += gzipped.length;
  console.log(`${name}: ${bytes.length} B, ${gzipped.length} B gzipped`);
}
console.log(`first load (every file above, gzipped): ${firstLoad} B`);
