// On Core's "Link a VTT" page: answers the page's `critfumble:hello` with this
// extension's id, which the page needs to hand over the token through
// externally_connectable (Chromium). Firefox has no externally_connectable for web pages,
// so there the page posts the token to this script, which passes it to the worker.

const origin = window.location.origin;

window.addEventListener('message', (event) => {
  if (event.source !== window || event.origin !== origin || !event.data) return;
  if (event.data.type === 'critfumble:hello') {
    window.postMessage(
      {
        type: 'critfumble:extension',
        version: chrome.runtime.getManifest().version,
        extension_id: __FIREFOX__ ? null : chrome.runtime.id,
      },
      origin,
    );
  } else if (__FIREFOX__ && event.data.type === 'critfumble:bridge-token') {
    chrome.runtime
      .sendMessage({ kind: 'core-token', token: event.data.token, expires_at: event.data.expires_at })
      .then((answer) => {
        if (answer?.ok) window.postMessage({ type: 'critfumble:bridge-token-stored' }, origin);
      });
  }
});
