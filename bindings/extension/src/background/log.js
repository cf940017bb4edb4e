// The extension's own log (the log page reads it): what the bridge refused and why, what
// was dropped, and when the token stopped working. The newest LOG_MAX entries are kept.

import { LOG_MAX, getLocal, setLocal } from '../shared/store.js';
import { serialized } from './serialized.js';

/** Appends `{at, level, message, detail}`; `detail` is the bridge's error body, if any. */
export const log = serialized(async (level, message, detail) => {
  const entries = await getLocal('log', []);
  entries.push({ at: new Date().toISOString(), level, message, detail: detail ?? null });
  await setLocal('log', entries.slice(-LOG_MAX));
});
