// The content scripts' main-thread time per chat message (performance.now around the
// MutationObserver or hook callback, sending included), passed to the service worker so
// that the measurement in bindings/extension/README.md can read it.

/** Reports that `count` messages took `msEach` each. */
export function reportTime(msEach, count) {
  chrome.runtime.sendMessage({ kind: 'metric', ms_each: msEach, count }).catch(() => {});
}
