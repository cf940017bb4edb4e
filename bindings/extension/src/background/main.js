// The service worker: it routes messages between the VTT tabs, the offscreen document,
// the popup, the options page and Core's "Link a VTT" page, and owns the send queue. It
// keeps nothing in memory that matters: Chromium stops it after about 30 s idle, and all
// state is in chrome.storage.

import { VTTS, isVtt } from '../shared/vtt.js';
import { auth, gameKey, getLocal, getSession, prefs, setLocal, setSession } from '../shared/store.js';
import { errorMessage, post } from './bridge.js';
import { enableFoundry, forgetUngranted, foundryOrigins, injectFoundry, registerFoundry } from './foundry.js';
import { log } from './log.js';
import { enqueue, flush, onAlarm, whenSignedOut } from './queue.js';
import { onStreamState, syncStreams, whenStreamSignedOut } from './streams.js';
import { deliverEvent } from './events.js';
import { serialized } from './serialized.js';
import { allTabs, removeTab, setTab } from './tabs.js';
import { forgetToken, markRevoked, storeToken } from './token.js';

/** Origins allowed to hand over a token: Core's web app (also the manifest's externally_connectable). */
const CORE_ORIGINS = __CORE_ORIGINS__;
/** The most handling times kept for the measurement of the content scripts. */
const METRICS_MAX = 5_000;

/** The bridge refused `token` (401): the user must sign in again, unless a new token replaced it meanwhile. */
async function signedOut(token) {
  await markRevoked(token);
  await syncStreams();
}
whenSignedOut((answer) => signedOut(answer.token));
whenStreamSignedOut((report) => signedOut(report.token));

function isExtensionPage(sender) {
  return typeof sender.url === 'string' && sender.url.startsWith(chrome.runtime.getURL(''));
}

function senderOrigin(sender) {
  return sender.origin ?? (sender.url ? new URL(sender.url).origin : '');
}

/** Stores a token, then reopens the streams and sends what waited. */
async function acceptToken(handed) {
  try {
    await storeToken(handed);
  } catch (error) {
    return { ok: false, error: error.message };
  }
  await syncStreams();
  flush();
  return { ok: true };
}

/** Whether a content script's page may speak for `vtt`: its origin is that VTT's. */
async function pageMaySpeakFor(sender, vtt) {
  const origin = senderOrigin(sender);
  if (vtt === 'roll20') return origin === 'https://app.roll20.net';
  if (vtt === 'dndbeyond') return origin === 'https://www.dndbeyond.com';
  if (vtt === 'foundry') return (await foundryOrigins()).includes(`${origin}/*`);
  return false;
}

/** A roll or chat line from a VTT tab, queued by its message id, then the queue is sent. */
async function fromPage(message, sender) {
  const preferences = await prefs();
  if (!preferences.vtts[message.vtt]) return { queued: false, reason: 'this VTT is off' };
  const isRoll = message.kind === 'roll';
  if (isRoll ? !preferences.relay_rolls : !preferences.relay_chat) return { queued: false, reason: 'relaying is off' };
  const tabs = await allTabs();
  const page = tabs[sender.tab?.id];
  if (!page || page.vtt !== message.vtt) return { queued: false, reason: 'the page has not said which game it shows' };
  const key = `${gameKey(message.vtt, page.game_id)}:${message.message_id}`;
  const body = isRoll
    ? { vtt: message.vtt, game_id: page.game_id, format: VTTS[message.vtt].format, raw: message.raw }
    : { vtt: message.vtt, game_id: page.game_id, speaker: message.speaker, text: message.text };
  const queued = await enqueue(key, isRoll ? '/vtt/rolls' : '/vtt/chat', body);
  flush();
  return { queued };
}

const recordMetric = serialized(async (ms, count) => {
  const metrics = await getSession('metrics', []);
  for (let index = 0; index < count; index += 1) metrics.push(ms);
  await setSession('metrics', metrics.slice(-METRICS_MAX));
});

/** `POST /vtt/accounts/link` for the player the tab's page shows, after the user agreed in the popup. */
async function link(tabId) {
  const page = (await allTabs())[tabId];
  if (!page?.player?.id) return { ok: false, error: 'this tab shows no VTT player' };
  const body = { vtt: page.vtt, vtt_user_id: page.player.id };
  if (page.player.name) body.display_name = page.player.name.slice(0, 100);
  if (page.player.is_gm && page.game_id) body.game_id = page.game_id;
  const answer = await post('/vtt/accounts/link', body);
  if (answer.status === 401) {
    await signedOut(answer.token);
    return { ok: false, error: 'sign in again' };
  }
  if (answer.status < 200 || answer.status >= 300) {
    await log('error', `linking refused: ${errorMessage(answer)}`, answer.body?.error ?? null);
    return { ok: false, error: errorMessage(answer) };
  }
  const links = await getLocal('links', {});
  links[`${page.vtt}:${page.player.id}`] = { status: answer.body.status, at: new Date().toISOString() };
  await setLocal('links', links);
  return { ok: true, status: answer.body.status };
}

/** Everything the popup shows. */
async function popupState(tabId) {
  const [current, preferences, tabs, streams, links, queue, origins] = await Promise.all([
    auth(), prefs(), allTabs(), getSession('streams', {}), getLocal('links', {}), getLocal('queue', []), foundryOrigins(),
  ]);
  const page = tabs[tabId] ?? null;
  return {
    auth: { state: current.token ? current.state : 'none', core_url: current.core_url ?? CORE_ORIGINS[0] ?? null, expires_at: current.expires_at ?? null },
    prefs: preferences,
    page,
    link: page?.player ? links[`${page.vtt}:${page.player.id}`] ?? null : null,
    stream: page ? streams[gameKey(page.vtt, page.game_id)] ?? null : null,
    queued: queue.length,
    foundry_origins: origins,
  };
}

const handlers = {
  // Content scripts.
  page: async (message, sender) => {
    if (!sender.tab || !isVtt(message.vtt) || !(await pageMaySpeakFor(sender, message.vtt))) return { ok: false };
    await setTab(sender.tab.id, {
      vtt: message.vtt,
      game_id: String(message.game_id ?? '').slice(0, 200),
      player: message.player ?? null,
      origin: new URL(sender.url).origin,
    });
    await syncStreams();
    return { ok: true };
  },
  metric: async (message, sender) => {
    if (!sender.tab || typeof message.ms_each !== 'number') return null;
    await recordMetric(message.ms_each, Math.min(Number(message.count) || 1, 1_000));
    return null;
  },
  roll: async (message, sender) => ((await pageMaySpeakFor(sender, message.vtt)) ? fromPage(message, sender) : { queued: false }),
  chat: async (message, sender) => ((await pageMaySpeakFor(sender, message.vtt)) ? fromPage(message, sender) : { queued: false }),
  // The offscreen document.
  event: async (message, sender) => (isExtensionPage(sender) ? deliverEvent(message) : { ack: false }),
  'stream-state': async (message, sender) => (isExtensionPage(sender) ? onStreamState(message) : null),
  'offscreen-ready': async (_message, sender) => (isExtensionPage(sender) ? syncStreams() : null),
  // The popup and the options page.
  'popup-state': async (message, sender) => (isExtensionPage(sender) ? popupState(message.tab_id) : null),
  link: async (message, sender) => (isExtensionPage(sender) ? link(message.tab_id) : null),
  // The user clicked "Enable Foundry VTT here" and the browser granted the tab's origin.
  'foundry-enabled': async (message, sender) => {
    if (!isExtensionPage(sender)) return null;
    // The origin is the tab's own (readable now that it is granted), not the popup's word.
    const tab = await chrome.tabs.get(Number(message.tab_id));
    const origins = await enableFoundry(tab.url);
    await injectFoundry(tab.id);
    return { ok: true, origins };
  },
  'prefs-changed': async (_message, sender) => {
    if (!isExtensionPage(sender)) return null;
    await syncStreams();
    flush();
    return { ok: true };
  },
  // The options page: a token pasted by hand.
  'store-token': async (message, sender) => (isExtensionPage(sender) ? acceptToken({ token: message.token?.trim() }) : null),
  // Firefox only: Core's page posts the token to the content script on Core's origin.
  'core-token': async (message, sender) => {
    const origin = senderOrigin(sender);
    if (!__FIREFOX__ || !sender.tab || !CORE_ORIGINS.includes(origin)) return null;
    return acceptToken({ token: message.token, coreUrl: origin, expiresAt: message.expires_at });
  },
  'forget-token': async (_message, sender) => {
    if (!isExtensionPage(sender)) return null;
    await forgetToken();
    await syncStreams();
    return { ok: true };
  },
};

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  if (message?.target === 'offscreen') return false;
  const handler = handlers[message?.kind];
  if (!handler) return false;
  handler(message, sender).then(reply, (error) => {
    log('error', `${message.kind}: ${error.message}`);
    reply({ ok: false, error: error.message });
  });
  return true;
});

// Core's "Link a VTT" page hands over a token (Chromium: externally_connectable limits
// who may send this to Core's origins, checked here again).
chrome.runtime.onMessageExternal?.addListener((message, sender, reply) => {
  const origin = senderOrigin(sender);
  if (!CORE_ORIGINS.includes(origin) || message?.type !== 'critfumble:bridge-token') return false;
  acceptToken({ token: message.token, coreUrl: origin, expiresAt: message.expires_at }).then((answer) =>
    reply(answer.ok ? { type: 'critfumble:bridge-token-stored' } : { type: 'critfumble:bridge-token-refused', error: answer.error }),
  );
  return true;
});

chrome.tabs.onRemoved.addListener(async (tabId) => {
  await removeTab(tabId);
  await syncStreams();
});
chrome.alarms.onAlarm.addListener(onAlarm);
chrome.permissions.onRemoved.addListener(() => forgetUngranted());
chrome.runtime.onStartup.addListener(() => {
  syncStreams();
  flush();
});
chrome.runtime.onInstalled.addListener(() => registerFoundry());
