// FumbleBot's VTT bridge over HTTP: the token goes only to the configured bridge URL.
// Each answer is sorted once, into what the queue does with it.

import { auth, prefs } from '../shared/store.js';

/**
 * What an answer means for a queued request:
 * - `done`: accepted (200, 202), or a duplicate the bridge recognised;
 * - `refused`: the bridge will never accept it as it is (400, 403 not a member of the
 *   game's campaign, 404 no campaign linked, 409, 413, 422): log it, drop it;
 * - `signed_out`: the token is missing, revoked or expired (401): stop, ask the user;
 * - `retry`: the bridge or Core is away or busy (network error, 408, 429, 5xx): keep it.
 */
export function outcome(status) {
  if (status === 0) return 'retry';
  if (status >= 200 && status < 300) return 'done';
  if (status === 401) return 'signed_out';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'refused';
}

/** The bridge's base URL, without a trailing slash. */
export async function bridgeUrl() {
  return (await prefs()).bridge_url.replace(/\/+$/, '');
}

/**
 * POSTs `body` as JSON to `path` on the bridge with the token. Resolves to
 * `{status, body, retry_after, token}` (`token`: the one sent, so that a 401 revokes that
 * one and not a newer); status 0 when the bridge could not be reached.
 */
export async function post(path, body) {
  const { token } = await auth();
  if (!token) return { status: 401, body: { error: { message: 'no token: sign in from Core' } }, token: null };
  let response;
  try {
    response = await fetch(`${await bridgeUrl()}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  } catch (error) {
    return { status: 0, body: { error: { message: `the bridge is unreachable: ${error.message}` } }, token };
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    // A proxy's HTML error page, say: the status is what counts.
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return {
    status: response.status,
    body: answer,
    retry_after: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    token,
  };
}

/** The bridge's error message in an answer body (the SDK's `ErrorBody`), or the status. */
export function errorMessage(answer) {
  const error = answer.body?.error;
  if (error?.message) {
    const field = error.details?.field;
    return field ? `${error.message} (field: ${field})` : error.message;
  }
  return answer.status === 0 ? 'the bridge is unreachable' : `HTTP ${answer.status}`;
}
