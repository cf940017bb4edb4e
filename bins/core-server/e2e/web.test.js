// Core's web app end to end, in Debian's headless Chromium (never a downloaded browser):
// a real Core binary on 127.0.0.1 with a fake Discord OAuth server and a fake FumbleBot.
// A person logs in with Discord, creates a campaign and a character, sees a roll posted
// through the API in the history, the luck chart, asks the assistant, and issues then
// revokes a token. Each page is screenshotted at desktop and phone width (under
// output/screenshots/) and checked with axe-core: no serious or critical violation.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { discord, fumblebot } from './fakes.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CORE_BIN = process.env.CRITFUMBLE_CORE_BIN;
const OUTPUT = process.env.E2E_OUTPUT ?? join(HERE, 'output');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const USER = { id: '80351110224678912', username: 'nelly', global_name: 'Nelly', avatar: null };
// `critfumble roll '1d20+5' --dice 17 --json`: the tree Core replays to verify the roll.
const ROLLED = {
  type: 'binary', value: 22, op: '+',
  lhs: {
    type: 'dice', value: 17, notation: '1d20', count: 1, faces: 20, modifiers: [], rolled_faces: '20',
    dice: [{ value: 17, kept: true, exploded: false, rerolled: false, added: false, success: false, failure: false, critical: false, fumble: false }],
  },
  rhs: { type: 'number', value: 5 },
};

let fakes = [];
let core;
let coreUrl;
let dataDir;
let browser;

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForCore(url) {
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Core did not answer at ${url}/healthz within 30 s`);
}

before(async () => {
  assert.ok(CORE_BIN, 'set CRITFUMBLE_CORE_BIN to the critfumble-core binary');
  const oauth = await discord({ clientId: 'e2e-client', clientSecret: 'e2e-secret', user: USER });
  const bot = await fumblebot({ apiKey: 'e2e-fumblebot-key' });
  fakes = [oauth, bot];
  const port = await freePort();
  coreUrl = `http://127.0.0.1:${port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'critfumble-e2e-'));
  core = spawn(CORE_BIN, ['serve'], {
    env: {
      ...process.env,
      RUST_LOG: 'warn',
      CRITFUMBLE_LISTEN: `127.0.0.1:${port}`,
      CRITFUMBLE_PUBLIC_URL: coreUrl,
      DATABASE_URL: join(dataDir, 'core.db'),
      DISCORD_CLIENT_ID: 'e2e-client',
      DISCORD_CLIENT_SECRET: 'e2e-secret',
      DISCORD_API_BASE: `http://127.0.0.1:${oauth.address().port}/api`,
      FUMBLEBOT_URL: `http://127.0.0.1:${bot.address().port}`,
      FUMBLEBOT_API_KEY: 'e2e-fumblebot-key',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForCore(coreUrl);
  mkdirSync(join(OUTPUT, 'screenshots'), { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  core?.kill('SIGTERM');
  for (const server of fakes) server.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Screenshots the page at both widths, and runs axe-core on it (in a context that lets
 *  the test inject axe's script past the CSP). */
async function inspect(page, name, axeContext) {
  for (const [width, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(OUTPUT, 'screenshots', `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  const checker = await axeContext.newPage();
  await checker.goto(page.url());
  await checker.addScriptTag({ path: AXE });
  const results = await checker.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  await checker.close();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
    `axe found serious or critical violations on ${name}`,
  );
}

test('a person logs in, keeps a campaign, sees rolls and luck, asks the assistant, manages tokens', async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  const page = await context.newPage();
  const policyErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) policyErrors.push(message.text());
  });
  page.on('pageerror', (error) => policyErrors.push(String(error)));

  // Anonymous home page, then Discord's login (the fake approves at once).
  await page.goto(`${coreUrl}/`);
  const axeAnonymous = await browser.newContext({ bypassCSP: true });
  await inspect(page, 'home-anonymous', axeAnonymous);
  await axeAnonymous.close();
  await page.click('main a.button');
  await page.waitForURL(`${coreUrl}/`);
  assert.match(await page.textContent('header'), /Log out Nelly/);
  const axeContext = await browser.newContext({ bypassCSP: true, storageState: await context.storageState() });

  // A campaign, from the home page's form.
  await page.fill('form[action="/campaigns"] input[name=name]', 'Curse of Strahd');
  await page.click('form[action="/campaigns"] button');
  await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const campaignUrl = page.url();
  const campaignId = campaignUrl.split('/').pop();
  assert.match(await page.textContent('main'), /Nelly\s+GM/);

  // A character, then its sheet.
  await page.click('summary');
  await page.fill('form[action$="/characters"] input[name=name]', 'Ireena');
  await page.fill('form[action$="/characters"] input[name=class]', 'Fighter');
  await page.fill('form[action$="/characters"] input[name=level]', '3');
  await page.click('form[action$="/characters"] button');
  await page.waitForURL(/\/characters\//);
  assert.equal(await page.textContent('h1'), 'Ireena');
  await inspect(page, 'character', axeContext);

  // A roll posted through the API (the session's own web roll) shows in the history.
  const posted = await page.request.post(`${coreUrl}/v1/rolls`, {
    headers: { 'idempotency-key': 'e2e-roll-1' },
    data: {
      source: 'web', actor: { name: 'Nelly' }, campaign_id: campaignId, expression: '1d20+5',
      total: 22, rolled: ROLLED, label: 'Attack on the <b>wolf</b>', private: false,
      rolled_at: new Date().toISOString(),
    },
  });
  assert.equal(posted.status(), 201, await posted.text());
  await page.goto(campaignUrl);
  const roll = page.locator('li.roll').first();
  assert.equal(await roll.locator('.total').textContent(), '22');
  assert.match(await roll.textContent(), /✓ verified/);
  assert.equal(await roll.locator('.label').textContent(), 'Attack on the <b>wolf</b>');
  assert.equal(await roll.locator('.die').textContent(), '17');
  await inspect(page, 'campaign', axeContext);

  // The luck chart: Nelly's one d20 against a fair one, then an expression's chart.
  await page.goto(`${campaignUrl}/luck`);
  assert.equal(await page.locator('section.luck svg rect.bar').count(), 40);
  assert.match(await page.textContent('section.luck'), /too few d20s to tell/);
  await page.fill('input[name=expression]', '2d20kh1');
  await page.click('form.filters button');
  await page.waitForURL(/expression=2d20kh1/);
  assert.equal(await page.locator('.expression-chart svg rect.bar').count(), 20);
  await inspect(page, 'luck', axeContext);

  // The assistant (the fake FumbleBot answers from Core's context).
  await page.goto(`${campaignUrl}/assistant`);
  await page.fill('textarea[name=message]', 'Who is in the party?');
  await page.click('form.stack button');
  await page.waitForURL(/conversation=/);
  assert.equal(
    (await page.locator('.message.assistant').textContent()).trim().split('\n').pop().trim(),
    'In Curse of Strahd, the party is Ireena.',
  );
  assert.match(await page.textContent('main'), /900 in \/ 120 out tokens · \$0\.0045/);
  await inspect(page, 'assistant', axeContext);

  // A token: issued, working, revoked, refused.
  await page.goto(`${coreUrl}/tokens`);
  await page.fill('form[action="/tokens"] input[name=name]', 'e2e script');
  await page.click('form[action="/tokens"] button[type=submit]');
  const token = (await page.textContent('#new-token')).trim();
  const me = await fetch(`${coreUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).name, 'Nelly');
  await inspect(page, 'tokens', axeContext);
  await page.locator('tr', { hasText: 'e2e script' }).locator('button.danger').click();
  await page.waitForURL(`${coreUrl}/tokens`);
  assert.match(await page.locator('tr', { hasText: 'e2e script' }).textContent(), /revoked/);
  assert.equal((await fetch(`${coreUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status, 401);

  // The remaining pages render and pass axe.
  for (const [path, name] of [['/', 'home'], ['/link-vtt', 'link-vtt'], ['/usage', 'usage']]) {
    await page.goto(`${coreUrl}${path}`);
    await inspect(page, name, axeContext);
  }
  assert.match(await page.textContent('main'), /fake-model/);
  await axeContext.close();

  // Nothing was blocked by the CSP, and no script failed.
  assert.deepEqual(policyErrors, []);
  await context.close();
});
