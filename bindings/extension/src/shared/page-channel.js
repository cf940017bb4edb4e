// The channel between a script in the VTT page's own world (which can read the page's
// globals and Foundry's hooks) and the extension's content script (which can reach the
// extension): window.postMessage on the page's own origin, tagged with CHANNEL. Only
// messages from this window are read; anything the page sends this way it could do
// itself, and everything sent on is checked again by the bridge.

export const CHANNEL = 'critfumble-extension';

/** Sends `message` to the other world of this page. */
export function send(side, message) {
  window.postMessage({ channel: CHANNEL, side, ...message }, window.location.origin);
}

/** Calls `handler(message)` for each message the `from` side sends. */
export function listen(from, handler) {
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (event.source !== window || event.origin !== window.location.origin) return;
    if (!data || data.channel !== CHANNEL || data.side !== from) return;
    handler(data);
  });
}
