// The stored token (src/background/token.js): a 401 revokes the token it answered and no
// other, so that a late refusal of an old token cannot revoke one the user just pasted,
// whether it arrives after the new token is stored or while it is being stored.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { fakeChrome, load } from './load.js';

const tokens = await load('src/background/token.js');
const OLD = 'cfk_dev_0123456789abcdefghijkl_old';
const NEW = 'cfk_dev_0123456789abcdefghijkl_new';

const stored = async (key) => (await chrome.storage.local.get(key))[key];
const revocationsLogged = async () => ((await stored('log')) ?? []).filter((entry) => /no longer accepts/.test(entry.message)).length;

beforeEach(async () => {
  globalThis.chrome = fakeChrome();
  await tokens.storeToken({ token: OLD, coreUrl: 'http://core.test' });
});

test('a 401 for the stored token revokes it, once however often it comes', async () => {
  await Promise.all([tokens.markRevoked(OLD), tokens.markRevoked(OLD)]);
  assert.deepEqual(await stored('auth'), { token: OLD, core_url: 'http://core.test', expires_at: null, state: 'revoked' });
  assert.equal(await revocationsLogged(), 1);
});

test('a late 401 for the old token leaves a new token working', async () => {
  await tokens.storeToken({ token: NEW });
  await tokens.markRevoked(OLD);
  assert.deepEqual(await stored('auth'), { token: NEW, core_url: 'http://core.test', expires_at: null, state: 'ok' });
  assert.equal(await revocationsLogged(), 0);
});

test('a 401 for the old token while the new one is being stored leaves the new one working', async () => {
  // Both read the old auth before either writes, unless the changes are made one at a time.
  await Promise.all([tokens.storeToken({ token: NEW }), tokens.markRevoked(OLD)]);
  assert.deepEqual(await stored('auth'), { token: NEW, core_url: 'http://core.test', expires_at: null, state: 'ok' });
});

test('a new token after a revoked one works again', async () => {
  await tokens.markRevoked(OLD);
  await tokens.storeToken({ token: NEW });
  assert.equal((await stored('auth')).state, 'ok');
  await tokens.markRevoked(OLD);
  assert.equal((await stored('auth')).state, 'ok');
});
