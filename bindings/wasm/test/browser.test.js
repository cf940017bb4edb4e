// The web build in headless Chromium (Debian's /usr/bin/chromium, never a
// downloaded browser): a page on 127.0.0.1 imports js/web.js as an ES module,
// rolls and writes the results into the DOM, which we read back through the
// DevTools protocol (Playwright's connection) and compare with Node's results.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { bounds, roll, rollInline, stats, statsVs } from '@crit-fumble/dice';
import { CASES } from './corpus.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves the package directory (the page, js/ and pkg/web/) on 127.0.0.1. */
function serve() {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    const file = normalize(join(ROOT, path === '/' ? 'test/browser/index.html' : path));
    if (!file.startsWith(ROOT)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server;
let context;
let profile;

before(async () => {
  server = await serve();
  profile = mkdtempSync(join(tmpdir(), 'critfumble-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await context?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('the web build rolls in Chromium exactly as in Node', { timeout: 60_000 }, async () => {
  const cases = CASES.map((c, i) => ({ ...c, seed: 5000 + i }));
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  const { port } = server.address();
  await page.goto(`http://127.0.0.1:${port}/?cases=${encodeURIComponent(JSON.stringify(cases))}`);
  await page.waitForFunction(() => document.getElementById('status').textContent !== 'loading');
  const read = async (id) => page.locator(`#${id}`).textContent();
  assert.equal(await read('status'), 'done', errors.join('\n'));
  const dom = async (id) => JSON.parse(await read(id));

  const seeded = await dom('seeded');
  assert.equal(seeded.length, cases.length);
  for (const [i, c] of cases.entries()) {
    assert.deepEqual(seeded[i], roll(c.expr, { seed: c.seed, dialect: c.dialect, vars: c.vars }).toJSON(), c.expr);
  }
  assert.match(await dom('before-analysis'), /need `await initAnalysis\(\)` first/);
  assert.deepEqual(
    await dom('bounds'),
    cases.map((c) => bounds(c.expr, { dialect: c.dialect, vars: c.vars })),
  );

  const unseeded = await dom('unseeded');
  assert.equal(unseeded.length, 600);
  assert.ok(unseeded.every((t) => Number.isInteger(t) && t >= 1 && t <= 6));
  assert.equal(new Set(unseeded).size, 6);

  assert.deepEqual(await dom('error'), {
    isDiceError: true,
    name: 'DiceError',
    message: "expected a number after 'kh'",
    start: 6,
    end: 7,
  });
  assert.deepEqual(await dom('inline'), rollInline('I hit [[1d20+5]] for [[2d6+3]]', { seed: 7 }));
  assert.deepEqual(await dom('stats'), [stats('4d6kh3'), statsVs('2d20kh1', '1d20+5')]);
  assert.deepEqual(errors, []);
});
