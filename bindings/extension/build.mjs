// Builds the extension with esbuild: dist/chromium/ and dist/firefox/ (unpacked, for
// `--load-extension` and about:debugging) and a zip of each, ready for a store upload.
//
// Settings (environment):
//   CRITFUMBLE_CORE_ORIGINS  Core's web app origins, comma-separated: they may hand the
//                            extension a token (externally_connectable) and their
//                            /link-vtt page gets the content script. Default: Core's
//                            local default, http://127.0.0.1:8080 and http://localhost:8080.
//   CRITFUMBLE_BRIDGE_URL    FumbleBot's URL until the user sets another in the options
//                            page. Default: FumbleBot's local default, http://127.0.0.1:8090.
//   CRITFUMBLE_EXTENSION_OUT where to build (default: dist).
//   CRITFUMBLE_TEST_FOUNDRY_ORIGINS
//                            for the end-to-end test only, comma-separated: origins added
//                            to host_permissions, so that the popup's "Enable Foundry VTT
//                            here" gets them without the browser's prompt (headless
//                            Chromium cannot answer it). Foundry still runs only where the
//                            user enabled it. Refused when building into dist/, the shipped
//                            output.
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { icon } from './icon.mjs';
import { manifest } from './manifest.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8'));
const coreOrigins = (process.env.CRITFUMBLE_CORE_ORIGINS ?? 'http://127.0.0.1:8080,http://localhost:8080')
  .split(',')
  .map((origin) => new URL(origin.trim()).origin);
const bridgeUrl = new URL(process.env.CRITFUMBLE_BRIDGE_URL ?? 'http://127.0.0.1:8090').origin;
const out = resolve(HERE, process.env.CRITFUMBLE_EXTENSION_OUT ?? 'dist');
const testFoundryOrigins = (process.env.CRITFUMBLE_TEST_FOUNDRY_ORIGINS ?? '')
  .split(',')
  .filter((origin) => origin.trim() !== '')
  .map((origin) => new URL(origin.trim()).origin);
if (testFoundryOrigins.length > 0 && out === resolve(HERE, 'dist')) {
  throw new Error('CRITFUMBLE_TEST_FOUNDRY_ORIGINS is for test builds: set CRITFUMBLE_EXTENSION_OUT to a directory other than dist');
}
const diceWasm = join(
  dirname(createRequire(import.meta.url).resolve('@crit-fumble/dice/package.json')),
  'pkg/web/critfumble_dice_wasm_bg.wasm',
);

function files(directory) {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

async function buildFor(browser) {
  const dir = join(out, browser);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const firefox = browser === 'firefox';
  const common = {
    bundle: true,
    minify: true,
    legalComments: 'none',
    target: firefox ? ['firefox128'] : ['chrome116'],
    define: {
      __CORE_ORIGINS__: JSON.stringify(coreOrigins),
      __BRIDGE_URL__: JSON.stringify(bridgeUrl),
      __FIREFOX__: JSON.stringify(firefox),
    },
    logLevel: 'warning',
  };
  // Extension pages and the worker are modules; content and page-world scripts are
  // classic scripts, so each is one self-contained function.
  const modules = {
    background: 'src/background/main.js',
    popup: 'src/pages/popup.js',
    options: 'src/pages/options.js',
    log: 'src/pages/log.js',
  };
  if (!firefox) modules.offscreen = 'src/offscreen/offscreen.js';
  await build({ ...common, entryPoints: modules, outdir: dir, format: 'esm', splitting: false });
  const scripts = {};
  for (const name of ['roll20', 'foundry', 'ddb', 'core-link']) scripts[`content/${name}`] = `src/content/${name}.js`;
  for (const name of ['roll20', 'foundry', 'ddb']) scripts[`page/${name}`] = `src/page/${name}.js`;
  await build({ ...common, entryPoints: scripts, outdir: dir, format: 'iife' });
  const pages = ['popup.html', 'options.html', 'log.html', 'style.css'];
  for (const page of pages) copyFileSync(join(HERE, 'src/pages', page), join(dir, page));
  if (!firefox) copyFileSync(join(HERE, 'src/offscreen/offscreen.html'), join(dir, 'offscreen.html'));
  copyFileSync(diceWasm, join(dir, 'dice.wasm'));
  mkdirSync(join(dir, 'icons'));
  for (const size of [16, 32, 48, 128]) writeFileSync(join(dir, `icons/${size}.png`), icon(size));
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest({ browser, version, coreOrigins, testFoundryOrigins }), null, 2)}\n`);
  const entries = Object.fromEntries(files(dir).map((path) => [relative(dir, path), readFileSync(path)]));
  const zip = zipSync(entries, { level: 9, mtime: new Date('2026-01-01T00:00:00Z') });
  const zipPath = join(out, `critfumble-extension-${browser}-${version}.zip`);
  writeFileSync(zipPath, zip);
  console.log(`built ${relative(HERE, dir)}/ and ${relative(HERE, zipPath)} (${zip.length} bytes)`);
}

await buildFor('chromium');
await buildFor('firefox');
