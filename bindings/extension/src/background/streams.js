// Which event streams should be open: one per game shown in a tab where Discord chat is
// written (the game master's Roll20 or Foundry tab), while relaying chat is on and the
// token works. Chromium keeps them in an offscreen document; Firefox, which has no
// offscreen documents, in its background page, which does not stop while a request is open.

import { auth, gameKey, getSession, prefs, setSession } from '../shared/store.js';
import { StreamManager } from '../offscreen/streams.js';
import { bridgeUrl } from './bridge.js';
import { deliverEvent, lastEvents } from './events.js';
import { flush } from './queue.js';
import { serialized } from './serialized.js';
import { allTabs } from './tabs.js';

const OFFSCREEN_URL = 'offscreen.html';
/** Only in Firefox: the streams in this page. */
let inProcess = null;

async function wantedGames() {
  const [current, preferences, tabs, last] = await Promise.all([auth(), prefs(), allTabs(), lastEvents()]);
  if (!current.token || current.state === 'revoked' || !preferences.relay_chat) return [];
  const games = new Map();
  for (const page of Object.values(tabs)) {
    if (page.vtt === 'dndbeyond' || !preferences.vtts[page.vtt] || !page.player?.is_gm) continue;
    const key = gameKey(page.vtt, page.game_id);
    games.set(key, { vtt: page.vtt, game_id: page.game_id, last_event_id: last[key] ?? null });
  }
  return [...games.values()];
}

async function hasOffscreen() {
  const contexts = await chrome.runtime.getContexts({
    contextTypes: ['OFFSCREEN_DOCUMENT'],
    documentUrls: [chrome.runtime.getURL(OFFSCREEN_URL)],
  });
  return contexts.length > 0;
}

/** Opens and closes streams to match the tabs, the preferences and the token. */
export const syncStreams = serialized(async () => {
  const games = await wantedGames();
  const update = { target: 'offscreen', kind: 'streams', bridge_url: await bridgeUrl(), token: (await auth()).token ?? '', games };
  if (!chrome.offscreen) {
    inProcess ??= new StreamManager({ deliver: deliverEvent, report: (message) => onStreamState(message) });
    inProcess.update(update);
    return;
  }
  if (games.length === 0) {
    if (await hasOffscreen()) await chrome.offscreen.closeDocument();
    await setSession('streams', {});
    return;
  }
  if (!(await hasOffscreen())) {
    try {
      await chrome.offscreen.createDocument({
        url: OFFSCREEN_URL,
        reasons: ['WORKERS'],
        justification: 'holds the connection that brings Discord chat from FumbleBot into the VTT tab',
      });
    } catch (error) {
      // Created by a concurrent call in the meantime.
      if (!(await hasOffscreen())) throw error;
    }
  }
  await chrome.runtime.sendMessage(update);
});

let onSignedOut = async () => {};
export function whenStreamSignedOut(callback) {
  onSignedOut = callback;
}

/** A stream's state, for the popup: connecting, connected, error, signed_out. */
export const onStreamState = serialized(async (message) => {
  const streams = await getSession('streams', {});
  streams[gameKey(message.vtt, message.game_id)] = {
    state: message.state,
    status: message.status ?? null,
    error: message.error ?? null,
    at: Date.now(),
  };
  await setSession('streams', streams);
  if (message.state === 'signed_out') await onSignedOut(message);
  // The bridge answers again: what waited for it is sent now, not at the end of its backoff.
  if (message.state === 'connected') flush();
});
