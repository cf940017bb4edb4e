// The Activity end to end in Debian's headless Chromium (never a downloaded browser):
// the real Core and FumbleBot binaries on 127.0.0.1, with the fake Discord of fakes.js.
// Two players join one activity instance, once through the SDK's DiscordSDKMock (the app
// opened on its own) and once through the real SDK inside the fake Discord client page
// (behind the `/.proxy` prefix); a roll typed by one appears for the other, and Core holds
// it as an `activity` roll. Screenshots at desktop and phone width land in
// output/screenshots/.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { fakeDiscord } from './fakes.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CORE_BIN = process.env.CRITFUMBLE_CORE_BIN;
const FUMBLEBOT_BIN = process.env.FUMBLEBOT_BIN;
const OUTPUT = process.env.E2E_OUTPUT ?? join(HERE, 'output');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const CLIENT_ID = '900000000000000777';
const CLIENT_SECRET = 'e2e-client-secret';
const BOT_TOKEN = 'e2e-bot-token';
const USERS = {
  '800000000000000101': { id: '800000000000000101', username: 'mira', global_name: 'Mira', avatar: null },
  '800000000000000102': { id: '800000000000000102', username: 'tom', global_name: 'Tom', avatar: null },
};
const [MIRA, TOM] = Object.keys(USERS);
// The mock SDK's fixed instance id, so that the mock and the real SDK join the same room.
const INSTANCE = { id: '123456789012345678', channelId: '930000000000000777', guildId: '910000000000000777', userIds: [MIRA, TOM] };

let discord;
let processes = [];
let dataDir;
let browser;
let coreUrl;
let serviceKey;
let fumblebotUrl;

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url) {
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

before(async () => {
  assert.ok(CORE_BIN && FUMBLEBOT_BIN, 'set CRITFUMBLE_CORE_BIN and FUMBLEBOT_BIN');
  discord = await fakeDiscord({
    clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, botToken: BOT_TOKEN, users: USERS, instance: INSTANCE,
    fumblebot: () => fumblebotUrl,
  });
  dataDir = mkdtempSync(join(tmpdir(), 'critfumble-activity-e2e-'));
  const coreEnv = { ...process.env, RUST_LOG: 'error', DATABASE_URL: join(dataDir, 'core.db') };
  serviceKey = execFileSync(CORE_BIN, ['keys', 'create', '--name', 'fumblebot'], { env: coreEnv }).toString().trim();
  const corePort = await freePort();
  coreUrl = `http://127.0.0.1:${corePort}`;
  processes.push(spawn(CORE_BIN, ['serve'], {
    env: { ...coreEnv, CRITFUMBLE_LISTEN: `127.0.0.1:${corePort}`, CRITFUMBLE_PUBLIC_URL: coreUrl },
    stdio: ['ignore', 'inherit', 'inherit'],
  }));
  await waitFor(`${coreUrl}/healthz`);
  const botPort = await freePort();
  fumblebotUrl = `http://127.0.0.1:${botPort}`;
  processes.push(spawn(FUMBLEBOT_BIN, [], {
    env: {
      ...process.env,
      // The fake has no gateway: the bot's gateway client stops at once, as logged.
      RUST_LOG: 'error',
      FUMBLEBOT_LISTEN: `127.0.0.1:${botPort}`,
      CORE_URL: coreUrl,
      CORE_API_KEY: serviceKey,
      FUMBLEBOT_OUTBOX: join(dataDir, 'outbox.db'),
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_APPLICATION_ID: CLIENT_ID,
      DISCORD_CLIENT_SECRET: CLIENT_SECRET,
      DISCORD_API_BASE: discord.origin,
      FUMBLEBOT_ACTIVITY_DIR: join(HERE, '..', 'dist'),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  }));
  await waitFor(`${fumblebotUrl}/healthz`);
  mkdirSync(join(OUTPUT, 'screenshots'), { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  for (const child of processes) child.kill('SIGTERM');
  discord?.server.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The rolls Core holds, newest first. */
async function coreRolls() {
  const response = await fetch(`${coreUrl}/v1/rolls?limit=200`, { headers: { authorization: `Bearer ${serviceKey}` } });
  assert.equal(response.status, 200);
  return (await response.json()).items;
}

/** The roll labelled `label` once Core holds it (FumbleBot reports through its outbox). */
async function storedRoll(label) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const stored = (await coreRolls()).find((roll) => roll.label === label);
    if (stored) return stored;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`Core holds no roll labelled ${label}`);
}

async function screenshots(page, name) {
  for (const [width, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(OUTPUT, 'screenshots', `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(VIEWPORTS.desktop);
}

/** Types `expression` and rolls it; returns the total as the roller's log shows it. */
async function rollFrom(frame, expression) {
  await frame.locator('#expression').fill(expression);
  await frame.locator('#roll-form button[type=submit]').click();
  const entry = frame.locator('#log .roll', { hasText: expression }).first();
  await entry.waitFor();
  return entry.locator('.total').textContent();
}

/** Calls Core with the service key, as FumbleBot does, acting for `discordId` if given. */
async function core(method, path, body, discordId) {
  const headers = { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' };
  if (discordId) headers['x-act-as-discord-id'] = discordId;
  const response = await fetch(`${coreUrl}${path}`, { method, headers, body: JSON.stringify(body) });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.text()}`);
}

test('two players with DiscordSDKMock share one table, and Core stores the roll', async () => {
  // Mira has a saved roll in Core, which her table offers as a quick button.
  await core('PUT', `/v1/users/discord/${MIRA}`, { name: 'Mira', avatar: null });
  await core('PUT', '/v1/me/saved-rolls/Fireball', { expression: '8d6' }, MIRA);
  const pages = [];
  for (const [user, size] of [[MIRA, VIEWPORTS.desktop], [TOM, VIEWPORTS.phone]]) {
    const code = `mock-code-${user}`;
    discord.grant(code, user);
    const context = await browser.newContext({ viewport: size });
    const page = await context.newPage();
    page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
    await page.goto(`${fumblebotUrl}/activity/?mock_code=${code}&guild_id=${INSTANCE.guildId}&channel_id=${INSTANCE.channelId}`);
    await page.locator('#status', { hasText: 'Connected' }).waitFor();
    pages.push(page);
  }
  const [mira, tom] = pages;
  // Both are at the table, by the names Discord gave FumbleBot.
  await tom.locator('#participants', { hasText: 'Mira' }).waitFor();
  await mira.locator('#participants', { hasText: 'Tom' }).waitFor();

  // Typing shows the bounds and a chart, from the wasm package in the browser.
  await mira.locator('#expression').fill('2d20kh1+5');
  await mira.locator('#preview .bounds', { hasText: '6 to 25' }).waitFor();
  assert.equal(await mira.locator('#preview svg rect').count(), 20);
  await mira.locator('#expression').fill('1d20+');
  await mira.locator('#preview .error').waitFor();

  const total = await rollFrom(mira, '2d20kh1+5 "Attack"');
  const seen = tom.locator('#log .roll', { hasText: 'Attack' });
  await seen.waitFor();
  assert.equal(await seen.locator('.total').textContent(), total);
  assert.equal(await seen.locator('.who').textContent(), 'Mira');
  assert.equal(await seen.locator('.die').count(), 2);
  assert.equal(await seen.locator('.die.dropped').count(), 1);

  // Quick buttons roll too, and so do saved rolls from Core.
  await tom.locator('#quick').getByRole('button', { name: 'Advantage', exact: true }).click();
  await mira.locator('#log .roll', { hasText: '2d20kh1' }).filter({ hasText: 'Tom' }).waitFor();
  const fireball = mira.locator('#quick button.saved', { hasText: 'Fireball' });
  assert.equal(await fireball.getAttribute('title'), '8d6');
  assert.equal(await tom.locator('#quick button.saved').count(), 0, "Tom has no saved rolls; Mira's are hers");
  await fireball.click();
  const burst = tom.locator('#log .roll', { hasText: '8d6' }).filter({ hasText: 'Mira' });
  await burst.waitFor();
  assert.equal(await burst.locator('.die').count(), 8);

  // Core holds Mira's roll as an activity roll in the instance's channel, with her total.
  const stored = await storedRoll('Attack');
  assert.equal(stored.source, 'activity');
  assert.equal(stored.channel_id, INSTANCE.channelId);
  assert.equal(stored.actor.discord_id, MIRA);
  assert.equal(String(stored.total), total);

  await screenshots(mira, 'table-mock-mira');
  await screenshots(tom, 'table-mock-tom');
  for (const page of pages) await page.context().close();
});

/**
 * The app's files (not its API) that `page` fetches, as the browser received them:
 * `files()` gives them once every request seen so far has been measured.
 */
function appFiles(page) {
  const measured = [];
  page.on('requestfinished', (request) => {
    const path = new URL(request.url()).pathname;
    if (!path.startsWith('/.proxy/activity/') || path.startsWith('/.proxy/activity/api/')) return;
    measured.push((async () => {
      const response = await request.response();
      const sizes = await request.sizes();
      return { path, encoding: await response.headerValue('content-encoding'), bytes: sizes.responseBodySize };
    })());
  });
  return { files: () => Promise.all(measured) };
}

/** The first load's budget (issue 16): everything the table needs, gzipped. */
const FIRST_LOAD_BUDGET = 150_000;

test('the real SDK in a fake Discord client, behind /.proxy, shares the table', async () => {
  const frames = [];
  const pages = [];
  let firstLoad;
  for (const user of [MIRA, TOM]) {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await context.newPage();
    page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
    firstLoad ??= appFiles(page);
    await page.goto(`${discord.origin}/host.html?user=${user}`);
    const frame = page.frameLocator('#activity');
    await frame.locator('#status', { hasText: 'Connected' }).waitFor();
    // The handshake went as Discord's client sees it.
    const seen = await page.evaluate(() => window.seen);
    assert.deepEqual(seen.slice(0, 3), ['HANDSHAKE', 'AUTHORIZE', 'AUTHENTICATE']);
    frames.push(frame);
    pages.push(page);
  }
  const [mira, tom] = frames;

  // The preview works inside Discord too, so its .wasm has been fetched; and what the
  // browser fetched of the app, gzipped as FumbleBot serves it, is within the budget.
  await mira.locator('#expression').fill('4d6kh3');
  await mira.locator('#preview .bounds', { hasText: '3 to 18' }).waitFor();
  const files = await firstLoad.files();
  const fetched = files.map((file) => file.path.split('/').pop()).sort();
  assert.ok(fetched.some((name) => name.endsWith('.wasm')), fetched.join(', '));
  assert.ok(!fetched.some((name) => name.startsWith('mock-')), `the mock is not loaded in Discord: ${fetched}`);
  for (const file of files) assert.equal(file.encoding, 'gzip', file.path);
  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  console.log(`first load inside Discord: ${bytes} B gzipped (${files.map((f) => `${f.path.split('/').pop() || 'index.html'} ${f.bytes}`).join(', ')})`);
  assert.ok(bytes <= FIRST_LOAD_BUDGET, `${bytes} B`);
  await mira.locator('#expression').fill('');

  const total = await rollFrom(tom, '4d6kh3 "Strength"');
  const seen = mira.locator('#log .roll', { hasText: 'Strength' });
  await seen.waitFor();
  assert.equal(await seen.locator('.total').textContent(), total);
  assert.equal(await seen.locator('.die').count(), 4);

  // The proxy drops Mira's socket (the first it opened) and refuses her retries while Tom
  // rolls; once it lets her through, she has the roll she missed, once.
  discord.refuseSockets(true);
  discord.dropSocket(0);
  await mira.locator('#status', { hasText: 'Reconnecting' }).waitFor();
  const missedTotal = await rollFrom(tom, '1d12 "Missed"');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await mira.locator('#log .roll', { hasText: 'Missed' }).count(), 0, 'Mira was away');
  discord.refuseSockets(false);
  await mira.locator('#status', { hasText: 'Connected' }).waitFor({ timeout: 20_000 });
  const missed = mira.locator('#log .roll', { hasText: 'Missed' });
  await missed.waitFor();
  assert.equal(await missed.count(), 1);
  assert.equal(await missed.locator('.total').textContent(), missedTotal);
  assert.equal(await mira.locator('#log .roll', { hasText: 'Strength' }).count(), 1, 'nothing doubled');
  await screenshots(pages[0], 'table-sdk-mira');
  await screenshots(pages[1], 'table-sdk-tom');
  const stored = await storedRoll('Strength');
  assert.equal(stored.source, 'activity');
  assert.equal(stored.actor.discord_id, TOM);
  for (const page of pages) await page.context().close();
});
