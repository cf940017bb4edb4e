// The system the extension's end-to-end test runs against, as real processes: Core
// (critfumble-core, SQLite, with Discord's OAuth2 fake of Core's own web e2e), FumbleBot
// (the `fumblebot` binary, its own process, with Core as a separate process) and the fake
// Discord of FumbleBot's Rust tests (its `fake_discord` example: REST and the gateway),
// the VTT fixture server, and Debian's Chromium with the built extension.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { discord as discordOAuth } from '../../../bins/core-server/e2e/fakes.js';
import { HOSTS, startVttServer } from './vtt-server.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const EXTENSION_ROOT = join(HERE, '..');
export const OUTPUT = process.env.EXTENSION_TEST_OUTPUT ?? join(HERE, 'output');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const WEBHOOK_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const PEPPER = 'extension-e2e-pepper-0123456789abcdef';
export const APPLICATION_ID = '900000000000000001';
export const GUILD_ID = '910000000000000001';
/** The person who signs in to Core with Discord (the OAuth fake's user). */
export const USER = { id: '80351110224678912', username: 'nelly', global_name: 'Nelly', avatar: null };

function need(name) {
  const value = process.env[name];
  assert.ok(value, `set ${name} (scripts/test-extension does)`);
  return value;
}

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `promise`, or an error with `message` if it has not settled within `ms`. */
export function withinMs(promise, ms, message) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function waitFor(what, check, { timeoutMs = 20_000, everyMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      // A check that hangs (a request never answered) fails at the deadline too.
      last = await withinMs(check(), Math.max(deadline - Date.now(), everyMs), 'the check itself did not finish');
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function healthy(url) {
  await waitFor(`${url}/healthz`, async () => (await fetch(`${url}/healthz`)).ok, { timeoutMs: 60_000, everyMs: 100 });
}

/** Starts the fake Discord process; resolves to `{base, process}`. */
async function startFakeDiscord() {
  const child = spawn(need('FAKE_DISCORD_BIN'), [], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the fake discord exited with ${code}`)));
  });
  return { base: JSON.parse(line).base, process: child };
}

export class System {
  async start() {
    mkdirSync(join(OUTPUT, 'screenshots'), { recursive: true });
    this.dir = mkdtempSync(join(tmpdir(), 'critfumble-extension-'));
    this.children = [];
    this.vtt = await startVttServer(this.dir);
    this.discord = await startFakeDiscord();
    this.children.push(this.discord.process);
    this.oauth = await discordOAuth({ clientId: 'ext-client', clientSecret: 'ext-secret', user: USER });
    this.corePort = await freePort();
    this.botPort = await freePort();
    this.coreUrl = `http://127.0.0.1:${this.corePort}`;
    this.botUrl = `http://127.0.0.1:${this.botPort}`;
    await this.startCore();
    this.buildExtension();
    await this.launchBrowser();
    await this.startBot();
    return this;
  }

  coreEnv() {
    return {
      ...process.env,
      RUST_LOG: 'warn',
      DATABASE_URL: join(this.dir, 'core.db'),
      CRITFUMBLE_LISTEN: `127.0.0.1:${this.corePort}`,
      CRITFUMBLE_PUBLIC_URL: this.coreUrl,
      CRITFUMBLE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      CRITFUMBLE_KEY_PEPPER: PEPPER,
      DISCORD_CLIENT_ID: 'ext-client',
      DISCORD_CLIENT_SECRET: 'ext-secret',
      DISCORD_API_BASE: `http://127.0.0.1:${this.oauth.address().port}/api`,
      // The test polls Core while it waits; Core's own limits are tested elsewhere.
      ...Object.fromEntries(
        ['USER', 'SERVICE', 'IP', 'USER_IP'].flatMap((who) => [
          [`CRITFUMBLE_RATE_LIMIT_${who}_PER_MINUTE`, '100000'],
          [`CRITFUMBLE_RATE_LIMIT_${who}_BURST`, '10000'],
        ]),
      ),
    };
  }

  async startCore() {
    const core = need('CRITFUMBLE_CORE_BIN');
    const printed = execFileSync(core, ['keys', 'create', '--name', 'fumblebot (extension e2e)'], { env: this.coreEnv(), encoding: 'utf8' });
    this.serviceKey = printed.split('\n').find((line) => line.startsWith('cfk_'));
    assert.ok(this.serviceKey, `critfumble-core keys create printed no key: ${printed}`);
    const child = spawn(core, ['serve'], { env: this.coreEnv(), stdio: ['ignore', 'inherit', 'inherit'] });
    this.children.push(child);
    await healthy(this.coreUrl);
  }

  /**
   * Builds the extension into the test output, with this Core's origin and this FumbleBot,
   * holding the Foundry fixtures' origins from install (build.mjs's test-only setting:
   * headless Chromium cannot answer the permission prompt; the user's click in the popup
   * still is what enables Foundry there).
   */
  buildExtension() {
    this.distDir = join(OUTPUT, 'dist');
    execFileSync(process.execPath, ['build.mjs'], {
      cwd: EXTENSION_ROOT,
      env: {
        ...process.env,
        CRITFUMBLE_CORE_ORIGINS: this.coreUrl,
        CRITFUMBLE_BRIDGE_URL: this.botUrl,
        CRITFUMBLE_EXTENSION_OUT: this.distDir,
        CRITFUMBLE_TEST_FOUNDRY_ORIGINS: [HOSTS.foundry12, HOSTS.foundry13].map((host) => `https://${host}`).join(','),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.extensionDir = join(this.distDir, 'chromium');
  }

  async launchBrowser() {
    this.context = await chromium.launchPersistentContext(join(this.dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      // Playwright disables extensions unless told otherwise.
      ignoreDefaultArgs: ['--disable-extensions'],
      viewport: { width: 1100, height: 700 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-component-update',
        `--disable-extensions-except=${this.extensionDir}`,
        `--load-extension=${this.extensionDir}`,
        `--host-resolver-rules=${this.vtt.rules}`,
        `--ignore-certificate-errors-spki-list=${this.vtt.spki}`,
      ],
    });
    // Every request to the bridge, the service worker's included (playwright reports them
    // in Chromium), so that a scenario can count what the extension sent.
    this.bridgeRequests = [];
    this.context.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === this.botUrl) this.bridgeRequests.push({ method: request.method(), path: url.pathname, at: Date.now() });
    });
    this.worker = this.context.serviceWorkers()[0] ?? (await this.context.waitForEvent('serviceworker', { timeout: 20_000 }));
    this.extensionId = new URL(this.worker.url()).host;
  }

  botArgs() {
    return [
      '--listen', `127.0.0.1:${this.botPort}`,
      '--core-url', this.coreUrl,
      '--core-api-key', this.serviceKey,
      '--webhook-secret', WEBHOOK_SECRET,
      '--discord-token', 'fake-bot-token',
      '--discord-application-id', APPLICATION_ID,
      '--discord-guild', GUILD_ID,
      '--discord-api-base', this.discord.base,
      '--outbox-path', join(this.dir, 'outbox.db'),
      '--bridge-origins', `chrome-extension://${this.extensionId}`,
    ];
  }

  async startBot() {
    this.bot = spawn(need('FUMBLEBOT_BIN'), this.botArgs(), { env: { ...process.env, RUST_LOG: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'] });
    this.children.push(this.bot);
    await waitFor('fumblebot /readyz', async () => (await fetch(`${this.botUrl}/readyz`)).ok, { timeoutMs: 60_000, everyMs: 100 });
    await waitFor('fumblebot on the fake gateway', async () => (await (await fetch(`${this.discord.base}/_fake/identified`)).json()).identified > 0);
  }

  /**
   * Stops FumbleBot: SIGTERM, then SIGKILL after a few seconds, since its graceful
   * shutdown waits for the extension's open event stream to end, which it never does.
   */
  async stopBot() {
    const exited = new Promise((resolve) => this.bot.once('exit', resolve));
    this.bot.kill('SIGTERM');
    const killer = setTimeout(() => this.bot.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }

  /** Core's API with the service key, acting for `discordId` when given. */
  async core(method, path, body, discordId = USER.id) {
    const headers = { authorization: `Bearer ${this.serviceKey}`, 'content-type': 'application/json' };
    if (discordId) headers['x-act-as-discord-id'] = discordId;
    const response = await fetch(`${this.coreUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return parsed;
  }

  /** Every REST request the fake Discord received. */
  async discordRequests() {
    return (await fetch(`${this.discord.base}/_fake/requests`)).json();
  }

  /** The messages FumbleBot posted in a channel. */
  async channelMessages(channelId) {
    const path = `/api/v10/channels/${channelId}/messages`;
    return (await this.discordRequests()).filter((request) => request.method === 'POST' && request.path === path);
  }

  /** A message typed in a Discord channel, as the gateway's MESSAGE_CREATE carries it. */
  async discordMessage(channelId, content, { id, author = 'Nelly' } = {}) {
    const data = {
      id,
      channel_id: channelId,
      guild_id: GUILD_ID,
      author: { id: USER.id, username: 'nelly', discriminator: '0', global_name: author, avatar: null, bot: false },
      member: { roles: [], joined_at: '2026-01-01T00:00:00.000000+00:00', deaf: false, mute: false, flags: 0 },
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
    };
    const response = await fetch(`${this.discord.base}/_fake/dispatch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'MESSAGE_CREATE', data }),
    });
    assert.equal(response.status, 204);
  }

  /** Evaluates `fn(arg)` in the extension's service worker (waking it first). */
  async inWorker(fn, arg) {
    let worker = this.context.serviceWorkers().find((candidate) => candidate.url().startsWith(`chrome-extension://${this.extensionId}/`));
    if (!worker) {
      const page = await this.context.newPage();
      const waiting = this.context.waitForEvent('serviceworker', { timeout: 20_000 });
      await page.goto(`chrome-extension://${this.extensionId}/log.html`);
      worker = this.context.serviceWorkers().find((candidate) => candidate.url().startsWith(`chrome-extension://${this.extensionId}/`)) ?? (await waiting);
      await page.close();
    }
    // A worker stopped while it evaluates may never answer: fail instead of hanging.
    return withinMs(worker.evaluate(fn, arg), 20_000, 'the service worker did not answer within 20 s');
  }

  async stop() {
    await this.context?.close();
    for (const child of this.children ?? []) child.kill('SIGTERM');
    this.oauth?.close();
    this.vtt?.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
