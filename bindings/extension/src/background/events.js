// Discord messages from the bridge's streams, into the VTT tabs showing their game. The
// last event delivered per game is kept in session storage: the streams resume from it
// when the offscreen document is recreated, and an event at or before it is not written
// twice.

import { gameKey, getSession, setSession } from '../shared/store.js';
import { serialized } from './serialized.js';
import { tabsOfGame } from './tabs.js';

/** An event id as a comparable pair: the bridge's ids are `<n>` (one process) or `<ms>-<seq>` (Redis). */
export function cursor(id) {
  const [first, second] = String(id ?? '').split('-');
  const major = /^\d+$/.test(first) ? BigInt(first) : -1n;
  const minor = second !== undefined && /^\d+$/.test(second) ? BigInt(second) : 0n;
  return [major, minor];
}

/** Whether event id `a` comes after `b`. */
export function isAfter(a, b) {
  const [a1, a2] = cursor(a);
  const [b1, b2] = cursor(b);
  return a1 > b1 || (a1 === b1 && a2 > b2);
}

/** Writes one event into every tab of its game that writes chat; resolves to the ack. */
export const deliverEvent = serialized(async ({ vtt, game_id: gameId, event }) => {
  const key = gameKey(vtt, gameId);
  const last = await getSession('last_event', {});
  if (last[key] && !isAfter(event.id, last[key])) return { ack: true, duplicate: true };
  for (const tabId of await tabsOfGame(vtt, gameId, { writers: true })) {
    try {
      await chrome.tabs.sendMessage(Number(tabId), { kind: 'inject', event });
    } catch {
      // The tab closed or navigated away: nothing to write into there.
    }
  }
  last[key] = event.id;
  await setSession('last_event', last);
  return { ack: true };
});

/** The last event delivered for each game. */
export async function lastEvents() {
  return getSession('last_event', {});
}
