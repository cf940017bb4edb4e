// The log page: the extension's own log, newest first, live.

import { getLocal, setLocal } from '../shared/store.js';

async function show() {
  const body = document.getElementById('entries');
  body.replaceChildren();
  for (const entry of (await getLocal('log', [])).toReversed()) {
    const row = body.insertRow();
    row.className = entry.level;
    row.insertCell().textContent = new Date(entry.at).toLocaleString();
    const what = row.insertCell();
    what.textContent = entry.message;
    if (entry.level === 'error') what.className = 'bad';
    const detail = row.insertCell();
    detail.className = 'mono';
    detail.textContent = entry.detail ? JSON.stringify(entry.detail) : '';
  }
}

document.getElementById('clear').addEventListener('click', () => setLocal('log', []));
chrome.storage.onChanged.addListener((changes) => {
  if (changes.log) show();
});
show();
