// The Core user token: handed over by Core's "Link a VTT" page (externally_connectable
// in Chromium; the page's content script in Firefox) or pasted in the options page. It
// is kept in extension storage and sent only to the configured bridge. When the bridge
// answers 401 the token is marked revoked: the popup says "sign in again" and nothing is
// retried until a new token arrives. Every change of the stored token is made one at a
// time (`changeAuth`), and a 401 revokes only the token it answered: a late refusal of an
// old token must not revoke the one the user just pasted.

import { auth, setLocal } from '../shared/store.js';
import { log } from './log.js';
import { serialized } from './serialized.js';

/** The shape of Core's user tokens (critfumble-sdk's `ApiKey`: `cfk_` and base62). */
const TOKEN_PATTERN = /^cfk_[A-Za-z0-9_]{16,200}$/;

/**
 * Runs `change(current)` on the stored auth and stores what it returns (nothing: no
 * change), one change at a time, so that no change is made on a stale read.
 */
const changeAuth = serialized(async (change) => {
  const next = change(await auth());
  if (next) await setLocal('auth', next);
  return Boolean(next);
});

/** Stores a new token; `coreUrl` is where "sign in again" sends the user. */
export async function storeToken({ token, coreUrl, expiresAt }) {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) {
    throw new Error('this is not a Crit-Fumble token (it starts with cfk_)');
  }
  await changeAuth((previous) => ({
    token,
    core_url: coreUrl ?? previous.core_url ?? null,
    expires_at: typeof expiresAt === 'string' ? expiresAt : null,
    state: 'ok',
  }));
  await log('info', 'a new token was stored');
}

/**
 * The bridge refused `token` (401): stop using it until a new one. Nothing changes when
 * another token is stored by now, or this one is already marked: the stream and the
 * queue can both be refused at once, and the user is told once.
 */
export async function markRevoked(token) {
  const revoked = await changeAuth((current) =>
    current.token && current.token === token && current.state !== 'revoked' ? { ...current, state: 'revoked' } : null,
  );
  if (revoked) await log('error', 'the bridge no longer accepts the token: sign in again from Core');
}

/** Forgets the token (the options page's "sign out"). */
export async function forgetToken() {
  await changeAuth((current) => ({ state: 'none', core_url: current.core_url ?? null }));
}
