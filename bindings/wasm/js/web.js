// The browser (and bundler) entry point: the `web` build, which must be
// instantiated with `await init()` before the first call.
import glue, * as wasm from '../pkg/web/critfumble_dice_wasm.js';
import { bind } from './api.js';

export { DiceError } from './api.js';

const decoder = new TextDecoder();
const api = bind(wasm, (buffer) => {
  const bytes = new Uint8Array(buffer);
  return (start, end) => decoder.decode(bytes.subarray(start, end));
});

/**
 * Fetches and instantiates the .wasm (from next to this package's files unless
 * given a URL, a Response or the bytes). Call it once before anything else.
 */
export async function init(input) {
  await glue(input === undefined ? undefined : { module_or_path: input });
}

/** Instantiates from bytes or a compiled WebAssembly.Module, synchronously. */
export function initSync(module) {
  wasm.initSync({ module });
}

export const { parse, roll, bounds, rollInline, stats, statsVs } = api;
