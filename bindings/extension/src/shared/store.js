// What the extension keeps, and where: chrome.storage.local holds the token, the
// preferences, the send queue, the log and the Foundry origins the user enabled;
// chrome.storage.session (gone when the browser closes) holds the connection state: which
// tab shows which game, the last event delivered per game, and the streams' state.

/** The preferences a new install starts with. */
export const DEFAULT_PREFS = Object.freeze({
  vtts: { roll20: true, foundry: true, dndbeyond: true },
  relay_rolls: true,
  relay_chat: true,
  bridge_url: __BRIDGE_URL__,
});

/** The most entries the log page keeps. */
export const LOG_MAX = 200;

export async function getLocal(key, fallback) {
  const found = await chrome.storage.local.get(key);
  return found[key] ?? fallback;
}

export async function setLocal(key, value) {
  await chrome.storage.local.set({ [key]: value });
}

export async function getSession(key, fallback) {
  const found = await chrome.storage.session.get(key);
  return found[key] ?? fallback;
}

export async function setSession(key, value) {
  await chrome.storage.session.set({ [key]: value });
}

/** The preferences, with the defaults for anything not set. */
export async function prefs() {
  const stored = await getLocal('prefs', {});
  return {
    ...DEFAULT_PREFS,
    ...stored,
    vtts: { ...DEFAULT_PREFS.vtts, ...(stored.vtts ?? {}) },
  };
}

/** The token and where it came from: `{token, core_url, expires_at, state}`. */
export async function auth() {
  return getLocal('auth', { state: 'none' });
}

/** The key of a game: `<vtt>:<game_id>`. */
export function gameKey(vtt, gameId) {
  return `${vtt}:${gameId}`;
}
