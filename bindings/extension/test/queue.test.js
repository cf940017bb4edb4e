// The send queue (src/background/queue.js) against a stand-in bridge: bounded at 500 with
// the oldest dropped and logged, one entry per message id, sent in order; a refusal is
// logged and dropped, 401 stops everything, and an unreachable bridge keeps the message.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { fakeChrome, load } from './load.js';

const queue = await load('src/background/queue.js');
let answers;
let sent;

beforeEach(async () => {
  globalThis.chrome = fakeChrome();
  await chrome.storage.local.set({ auth: { token: 'cfk_dev_0123456789abcdefghijkl_x', state: 'ok' } });
  sent = [];
  answers = [];
  globalThis.fetch = async (url, init) => {
    sent.push({ url, body: JSON.parse(init.body), authorization: init.headers.authorization });
    const [status, body] = answers.shift() ?? [200, { duplicate: false }];
    if (status === 0) throw new TypeError('Failed to fetch');
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
});

const stored = async (key) => (await chrome.storage.local.get(key))[key];

test('the queue holds at most 500 messages: the oldest go, each logged', async () => {
  for (let index = 0; index < 503; index += 1) await queue.enqueue(`roll20:g:${index}`, '/vtt/rolls', { n: index });
  const held = await stored('queue');
  assert.equal(held.length, queue.QUEUE_MAX);
  assert.equal(held[0].key, 'roll20:g:3');
  assert.equal(held.at(-1).key, 'roll20:g:502');
  const log = await stored('log');
  assert.deepEqual(log.map((entry) => entry.detail.key), ['roll20:g:0', 'roll20:g:1', 'roll20:g:2']);
});

test('a message id is queued once, however often it is seen', async () => {
  assert.equal(await queue.enqueue('roll20:g:a', '/vtt/rolls', { n: 1 }), true);
  assert.equal(await queue.enqueue('roll20:g:a', '/vtt/rolls', { n: 1 }), false);
  await Promise.all([queue.enqueue('roll20:g:b', '/vtt/rolls', {}), queue.enqueue('roll20:g:b', '/vtt/rolls', {})]);
  assert.deepEqual((await stored('queue')).map((entry) => entry.key), ['roll20:g:a', 'roll20:g:b']);
});

test('flush sends in order to the configured bridge with the token, and empties the queue', async () => {
  for (const key of ['a', 'b', 'c']) await queue.enqueue(key, '/vtt/rolls', { key });
  await queue.flush();
  assert.deepEqual(sent.map((request) => request.body.key), ['a', 'b', 'c']);
  assert.ok(sent.every((request) => request.url === 'http://bridge.test/vtt/rolls'));
  assert.ok(sent.every((request) => request.authorization === 'Bearer cfk_dev_0123456789abcdefghijkl_x'));
  assert.deepEqual(await stored('queue'), []);
});

test("a refusal is logged with the bridge's error and dropped; the rest goes on", async () => {
  await queue.enqueue('bad', '/vtt/rolls', {});
  await queue.enqueue('good', '/vtt/rolls', {});
  answers.push([400, { error: { code: 'bad_request', message: "raw: expected 'div.message'", details: { field: 'raw' } } }]);
  await queue.flush();
  assert.deepEqual(await stored('queue'), []);
  const [entry] = await stored('log');
  assert.equal(entry.message, "the bridge refused a message: raw: expected 'div.message' (field: raw)");
  assert.equal(entry.detail.status, 400);
  assert.equal(sent.length, 2);
});

test('an unreachable bridge keeps the message and schedules a retry; 401 stops and signs out', async () => {
  await queue.enqueue('a', '/vtt/rolls', {});
  answers.push([0, null]);
  await queue.flush();
  assert.equal((await stored('queue'))[0].attempts, 1);
  assert.equal(chrome.alarms.created.length, 1);
  let signedOut = 0;
  queue.whenSignedOut(async () => {
    signedOut += 1;
  });
  answers.push([401, { error: { code: 'unauthorized', message: 'core does not accept this token' } }]);
  await queue.flush();
  assert.equal(signedOut, 1);
  assert.equal((await stored('queue')).length, 1, 'the message waits for a new token');
  // Signed out: nothing is sent.
  await chrome.storage.local.set({ auth: { token: 'cfk_x', state: 'revoked' } });
  const before = sent.length;
  await queue.flush();
  assert.equal(sent.length, before);
});
