// The offscreen document (Chromium): it holds the bridge's event streams, which the
// service worker cannot (Chromium stops an idle worker after about 30 s), and passes each
// event to the worker, which writes it into the VTT tabs.

import { StreamManager } from './streams.js';

const manager = new StreamManager({
  deliver: (message) => chrome.runtime.sendMessage(message),
  report: (message) => {
    chrome.runtime.sendMessage(message).catch(() => {});
  },
});

chrome.runtime.onMessage.addListener((message, _sender, reply) => {
  if (message?.target !== 'offscreen') return false;
  if (message.kind === 'streams') reply(manager.update(message));
  return false;
});

// Ask for the list: this document may have been created by a worker that then stopped.
chrome.runtime.sendMessage({ kind: 'offscreen-ready' }).catch(() => {});
