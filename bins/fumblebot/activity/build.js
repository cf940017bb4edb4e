// Bundles the app into dist/ with esbuild (ES modules and their CSS, minified), copies
// index.html and the dice engine's stats .wasm beside them, and writes a .gz of each
// for FumbleBot to serve to browsers that accept gzip. Prints each file's size and the
// first load's gzipped total: what a user inside Discord fetches before the table works
// (index.html, the entry, the chunks it imports statically, its CSS and the .wasm), not
// the chunks only fetched outside Discord. Needs bindings/wasm/pkg (bindings/wasm/build.sh).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const sdkPackage = '@discord/embedded-app-sdk';
/** The app's names for modules inside the SDK's output/ (resolved by the plugin below). */
const SDK_MODULES = {
  [`${sdkPackage}/discord`]: 'Discord.mjs',
  [`${sdkPackage}/mock`]: 'mock.mjs',
};

// Trims the Embedded App SDK to what the app uses. Its package.json does not say
// `"sideEffects": false`, so esbuild would keep every module its index re-exports (the
// mock, the price and permission helpers, and their copies of big-integer,
// decimal.js-light and lodash.transform), used or not. Its modules only define things, so
// this marks them side-effect free, and resolves the app's names for two of its modules.
// DiscordSDK alone, bundled and gzipped by zlib at level 9: 45,077 B from the index
// without this, 24,229 B with it (2026-12-06). The end-to-end test with the real SDK
// checks that the trimmed SDK still signs in.
const sdkSideEffectFree = {
  name: 'sdk-side-effect-free',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.resolving) return undefined;
      // The SDK's own modules of DiscordSDK and DiscordSDKMock (its exports map names only its
      // index): with the index in both, esbuild puts everything it re-exports into the chunk
      // they share, the mock and its big-integer and lodash.transform with it.
      const module = SDK_MODULES[args.path];
      if (module) {
        const index = await build.resolve(sdkPackage, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { resolving: true } });
        if (index.errors.length > 0) return { errors: index.errors };
        return { path: join(dirname(index.path), module), sideEffects: false };
      }
      const fromSdk = args.path === sdkPackage || args.importer.includes(`/node_modules/${sdkPackage}/`);
      if (!fromSdk) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { resolving: true },
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, sideEffects: false };
    });
    // Constants.mjs builds its table of Permissions at load, with calls esbuild must keep
    // unless they are marked pure: Object.freeze and BigFlagUtils.getFlag, which brings
    // the SDK's copy of big-integer (24 KB in all). The app never reads Permissions; the
    // marks let esbuild drop the three (DiscordSDKMock, in its own chunk, still has them).
    build.onLoad({ filter: /embedded-app-sdk[\\/]output[\\/]Constants\.mjs$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const table = 'const Permissions = Object.freeze(';
      if (source.split(table).length !== 2 || !source.includes('BigFlagUtils.getFlag(')) {
        return { errors: [{ text: `${args.path} no longer builds Permissions as build.js expects` }] };
      }
      const contents = source
        .replace(table, 'const Permissions = /* @__PURE__ */ Object.freeze(')
        .replaceAll('BigFlagUtils.getFlag(', '/* @__PURE__ */ BigFlagUtils.getFlag(');
      return { contents, loader: 'js' };
    });
  },
};
const dist = join(here, 'dist');
const wasm = join(here, '../../../bindings/wasm/pkg/web/critfumble_dice_stats_bg.wasm');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
const result = await build({
  entryPoints: { app: join(here, 'src/main.js') },
  bundle: true,
  format: 'esm',
  splitting: true,
  chunkNames: '[name]-[hash]',
  metafile: true,
  plugins: [sdkSideEffectFree],
  minify: true,
  target: ['chrome111', 'firefox115', 'safari16'],
  outdir: dist,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(here, 'index.html'), join(dist, 'index.html'));
copyFileSync(wasm, join(dist, 'critfumble_dice_stats_bg.wasm'));

// The outputs the entry loads before it runs: itself, its CSS and its static imports.
const outputs = result.metafile.outputs;
const firstLoadFiles = new Set(['index.html', 'critfumble_dice_stats_bg.wasm']);
const pending = [Object.keys(outputs).find((path) => outputs[path].entryPoint)];
while (pending.length > 0) {
  const path = pending.pop();
  const name = path.split('/').pop();
  if (firstLoadFiles.has(name)) continue;
  firstLoadFiles.add(name);
  if (outputs[path].cssBundle) pending.push(outputs[path].cssBundle);
  for (const imported of outputs[path].imports) {
    if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
  }
}

/**
 * The file gzipped by zopfli (Debian's `zopfli`; scripts/test-activity installs it): a gzip
 * stream any browser reads, 5 % smaller than zlib's level 9 on this app (the .wasm
 * 112,481 B against 118,191 B with `gzip -9`, on 2026-12-06), made once per build.
 */
function gzip(path) {
  try {
    return execFileSync('zopfli', ['-c', path], { maxBuffer: 64 << 20 });
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error('zopfli is missing: apt-get install zopfli');
    throw error;
  }
}

let firstLoad = 0;
for (const name of readdirSync(dist).sort()) {
  const bytes = readFileSync(join(dist, name));
  const gzipped = gzip(join(dist, name));
  writeFileSync(join(dist, `${name}.gz`), gzipped);
  const first = firstLoadFiles.has(name);
  if (first) firstLoad += gzipped.length;
  console.log(`${name}: ${bytes.length} B, ${gzipped.length} B gzipped${first ? '' : ' (not in the first load)'}`);
}
console.log(`first load (gzipped): ${firstLoad} B`);
