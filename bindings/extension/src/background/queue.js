// The send queue, in chrome.storage.local so that it outlives the service worker and the
// browser: rolls and chat lines wait here while FumbleBot is unreachable, at most
// QUEUE_MAX of them. Each entry is keyed by its VTT message id (`<vtt>:<game>:<id>`), so a
// message seen twice (a re-rendered chat, a reload) is queued once, and the bridge, which
// keys the roll the same way, records it once even when a send is repeated after a crash.

import { auth, getLocal, setLocal } from '../shared/store.js';
import { errorMessage, outcome, post } from './bridge.js';
import { log } from './log.js';
import { serialized } from './serialized.js';

/** The most messages the queue holds; past it the oldest is dropped (and logged). */
export const QUEUE_MAX = 500;
/** The longest wait between two tries of the queue's head. */
const BACKOFF_MAX_MS = 60_000;
const ALARM = 'critfumble-queue';

/** Runs `change(queue)` on the stored queue and stores it: one change at a time. */
const withQueue = serialized(async (change) => {
  const queue = await getLocal('queue', []);
  const result = await change(queue);
  await setLocal('queue', queue);
  return result;
});

/** Adds a request for `path` (`/vtt/rolls` or `/vtt/chat`) unless its key is queued. */
export async function enqueue(key, path, body) {
  const dropped = await withQueue((queue) => {
    if (queue.some((entry) => entry.key === key)) return null;
    queue.push({ key, path, body, attempts: 0, queued_at: Date.now() });
    return queue.length > QUEUE_MAX ? queue.splice(0, queue.length - QUEUE_MAX) : [];
  });
  for (const entry of dropped ?? []) {
    await log('warn', `the queue is full (${QUEUE_MAX}): dropped the oldest message`, { key: entry.key });
  }
  return dropped !== null;
}

function removeHead(key) {
  return withQueue((queue) => {
    const index = queue.findIndex((entry) => entry.key === key);
    if (index >= 0) queue.splice(index, 1);
  });
}

function markAttempt(key) {
  return withQueue((queue) => {
    const entry = queue.find((candidate) => candidate.key === key);
    if (entry) entry.attempts += 1;
    return entry?.attempts ?? 1;
  });
}

let timer = null;

function retryLater(ms) {
  clearTimeout(timer);
  // The timer serves while the worker lives; the alarm wakes a stopped worker.
  timer = setTimeout(() => flush(), ms);
  chrome.alarms.create(ALARM, { when: Date.now() + Math.max(ms, 30_000) });
}

/** Called when the token stops working: the popup shows "sign in again". */
let onSignedOut = async () => {};
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

/**
 * Sends the queue in order, one at a time, until it is empty, the bridge is away (then
 * it tries again with backoff) or the token is refused (then it stops until a new one).
 */
export const flush = serialized(async () => {
  for (;;) {
    const current = await auth();
    if (!current.token || current.state === 'revoked') return;
    const [head] = await getLocal('queue', []);
    if (!head) return;
    const answer = await post(head.path, head.body);
    switch (outcome(answer.status)) {
      case 'done':
        await removeHead(head.key);
        break;
      case 'refused':
        await removeHead(head.key);
        await log('error', `the bridge refused a message: ${errorMessage(answer)}`, {
          key: head.key,
          status: answer.status,
          error: answer.body?.error ?? null,
        });
        break;
      case 'signed_out':
        await onSignedOut(answer);
        return;
      default: {
        const attempts = await markAttempt(head.key);
        const backoff = Math.min(BACKOFF_MAX_MS, 500 * 2 ** Math.min(attempts, 10));
        const wait = answer.retry_after ? Math.max(answer.retry_after * 1000, backoff) : backoff;
        if (attempts === 1) await log('warn', `waiting for the bridge: ${errorMessage(answer)}`, { key: head.key });
        retryLater(wait);
        return;
      }
    }
  }
});

/** The alarm that wakes a stopped worker to retry. */
export function onAlarm(alarm) {
  if (alarm.name === ALARM) flush();
}
