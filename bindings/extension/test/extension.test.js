// The extension end to end, in Debian's headless Chromium with the built extension
// loaded, against real Core and FumbleBot processes, the fake Discord and the VTT fixture
// pages under their real host names (see system.js). The scenarios of issue 14 §3 and §2,
// in order (each builds on the state the one before left), with screenshots under
// test/output/screenshots/ and the measurements of §4 in test/output/measurements.json.
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HOSTS } from './vtt-server.js';
import { GUILD_ID, OUTPUT, System, USER, waitFor, withinMs } from './system.js';

const CHANNELS = {
  roll20: '930000000000000201',
  foundry12: '930000000000000202',
  foundry13: '930000000000000203',
  ddb: '930000000000000204',
};
const ROLL20_GAME = '4815162';
const ROLL20_PLAYER = '-N7qTw2-kpRbC4c1-Xhd8';
const HOSTILE = [
  '[[1d20]] for initiative',
  '/roll 1d100',
  '!script --nuke',
  'hit @{target|token_id} now',
  '<img src=x onerror="window.__pwned = 1">',
  '&{template:default} ?{Query} %{macro} #macro',
];

const SCENARIO_TIMEOUT_MS = 150_000;

let system;
let roll20;
const measurements = {};
const campaigns = {};
/**
 * node:test takes its options before the function. A scenario that hangs fails after
 * SCENARIO_TIMEOUT_MS instead of holding up the run.
 */
function scenario(name, fn, options = {}) {
  return test(name, { timeout: SCENARIO_TIMEOUT_MS, ...options }, fn);
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function screenshot(page, name) {
  await page.screenshot({ path: join(OUTPUT, 'screenshots', `${name}.png`) });
}

async function tabIdOf(urlPattern) {
  return system.inWorker(async (pattern) => (await chrome.tabs.query({ url: pattern }))[0]?.id, urlPattern);
}

async function tabIds() {
  return system.inWorker(async () => (await chrome.tabs.query({})).map((tab) => tab.id));
}

/** Opens `url` in a new tab; resolves to the page and its tab id (found without any permission for its origin). */
async function openTab(url) {
  const before = await tabIds();
  const page = await system.context.newPage();
  await page.goto(url);
  const [tabId] = (await tabIds()).filter((id) => !before.includes(id));
  return [page, tabId];
}

async function popupFor(tabId) {
  const popup = await system.context.newPage();
  await popup.setViewportSize({ width: 380, height: 640 });
  await popup.goto(`chrome-extension://${system.extensionId}/popup.html?tab=${tabId}`);
  return popup;
}

/** A campaign of the user's, linked to a Discord channel and a VTT game. */
async function campaign(name, channelId, vtt, gameId, { asService = false } = {}) {
  const created = await system.core('POST', '/v1/campaigns', { name, game_system: 'dnd5e' });
  await system.core('PUT', `/v1/campaigns/${created.id}/links/discord`, { guild_id: GUILD_ID, channel_id: channelId });
  // Linking a VTT game needs its GM's linked account (the extension's link flow); the
  // service acting for nobody is trusted instead, for D&D Beyond, whose page shows no GM.
  await system.core('PUT', `/v1/campaigns/${created.id}/links/vtt`, { vtt, game_id: gameId }, asService ? null : USER.id);
  return created.id;
}

async function coreRolls(campaignId) {
  return (await system.core('GET', `/v1/rolls?campaign_id=${campaignId}&limit=100`)).items;
}

/** Waits for a roll whose VTT record holds `marker`, then checks it is there once, and relayed once. */
async function storedAndRelayedOnce(campaignId, channelId, marker, relayPattern) {
  await waitFor(`the roll ${marker} in Core`, async () => (await coreRolls(campaignId)).some((roll) => roll.vtt_record?.message.includes(marker)));
  await waitFor(`the relay of ${marker}`, async () => (await system.channelMessages(channelId)).some((m) => relayPattern.test(m.body.content)));
  // Long enough for a duplicate to have arrived, had one been sent.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const stored = (await coreRolls(campaignId)).filter((roll) => roll.vtt_record?.message.includes(marker));
  assert.equal(stored.length, 1, `the roll ${marker} is stored once`);
  const relayed = (await system.channelMessages(channelId)).filter((m) => relayPattern.test(m.body.content));
  assert.equal(relayed.length, 1, `the roll ${marker} is relayed once`);
  return stored[0];
}

before(async () => {
  system = await new System().start();
});

after(async () => {
  writeFileSync(join(OUTPUT, 'measurements.json'), `${JSON.stringify(measurements, null, 2)}\n`);
  await system?.stop();
});

scenario("Core's Link page hands the extension a token through externally_connectable", async () => {
  const page = await system.context.newPage();
  await page.goto(`${system.coreUrl}/`);
  await page.click('main a.button');
  await page.waitForURL(`${system.coreUrl}/`);
  await page.goto(`${system.coreUrl}/link-vtt`);
  await page.waitForSelector('#extension-found:not([hidden])');
  await page.click('form[action="/link-vtt"] button');
  await waitFor('the handoff', async () => /stored it/.test(await page.textContent('#handoff-status')));
  const auth = await system.inWorker(async () => (await chrome.storage.local.get('auth')).auth);
  assert.equal(auth.state, 'ok');
  assert.match(auth.token, /^cfk_dev_/);
  assert.equal(auth.core_url, system.coreUrl);
  // The token is Core's: it answers /v1/me as the signed-in person.
  const me = await (await fetch(`${system.coreUrl}/v1/me`, { headers: { authorization: `Bearer ${auth.token}` } })).json();
  assert.equal(me.discord_id, USER.id);
  await screenshot(page, 'core-link-page');
  await page.close();
});

scenario('linking: the player id is read from the Roll20 page and the link is stored in Core', async () => {
  roll20 = await system.context.newPage();
  await roll20.goto(`https://${HOSTS.roll20}/editor/`);
  await roll20.waitForFunction(() => window.fixture?.historyLoaded);
  const tabId = await waitFor('the Roll20 tab', () => tabIdOf(`https://${HOSTS.roll20}/*`));
  const page = await waitFor('the page registered', async () => system.inWorker(async (id) => (await chrome.storage.session.get('tabs')).tabs?.[id], tabId));
  assert.deepEqual(page.player, { id: ROLL20_PLAYER, name: 'Mira', is_gm: true });
  assert.equal(page.game_id, ROLL20_GAME);
  const popup = await popupFor(tabId);
  await popup.waitForSelector('#link-button');
  await screenshot(popup, 'popup-before-link');
  await popup.click('#link-button');
  await waitFor('the popup to show the link', async () => /Account linked/.test(await popup.textContent('#link-state')));
  const accounts = (await system.core('GET', '/v1/me/vtt-accounts')).items;
  const linked = accounts.find((account) => account.vtt === 'roll20');
  assert.equal(linked.vtt_user_id, ROLL20_PLAYER);
  assert.equal(linked.display_name, 'Mira');
  // The page said this player is the game's GM: Core now lets the user link that game.
  campaigns.roll20 = await campaign('Roll20 table', CHANNELS.roll20, 'roll20', ROLL20_GAME);
  await popup.close();
});

scenario('VTT to Discord: a Roll20 roll is verified, stored in Core once and relayed once, history skipped', async () => {
  const posted = await roll20.evaluate(() => window.fixture.postRoll({ faces: 20, dice: [14], modifier: 3 }));
  // Roll20 re-renders its chat: the same message ids, new elements.
  await roll20.evaluate(() => window.fixture.rerender());
  const stored = await storedAndRelayedOnce(campaigns.roll20, CHANNELS.roll20, posted.id, /Mira\*\* on Roll20: 1d20\+3 = \*\*17\*\* ✓/);
  assert.equal(stored.total, 17);
  assert.equal(stored.verified, true);
  // The history loaded with the page (a 1d20-1 and a 2d6+2 an hour or more ago) was not sent.
  const all = await coreRolls(campaigns.roll20);
  assert.deepEqual(all.map((roll) => roll.expression), ['1d20+3']);
});

scenario('Discord to VTT: Discord messages appear in the Roll20 chat, and hostile text stays inert', async () => {
  await waitFor('the bridge stream', async () => {
    const streams = await system.inWorker(async () => (await chrome.storage.session.get('streams')).streams ?? {});
    return streams[`roll20:${ROLL20_GAME}`]?.state === 'connected';
  }, { timeoutMs: 90_000 });
  let id = 960000000000000100n;
  for (const text of HOSTILE) {
    id += 1n;
    await system.discordMessage(CHANNELS.roll20, text, { id: String(id) });
  }
  const lines = await waitFor('the Discord messages in the Roll20 chat', async () => {
    const found = await roll20.evaluate(() =>
      [...document.querySelectorAll('#textchat .message.general')]
        .map((message) => {
          const copy = message.cloneNode(true);
          for (const part of copy.querySelectorAll('.avatar, .tstamp, .by, .spacer')) part.remove();
          return copy.textContent.trim();
        })
        .filter((text) => text.includes('(Discord)')),
    );
    return found.length >= HOSTILE.length ? found : null;
  });
  // Sorted: FumbleBot's gateway handler may publish messages that arrive together in
  // another order (the order of a stream is the worker-stop scenario's concern).
  assert.deepEqual([...lines].sort(), HOSTILE.map((text) => `Nelly (Discord): ${text}`).sort());
  assert.deepEqual(await roll20.evaluate(() => window.fixture.commandsRun), []);
  assert.equal(await roll20.evaluate(() => window.__pwned), undefined);
  assert.equal(await roll20.locator('#textchat img[src="x"]').count(), 0);
  // What the extension typed is not sent back to Discord as chat.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const echoes = (await system.channelMessages(CHANNELS.roll20)).filter((m) => m.body.content.startsWith('💬'));
  assert.deepEqual(echoes, []);
  await screenshot(roll20, 'roll20-chat-after-injection');
});

scenario('the service worker stops in the middle of a stream of events: nothing is lost or doubled', async () => {
  const texts = Array.from({ length: 20 }, (_, index) => `stream message ${index + 1}`);
  const controller = await system.context.newPage();
  await controller.goto(`chrome-extension://${system.extensionId}/log.html`);
  const cdp = await system.context.newCDPSession(controller);
  await cdp.send('ServiceWorker.enable');
  let id = 961000000000000000n;
  for (const [index, text] of texts.entries()) {
    id += 1n;
    await system.discordMessage(CHANNELS.roll20, text, { id: String(id) });
    if (index === 6 || index === 13) {
      const stopped = system.context.serviceWorkers()[0]?.evaluate(() => new Promise(() => {})).catch(() => 'stopped');
      await cdp.send('ServiceWorker.stopAllWorkers');
      assert.equal(await withinMs(stopped, 60_000, 'the service worker was not stopped'), 'stopped', 'the service worker was stopped');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seen = await waitFor('every stream message in the chat', async () => {
    const found = await roll20.evaluate(() =>
      [...document.querySelectorAll('#textchat .message.general')].map((m) => m.textContent).filter((t) => t.includes('stream message')),
    );
    return found.length >= texts.length ? found : null;
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const final = await roll20.evaluate(() =>
    [...document.querySelectorAll('#textchat .message.general')].map((m) => m.textContent.replace(/^.*?\(Discord\): /, '').trim()).filter((t) => t.startsWith('stream message')),
  );
  assert.ok(seen.length >= texts.length);
  assert.deepEqual(final, texts);
  await controller.close();
});

scenario('VTT to Discord from D&D Beyond: this user\'s roll in the game log is stored once and relayed once', async () => {
  campaigns.ddb = await campaign('D&D Beyond table', CHANNELS.ddb, 'dndbeyond', '1234567', { asService: true });
  const ddb = await system.context.newPage();
  await ddb.goto(`https://${HOSTS.ddb}/campaigns/1234567`);
  await ddb.evaluate(() => window.fixture.open);
  await waitFor('the D&D Beyond page registered', async () => {
    const tabs = await system.inWorker(async () => (await chrome.storage.session.get('tabs')).tabs ?? {});
    return Object.values(tabs).some((page) => page.vtt === 'dndbeyond');
  });
  const rollId = crypto.randomUUID();
  const message = ddbRoll(rollId, '123456789');
  // Another player's roll in the same game log is theirs to report, not this user's.
  const other = ddbRoll(crypto.randomUUID(), '987654321');
  assert.equal(system.vtt.pushGameLog(other), 1);
  system.vtt.pushGameLog(message);
  const stored = await storedAndRelayedOnce(campaigns.ddb, CHANNELS.ddb, rollId, /on D&D Beyond — Perception check: 1d20\+5 = \*\*18\*\* ✓/);
  assert.equal(stored.verified, true);
  assert.equal((await coreRolls(campaigns.ddb)).length, 1);
  await screenshot(ddb, 'ddb-game-log');
  await ddb.close();
});

/** The Foundry servers of the fixtures: host, world id, Foundry user id (test/fixtures/foundry.js). */
const FOUNDRY = [
  { key: 'foundry12', version: 12, host: HOSTS.foundry12, world: 'stormwreck-isle', user: 'dSFkPELEE0DkKXgp' },
  { key: 'foundry13', version: 13, host: HOSTS.foundry13, world: 'stormwreck-isle-13', user: 'hQ3nV8cLm2TzR5aW' },
];
/** What Discord text could make Foundry do beyond the Roll20 list: enrichers and a roll command. */
const FOUNDRY_HOSTILE = [...HOSTILE, '@UUID[Actor.dSFkPELEE0DkKXgp]{Aldric} and @Check[dex]', '[[/r 1d20]]{Sneak}'];

async function pageOfTab(tabId) {
  return system.inWorker(async (id) => (await chrome.storage.session.get('tabs')).tabs?.[id], tabId);
}

scenario('Foundry v12 and v13: enabled per origin from the popup, linked, a roll relayed once, Discord chat written back inert', async () => {
  let discordId = 962000000000000000n;
  for (const { key, version, host, world, user } of FOUNDRY) {
    const [page, tabId] = await openTab(`https://${host}/game?v=${version}`);
    await page.waitForFunction(() => window.game?.ready);
    // The test build holds this origin from install; that alone does not enable Foundry:
    // no script of the extension ran in the page, and the worker knows no game in the tab.
    assert.equal(await page.evaluate(() => globalThis.__critfumbleFoundry), undefined);
    assert.equal(await pageOfTab(tabId), undefined);
    assert.deepEqual(await system.inWorker(async () => (await chrome.storage.local.get('foundry_origins')).foundry_origins ?? []), version === 12 ? [] : [`https://${HOSTS.foundry12}/*`]);
    // The user enables Foundry for this origin in the popup.
    const popup = await popupFor(tabId);
    await popup.waitForSelector('#foundry-button');
    await screenshot(popup, `popup-foundry-v${version}-enable`);
    await popup.click('#foundry-button');
    const registered = await waitFor('the Foundry page registered', () => pageOfTab(tabId));
    assert.deepEqual(registered, { vtt: 'foundry', game_id: world, player: { id: user, name: 'Gamemaster', is_gm: true }, origin: `https://${host}` });
    const enabled = await system.inWorker(async () => (await chrome.storage.local.get('foundry_origins')).foundry_origins);
    assert.ok(enabled.includes(`https://${host}/*`), JSON.stringify(enabled));
    // Linking reads the Foundry user from the page (game.user); the GM's world comes along.
    await popup.reload();
    await popup.waitForSelector('#link-button');
    await popup.click('#link-button');
    await waitFor('the Foundry link', async () => /Account linked/.test(await popup.textContent('#link-state')));
    const linked = (await system.core('GET', '/v1/me/vtt-accounts')).items.find((account) => account.vtt === 'foundry' && account.vtt_user_id === user);
    assert.equal(linked?.display_name, 'Gamemaster');
    await screenshot(popup, `popup-foundry-v${version}-linked`);
    await popup.close();
    campaigns[key] = await campaign(`Foundry v${version} table`, CHANNELS[key], 'foundry', world);

    // VTT to Discord: a roll, and a chat line.
    const posted = await page.evaluate(() => window.fixture.roll({ dice: [10], modifier: 4 }));
    const stored = await storedAndRelayedOnce(campaigns[key], CHANNELS[key], posted.id, /🎲 \*\*Aldric\*\* on Foundry — Perception Skill Check: 1d20 \+ 4 = \*\*14\*\* ✓/);
    assert.equal(stored.total, 14);
    assert.equal(stored.verified, true);
    await page.evaluate(async () => {
      await window.ChatMessage.create({ content: '<p>Onward, to the <em>keep</em>.</p>' });
    });
    await waitFor('the chat line in Discord', async () => (await system.channelMessages(CHANNELS[key])).some((m) => m.body.content === '💬 **Aldric**: Onward, to the keep.'));

    // Discord to VTT: written as out-of-character messages, as text, nothing run.
    await waitFor('the bridge stream', async () => {
      const streams = await system.inWorker(async () => (await chrome.storage.session.get('streams')).streams ?? {});
      return streams[`foundry:${world}`]?.state === 'connected';
    }, { timeoutMs: 90_000 });
    for (const text of FOUNDRY_HOSTILE) {
      discordId += 1n;
      await system.discordMessage(CHANNELS[key], text, { id: String(discordId) });
    }
    const written = await waitFor('the Discord messages in the Foundry chat', async () => {
      const found = await page.evaluate(() => window.fixture.messages.filter((message) => message.speaker.alias === 'Nelly (Discord)'));
      return found.length >= FOUNDRY_HOSTILE.length ? found : null;
    });
    // Long enough for a duplicate to have arrived, had one been written.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal((await page.evaluate(() => window.fixture.messages.filter((message) => message.speaker.alias === 'Nelly (Discord)'))).length, FOUNDRY_HOSTILE.length);
    for (const message of written) {
      assert.equal(message.style, 1, 'out of character');
      assert.deepEqual(message.rolls, []);
      assert.deepEqual(message.flags, { critfumble: { discord: true } });
    }
    // What the reader sees is the Discord text (the zero-width spaces that break `[[` and
    // `@Check[` are invisible); sorted, as in the Roll20 scenario.
    const shown = await page.evaluate(() =>
      [...document.querySelectorAll('.chat-message')]
        .filter((item) => item.querySelector('.message-sender').textContent === 'Nelly (Discord)')
        .map((item) => item.querySelector('.message-content').textContent.replaceAll('\u200b', '')),
    );
    assert.deepEqual([...shown].sort(), [...FOUNDRY_HOSTILE].sort());
    assert.deepEqual(await page.evaluate(() => window.fixture.commandsRun), []);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await page.locator('.chat-message img').count(), 0);
    // What the extension created is not sent back to Discord: the one chat line above only.
    const chat = (await system.channelMessages(CHANNELS[key])).filter((m) => m.body.content.startsWith('💬'));
    assert.deepEqual(chat.map((m) => m.body.content), ['💬 **Aldric**: Onward, to the keep.']);
    assert.equal((await coreRolls(campaigns[key])).length, 1);
    await screenshot(page, `foundry-v${version}-chat`);
    await page.close();
  }
});

function ddbRoll(id, userId) {
  return {
    id,
    dateTime: String(Date.now()),
    gameId: '1234567',
    userId,
    source: 'web',
    data: {
      action: 'Perception',
      rolls: [{
        diceNotation: { set: [{ count: 1, dieType: 'd20', dice: [{ dieType: 'd20', dieValue: 13 }], operation: 0 }], constant: 5 },
        diceNotationStr: '1d20+5',
        rollType: 'check',
        rollKind: '',
        result: { constant: 5, values: [13], total: 18, text: '13+5' },
      }],
      context: { entityId: '12345678', entityType: 'character', name: 'Lia Brightwood', messageScope: 'gameId', messageTarget: '1234567' },
      setId: '00101',
      rollId: `${id}-roll`,
    },
    entityId: '12345678',
    entityType: 'character',
    eventType: 'dice/roll/fulfilled',
    persist: true,
    messageScope: 'gameId',
    messageTarget: '1234567',
  };
}

scenario('a message the bridge refuses is logged with its error, and nothing else breaks', async () => {
  const brokenId = await roll20.evaluate(() => {
    const id = window.fixture.postRoll({ dice: [5], modifier: 0 }).id;
    // A roll message missing its dice and its total (as a broken sheet or script leaves
    // one): the bridge cannot read a roll from it.
    const message = document.querySelector(`[data-messageid="${id}"]`);
    message.querySelector('.formattedformula').remove();
    message.querySelector('.rolled').remove();
    return id;
  });
  const log = await system.context.newPage();
  await log.goto(`chrome-extension://${system.extensionId}/log.html`);
  await waitFor('the refusal in the log page', async () => /the bridge refused a message/.test(await log.textContent('#entries')));
  const entry = await log.textContent('#entries');
  assert.ok(entry.includes(brokenId), entry);
  assert.match(entry, /raw/);
  await screenshot(log, 'log-page');
  await log.close();
  // The next roll goes through as before.
  const posted = await roll20.evaluate(() => window.fixture.postRoll({ dice: [9], modifier: 2 }));
  await storedAndRelayedOnce(campaigns.roll20, CHANNELS.roll20, posted.id, /1d20\+2 = \*\*11\*\* ✓/);
});

scenario('FumbleBot away: rolls wait in the queue and are sent once when it returns', async () => {
  await system.stopBot();
  const posted = [];
  for (const die of [2, 3, 4]) posted.push(await roll20.evaluate((d) => window.fixture.postRoll({ dice: [d], modifier: 10 }), die));
  await waitFor('three queued messages', async () => (await system.inWorker(async () => (await chrome.storage.local.get('queue')).queue ?? [])).length === 3);
  // The worker has set the alarm that wakes it to try again; the test moves it to now,
  // as if its time had come (unpacked extensions' alarms have no 30 s minimum), rather
  // than waiting out a backoff that grows while FumbleBot restarts.
  const alarm = await system.inWorker(async () => chrome.alarms.get('critfumble-queue'));
  assert.ok(alarm && alarm.scheduledTime > Date.now() - 1_000, JSON.stringify(alarm));
  await system.startBot();
  await system.inWorker(async () => chrome.alarms.create('critfumble-queue', { when: Date.now() }));
  for (const [index, roll] of posted.entries()) {
    await storedAndRelayedOnce(campaigns.roll20, CHANNELS.roll20, roll.id, new RegExp(`1d20\\+10 = \\*\\*${12 + index}\\*\\* ✓`));
  }
  assert.deepEqual(await system.inWorker(async () => (await chrome.storage.local.get('queue')).queue), []);
}, { timeout: 120_000 });

scenario('a revoked token: "sign in again" in the popup, no more retries, and a new token sends what waited', async () => {
  // A second token, issued on Core's Tokens page (the browser holds the session of the
  // first scenario), revoked there, then pasted in the options page (the fallback).
  // Revoked before its first use: FumbleBot caches a token Core accepted for up to a
  // minute, so a token in use stops working within that minute.
  const tokens = await system.context.newPage();
  await tokens.goto(`${system.coreUrl}/tokens`);
  await tokens.fill('input[name="name"]', 'pasted in the extension');
  await tokens.click('form[action="/tokens"] button');
  const issued = (await tokens.textContent('#new-token')).trim();
  assert.match(issued, /^cfk_/);
  await tokens.goto(`${system.coreUrl}/tokens`);
  await tokens.click('tr:has-text("pasted in the extension") button.danger');
  await tokens.waitForSelector('tr:has-text("pasted in the extension") >> text=revoked');
  await screenshot(tokens, 'core-tokens-revoked');
  await tokens.close();
  const refusedByCore = await fetch(`${system.coreUrl}/v1/me`, { headers: { authorization: `Bearer ${issued}` } });
  assert.equal(refusedByCore.status, 401);
  const options = await system.context.newPage();
  await options.goto(`chrome-extension://${system.extensionId}/options.html`);
  const original = (await system.inWorker(async () => (await chrome.storage.local.get('auth')).auth)).token;
  await options.fill('#token-input', issued);
  await options.click('#token button');
  await waitFor('the pasted token', async () => /A token is stored|no longer works/.test(await options.textContent('#token-state')));
  assert.equal((await system.inWorker(async () => (await chrome.storage.local.get('auth')).auth)).token, issued);
  const sent = system.bridgeRequests.length;
  const posted = await roll20.evaluate(() => window.fixture.postRoll({ dice: [19], modifier: 1 }));
  await waitFor('the revoked state', async () => (await system.inWorker(async () => (await chrome.storage.local.get('auth')).auth)).state === 'revoked');
  const revokedAt = system.bridgeRequests.length;
  const tabId = await tabIdOf(`https://${HOSTS.roll20}/*`);
  const popup = await popupFor(tabId);
  await popup.waitForSelector('#sign-in');
  assert.match(await popup.textContent('#auth'), /sign in again/i);
  assert.equal(await popup.getAttribute('#sign-in', 'href'), `${system.coreUrl}/link-vtt`);
  await screenshot(popup, 'popup-sign-in-again');
  // Nothing is retried while signed out: a second roll waits too, the bridge sees no
  // request at all (the roll was refused once, or the event stream was refused first),
  // and the log names the refusal once.
  const second = await roll20.evaluate(() => window.fixture.postRoll({ dice: [7], modifier: 1 }));
  await waitFor('both rolls queued', async () => (await system.inWorker(async () => (await chrome.storage.local.get('queue')).queue ?? [])).length === 2);
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  assert.deepEqual(system.bridgeRequests.slice(revokedAt), []);
  const tried = system.bridgeRequests.slice(sent).filter((request) => request.path === '/vtt/rolls');
  assert.ok(tried.length <= 1, JSON.stringify(tried));
  const queue = await system.inWorker(async () => (await chrome.storage.local.get('queue')).queue);
  assert.deepEqual(queue.map((entry) => entry.key), [`roll20:${ROLL20_GAME}:${posted.id}`, `roll20:${ROLL20_GAME}:${second.id}`]);
  const log = await system.inWorker(async () => (await chrome.storage.local.get('log')).log);
  assert.equal(log.filter((entry) => /no longer accepts the token/.test(entry.message)).length, 1);
  // Signing in again (the working token, pasted) sends what waited.
  await options.fill('#token-input', original);
  await options.click('#token button');
  await storedAndRelayedOnce(campaigns.roll20, CHANNELS.roll20, posted.id, /1d20\+1 = \*\*20\*\* ✓/);
  await storedAndRelayedOnce(campaigns.roll20, CHANNELS.roll20, second.id, /1d20\+1 = \*\*8\*\* ✓/);
  await popup.close();
  await options.close();
});

scenario('the popup: state, preferences, and a dice roll from the wasm package', async () => {
  const tabId = await tabIdOf(`https://${HOSTS.roll20}/*`);
  const popup = await popupFor(tabId);
  await popup.waitForSelector('#stream-state');
  assert.match(await popup.textContent('#auth'), /Signed in/);
  assert.match(await popup.textContent('#page'), /Roll20: game 4815162/);
  assert.match(await popup.textContent('#stream-state'), /connected/);
  await popup.fill('#expression', '4d6kh3+2');
  await popup.click('#dice button');
  await popup.waitForSelector('#roll-total');
  const total = Number(await popup.textContent('#roll-total'));
  const detail = await popup.textContent('#roll-detail');
  // The detail lists the four dice in parentheses (`4d6kh3 (5, 1, 5, 5) + 2 = 17`): the
  // three highest + 2 is the total.
  const dice = detail.match(/\(([^)]*)\)/)[1].split(',').map(Number);
  assert.equal(dice.length, 4, detail);
  const kept = [...dice].sort((a, b) => b - a).slice(0, 3);
  assert.equal(total, kept.reduce((sum, die) => sum + die, 0) + 2, detail);
  await screenshot(popup, 'popup-roll');
  await popup.fill('#expression', '1d20kh+5');
  await popup.click('#dice button');
  await popup.waitForSelector('#roll-error');
  assert.equal(await popup.textContent('#roll-error'), "expected a number after 'kh' (at column 7)");
  // Relaying rolls off: a roll is not sent.
  await popup.uncheck('#relay-rolls');
  const skipped = await roll20.evaluate(() => window.fixture.postRoll({ dice: [1], modifier: 0 }));
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.equal((await coreRolls(campaigns.roll20)).filter((roll) => roll.vtt_record?.message.includes(skipped.id)).length, 0);
  await popup.check('#relay-rolls');
  await popup.close();
});

scenario('measurements: main-thread time per message, fixture to Discord latency, zip size', async () => {
  await system.inWorker(async () => chrome.storage.session.set({ metrics: [] }));
  const count = Number(process.env.EXTENSION_LATENCY_ROLLS ?? 100);
  const posted = [];
  for (let index = 0; index < count; index += 1) {
    posted.push(await roll20.evaluate((modifier) => window.fixture.postRoll({ dice: [10], modifier }), 100 + index));
    // Under the bridge's 100 requests per token per 10 s.
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  const relays = await waitFor('every relay', async () => {
    const found = (await system.channelMessages(CHANNELS.roll20)).filter((m) => /1d20\+1\d\d = /.test(m.body.content));
    return found.length >= count ? found : null;
  }, { timeoutMs: 60_000 });
  // Every roll arrived, once (the timings are measured, not asserted: see the README).
  const latencies = posted.map((roll) => {
    const matching = relays.filter((m) => m.body.content.includes(`= **${roll.total}**`));
    assert.equal(matching.length, 1, `the roll totalling ${roll.total} is relayed once`);
    return matching[0].received_at_ms - roll.postedAt;
  });
  const handling = await system.inWorker(async () => (await chrome.storage.session.get('metrics')).metrics);
  const { size } = statSync(join(system.distDir, 'critfumble-extension-chromium-0.1.0.zip'));
  Object.assign(measurements, {
    rolls: count,
    content_script_ms: { p50: percentile(handling, 50), p99: percentile(handling, 99), max: Math.max(...handling), samples: handling.length },
    fixture_to_discord_ms: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) },
    zip_bytes: size,
    load_average: loadavg().map((load) => Number(load.toFixed(2))),
  });
  console.log(JSON.stringify(measurements));
  assert.equal(handling.length, count);
  assert.ok(size < 400 * 1024, `the zip is ${size} bytes`);
}, { timeout: 180_000 });
