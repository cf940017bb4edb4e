// Which tab shows which game, and who is signed in there, as each content script reports
// it from its page (session storage: it lives as long as the browser session).

import { getSession, setSession } from '../shared/store.js';
import { serialized } from './serialized.js';

const change = serialized(async (update) => {
  const tabs = await getSession('tabs', {});
  update(tabs);
  await setSession('tabs', tabs);
  return tabs;
});

/** Records what tab `tabId` shows: `{vtt, game_id, player: {id, name, is_gm}, origin}`. */
export function setTab(tabId, page) {
  return change((tabs) => {
    tabs[tabId] = page;
  });
}

/** Forgets a closed tab. */
export function removeTab(tabId) {
  return change((tabs) => {
    delete tabs[tabId];
  });
}

export function allTabs() {
  return getSession('tabs', {});
}

/**
 * The tabs of a game. With `writers`, only those where Discord chat is written: the
 * game master's (Roll20 and Foundry show every chat message to everyone, so one writer
 * per game keeps each Discord message from appearing once per player).
 */
export async function tabsOfGame(vtt, gameId, { writers = false } = {}) {
  const tabs = await allTabs();
  return Object.keys(tabs).filter((tabId) => {
    const page = tabs[tabId];
    return page.vtt === vtt && page.game_id === gameId && (!writers || page.player?.is_gm);
  });
}
