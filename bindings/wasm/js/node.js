// The Node entry point: the `nodejs` build loads its .wasm synchronously, so
// everything is ready on import and `init` has nothing left to do.
import wasm from '../pkg/node/critfumble_dice_wasm.js';
import { bind } from './api.js';

export { DiceError } from './api.js';

// Buffer decodes UTF-8 in place faster than TextDecoder.
const api = bind(wasm, (buffer) => {
  const bytes = Buffer.from(buffer);
  return (start, end) => bytes.toString('utf8', start, end);
});

/** Resolves at once: the Node build is ready when imported. */
export function init() {
  return Promise.resolve();
}

/** Does nothing: the Node build is ready when imported. */
export function initSync() {}

export const { parse, roll, bounds, rollInline, stats, statsVs } = api;
