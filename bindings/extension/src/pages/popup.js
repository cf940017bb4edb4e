// The popup: whether the extension is signed in (or must sign in again), what this tab
// shows (the game, the player, linked or not, the bridge connection), the preferences,
// and a dice roller on @crit-fumble/dice (the wasm package; extension pages allow
// 'wasm-unsafe-eval', content scripts never load it).

import { init, roll, DiceError } from '@crit-fumble/dice';
import { VTTS } from '../shared/vtt.js';
import { prefs } from '../shared/store.js';

const $ = (id) => document.getElementById(id);

/** The tab the popup is about: the active one, or `?tab=` when opened as a page. */
async function targetTab() {
  const fromQuery = new URLSearchParams(window.location.search).get('tab');
  if (fromQuery) return chrome.tabs.get(Number(fromQuery));
  const [active] = await chrome.tabs.query({ active: true, currentWindow: true });
  return active;
}

function text(parent, tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content;
  if (className) element.className = className;
  parent.append(element);
  return element;
}

function showAuth(auth) {
  const box = $('auth');
  box.replaceChildren();
  const signIn = auth.core_url ? `${auth.core_url}/link-vtt` : 'options.html';
  if (auth.state === 'ok') {
    text(box, 'p', 'Signed in to Crit-Fumble.', 'ok');
    return;
  }
  const message = auth.state === 'revoked' ? 'Your token no longer works: sign in again.' : 'Not signed in.';
  text(box, 'p', message, 'bad');
  const link = text(box, 'a', auth.state === 'revoked' ? 'Sign in again' : 'Sign in', '');
  link.href = signIn;
  link.target = '_blank';
  link.id = 'sign-in';
}

function showPage(state, tab) {
  const box = $('page');
  box.replaceChildren();
  const page = state.page;
  $('link').hidden = true;
  $('foundry').hidden = true;
  if (!page) {
    text(box, 'p', 'No VTT game in this tab.', 'muted');
    // Any web page may be a Foundry server (it is self-hosted): offer to enable it here.
    const url = tab?.url ? new URL(tab.url) : null;
    if (url && /^https?:$/.test(url.protocol)) $('foundry').hidden = false;
    return;
  }
  text(box, 'p', `${VTTS[page.vtt].label}: game ${page.game_id}`);
  if (page.player) text(box, 'p', `Playing as ${page.player.name ?? page.player.id}${page.player.is_gm ? ' (GM)' : ''}`);
  const linked = state.link?.status;
  text(box, 'p', linked ? `Account linked (${linked.replace('_', ' ')})` : 'Account not linked', linked ? 'ok' : 'muted').id = 'link-state';
  if (!linked && page.player && state.auth.state === 'ok') $('link').hidden = false;
  const stream = state.stream;
  const connection = stream ? stream.state : page.player?.is_gm ? 'not connected' : 'rolls only (Discord chat is written by the GM)';
  text(box, 'p', `Bridge: ${connection}${stream?.error ? ` (${stream.error})` : ''}`, stream?.state === 'connected' ? 'ok' : 'muted').id = 'stream-state';
  if (state.queued > 0) text(box, 'p', `${state.queued} message(s) waiting for the bridge`, 'muted');
}

async function showPrefs() {
  const current = await prefs();
  for (const box of document.querySelectorAll('[data-vtt]')) box.checked = current.vtts[box.dataset.vtt];
  $('relay-rolls').checked = current.relay_rolls;
  $('relay-chat').checked = current.relay_chat;
}

async function savePrefs() {
  const current = await prefs();
  for (const box of document.querySelectorAll('[data-vtt]')) current.vtts[box.dataset.vtt] = box.checked;
  current.relay_rolls = $('relay-rolls').checked;
  current.relay_chat = $('relay-chat').checked;
  await chrome.storage.local.set({ prefs: current });
  await chrome.runtime.sendMessage({ kind: 'prefs-changed' });
}

async function refresh(tab) {
  const state = await chrome.runtime.sendMessage({ kind: 'popup-state', tab_id: tab?.id });
  showAuth(state.auth);
  showPage(state, tab);
}

let diceReady = null;

async function rollDice(event) {
  event.preventDefault();
  const out = $('roll-result');
  out.replaceChildren();
  diceReady ??= init(chrome.runtime.getURL('dice.wasm'));
  await diceReady;
  try {
    const result = roll($('expression').value);
    text(out, 'div', String(result.total), 'result').id = 'roll-total';
    text(out, 'div', result.markdown.replace(/[*`~]/g, ''), 'mono').id = 'roll-detail';
  } catch (error) {
    if (!(error instanceof DiceError)) throw error;
    text(out, 'div', `${error.message} (at column ${error.start + 1})`, 'bad').id = 'roll-error';
  }
}

(async () => {
  const tab = await targetTab();
  await showPrefs();
  await refresh(tab);
  for (const box of document.querySelectorAll('input[type=checkbox]')) box.addEventListener('change', savePrefs);
  $('dice').addEventListener('submit', rollDice);
  $('link-button').addEventListener('click', async () => {
    $('link-button').disabled = true;
    const answer = await chrome.runtime.sendMessage({ kind: 'link', tab_id: tab.id });
    if (!answer?.ok) text($('link'), 'p', answer?.error ?? 'linking failed', 'bad');
    $('link-button').disabled = false;
    await refresh(tab);
  });
  $('foundry-button').addEventListener('click', async () => {
    const origin = new URL(tab.url).origin;
    // Asked from the click itself: the browser shows its permission prompt.
    const granted = await chrome.permissions.request({ origins: [`${origin}/*`] });
    const answer = granted ? await chrome.runtime.sendMessage({ kind: 'foundry-enabled', tab_id: tab.id }) : null;
    await refresh(tab);
    if (granted && !answer?.ok) text($('foundry'), 'p', answer?.error ?? 'enabling Foundry VTT failed', 'bad');
  });
  chrome.storage.onChanged.addListener(() => refresh(tab));
})();
