// The options page: the bridge's URL, and the token, pasted by hand when Core's page
// cannot hand it over (the fallback the issue asks for).

import { auth, prefs } from '../shared/store.js';

const $ = (id) => document.getElementById(id);

async function show() {
  $('bridge-url').value = (await prefs()).bridge_url;
  const current = await auth();
  const states = { ok: 'A token is stored.', revoked: 'The stored token no longer works: sign in again.', none: 'No token is stored.' };
  $('token-state').textContent = states[current.token ? current.state : 'none'];
}

$('bridge').addEventListener('submit', async (event) => {
  event.preventDefault();
  const current = await prefs();
  current.bridge_url = new URL($('bridge-url').value).origin;
  await chrome.storage.local.set({ prefs: current });
  await chrome.runtime.sendMessage({ kind: 'prefs-changed' });
  await show();
});

$('token').addEventListener('submit', async (event) => {
  event.preventDefault();
  const answer = await chrome.runtime.sendMessage({ kind: 'store-token', token: $('token-input').value });
  $('token-error').textContent = answer?.ok ? '' : answer?.error ?? 'the token was not stored';
  if (answer?.ok) $('token-input').value = '';
  await show();
});

$('forget').addEventListener('click', async () => {
  await chrome.runtime.sendMessage({ kind: 'forget-token' });
  await show();
});

show();
