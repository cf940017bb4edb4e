// Roll20's editor (app.roll20.net/editor): watches the chat log with a MutationObserver
// and sends each new message of this player to the bridge: a roll as its `div.message`
// HTML (`roll20-html`), a plain line as chat. The history Roll20 loads when the page opens
// is skipped (by the time in each message's Firebase push id), and so is a message seen
// before (a chat re-rendered by Roll20 re-adds the same `data-messageid`). Discord
// messages are typed into the chat box in their VTT-safe form only.

import { listen } from '../shared/page-channel.js';
import { reportTime } from '../shared/metrics.js';
import { BoundedSet, decodeReferences, registerPage, sendFromPage } from './common.js';

const VTT = 'roll20';
/** Messages older than the page by more than this are history (the clocks may disagree a little). */
const HISTORY_SLACK_MS = 5_000;
const PUSH_ID_CHARS = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const openedAt = Date.now();
const seen = new BoundedSet(5_000);
const injected = new BoundedSet(500);
const echoes = new BoundedSet(100);
let observed = null;
let lastSpeaker = null;

/**
 * When a Firebase push id (Roll20's message ids) was made: its first 8 characters are the
 * milliseconds since 1970 in Firebase's 64-character alphabet. NaN when it is not one.
 */
export function pushIdTime(id) {
  if (typeof id !== 'string' || id.length < 8) return Number.NaN;
  let time = 0;
  for (const char of id.slice(0, 8)) {
    const digit = PUSH_ID_CHARS.indexOf(char);
    if (digit < 0) return Number.NaN;
    time = time * 64 + digit;
  }
  return time;
}

function isRoll(message) {
  return (
    message.classList.contains('rollresult') ||
    message.querySelector('.inlinerollresult, [class*="sheet-rolltemplate-"]') !== null
  );
}

/** The visible text of a chat line, without the avatar, the time stamp and the speaker. */
function lineText(message) {
  const copy = message.cloneNode(true);
  for (const part of copy.querySelectorAll('.avatar, .tstamp, .by, .spacer')) part.remove();
  return copy.textContent.replace(/\s+/g, ' ').trim();
}

function handle(message) {
  const id = message.dataset.messageid;
  if (!id || seen.has(id)) return null;
  seen.add(id);
  const by = message.querySelector(':scope > .by')?.textContent.trim().replace(/:$/, '');
  if (by) lastSpeaker = by;
  if (pushIdTime(id) < openedAt - HISTORY_SLACK_MS) return null;
  // Only this player's own messages: the bridge reports a roll as its caller's.
  if (!message.classList.contains('you')) return null;
  if (isRoll(message)) return { kind: 'roll', vtt: VTT, message_id: id, raw: message.outerHTML };
  if (!message.classList.contains('general')) return null;
  const text = lineText(message);
  // A Discord message this script typed in: never sent back to Discord.
  if (!text || echoes.has(text)) return null;
  return { kind: 'chat', vtt: VTT, message_id: id, speaker: (by ?? lastSpeaker ?? 'Roll20').slice(0, 100), text: text.slice(0, 2000) };
}

function onMutations(mutations) {
  const start = performance.now();
  const outgoing = [];
  for (const mutation of mutations) {
    for (const node of mutation.addedNodes) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const messages = node.matches('div.message') ? [node] : node.querySelectorAll('div.message');
      for (const message of messages) {
        const found = handle(message);
        if (found) outgoing.push(found);
      }
    }
  }
  for (const message of outgoing) sendFromPage(message);
  if (outgoing.length > 0) reportTime((performance.now() - start) / outgoing.length, outgoing.length);
}

/** Watches `#textchat`; Roll20 may replace it, so the observer follows the one on the page. */
function watch() {
  const chat = document.getElementById('textchat');
  if (chat && chat !== observed) {
    observed = chat;
    observer.disconnect();
    observer.observe(chat, { childList: true, subtree: true });
  }
}

const observer = new MutationObserver(onMutations);
watch();
setInterval(watch, 1_000);

/** Types a Discord message into the chat box, keeping what the player was writing. */
function inject(event) {
  if (injected.has(event.id)) return;
  const box = document.querySelector('#textchat-input textarea');
  const button = document.querySelector('#textchat-input .btn');
  if (!box || !button) return;
  injected.add(event.id);
  echoes.add(decodeReferences(event.roll20).replace(/\s+/g, ' ').trim());
  const draft = box.value;
  const [selectionStart, selectionEnd] = [box.selectionStart, box.selectionEnd];
  box.value = event.roll20;
  button.click();
  box.value = draft;
  box.setSelectionRange(selectionStart, selectionEnd);
}

chrome.runtime.onMessage.addListener((message) => {
  if (message?.kind === 'inject' && typeof message.event?.roll20 === 'string') inject(message.event);
});

listen('page', (message) => {
  if (message.type === 'page' && message.vtt === VTT) registerPage({ vtt: VTT, game_id: message.game_id, player: message.player });
});
