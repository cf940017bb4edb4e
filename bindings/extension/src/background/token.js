// The Core user token: handed over by Core's "Link a VTT" page (externally_connectable
// in Chromium; the page's content script in Firefox) or pasted in the options page. It
// is kept in extension storage and sent only to the configured bridge. When the bridge
// answers 401 the token is marked revoked: the popup says "sign in again" and nothing is
// retried until a new token arrives.

import { auth, setLocal } from '../shared/store.js';
import { log } from './log.js';
import { serialized } from './serialized.js';

/** The shape of Core's user tokens (critfumble-sdk's `ApiKey`: `cfk_` and base62). */
const TOKEN_PATTERN = /^cfk_[A-Za-z0-9_]{16,200}$/;

/** Stores a new token; `coreUrl` is where "sign in again" sends the user. */
export async function storeToken({ token, coreUrl, expiresAt }) {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) {
    throw new Error('this is not a Crit-Fumble token (it starts with cfk_)');
  }
  const previous = await auth();
  await setLocal('auth', {
    token,
    core_url: coreUrl ?? previous.core_url ?? null,
    expires_at: typeof expiresAt === 'string' ? expiresAt : null,
    state: 'ok',
  });
  await log('info', 'a new token was stored');
}

/**
 * The bridge refused the token (401): stop using it until a new one. One call at a time:
 * the stream and the queue can both be refused at once, and the user is told once.
 */
export const markRevoked = serialized(async () => {
  const current = await auth();
  if (current.state === 'revoked') return;
  await setLocal('auth', { ...current, state: 'revoked' });
  await log('error', 'the bridge no longer accepts the token: sign in again from Core');
});

/** Forgets the token (the options page's "sign out"). */
export async function forgetToken() {
  const current = await auth();
  await setLocal('auth', { state: 'none', core_url: current.core_url ?? null });
}
