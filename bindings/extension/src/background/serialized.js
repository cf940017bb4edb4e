// One read-modify-write of chrome.storage at a time: the service worker handles messages
// concurrently, and two writers of the same key would lose each other's change.

/** `fn`, made to run one call at a time, in the order called. */
export function serialized(fn) {
  let last = Promise.resolve();
  return (...args) => {
    const run = last.then(() => fn(...args));
    last = run.catch(() => {});
    return run;
  };
}
