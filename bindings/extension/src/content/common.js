// What every VTT content script shares: telling the service worker which game the page
// shows, sending it rolls and chat, and remembering what was handled already.

/** A set that forgets its oldest entries past `max`. */
export class BoundedSet {
  constructor(max) {
    this.max = max;
    this.items = new Set();
  }

  has(item) {
    return this.items.has(item);
  }

  add(item) {
    this.items.add(item);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value);
  }
}

/** Sends a message to the service worker; a worker that is restarting is not an error here. */
export function toWorker(message) {
  return chrome.runtime.sendMessage(message).catch(() => null);
}

/** Decodes HTML character references as a browser would show them, without parsing markup. */
export function decodeReferences(text) {
  return new DOMParser().parseFromString(`<textarea>${text.replace(/</g, '&lt;')}</textarea>`, 'text/html').querySelector('textarea').value;
}

let registered;
const pageKnown = new Promise((resolve) => {
  registered = resolve;
});

/** Tells the worker which game this tab shows and who is signed in (once the page says). */
export async function registerPage(page) {
  const answer = await toWorker({ kind: 'page', ...page });
  if (answer?.ok) registered();
}

/** Sends a roll or a chat line once the worker knows this tab's game. */
export async function sendFromPage(message) {
  await pageKnown;
  return toWorker(message);
}
