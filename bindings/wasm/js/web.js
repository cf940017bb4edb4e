// The browser (and bundler) entry point: the `web` builds, which must be
// instantiated before use: `await init()` for roll and rollInline, and
// `await initAnalysis()` too for parse, bounds, stats and statsVs (their
// .wasm is a second file, fetched only by pages that use them).
import glue, * as wasm from '../pkg/web/critfumble_dice_wasm.js';
import analysisGlue, * as analysisWasm from '../pkg/web/critfumble_dice_analysis.js';
import { bind } from './api.js';

export { DiceError } from './api.js';

let analysisReady = false;
const decoder = new TextDecoder();
const api = bind(
  wasm,
  (buffer) => {
    const bytes = new Uint8Array(buffer);
    return (start, end) => decoder.decode(bytes.subarray(start, end));
  },
  () => {
    if (!analysisReady) {
      throw new Error('@crit-fumble/dice: parse, bounds, stats and statsVs need `await initAnalysis()` first');
    }
    return analysisWasm;
  },
);

/**
 * Fetches and instantiates the main .wasm (from next to this package's files
 * unless given a URL, a Response or the bytes). Call it once before anything else.
 */
export async function init(input) {
  await glue(input === undefined ? undefined : { module_or_path: input });
}

/** Instantiates the main .wasm from bytes or a compiled WebAssembly.Module, synchronously. */
export function initSync(module) {
  wasm.initSync({ module });
}

/**
 * Fetches and instantiates the .wasm of parse, bounds, stats and statsVs (from next
 * to this package's files unless given a URL, a Response or the bytes).
 */
export async function initAnalysis(input) {
  await analysisGlue(input === undefined ? undefined : { module_or_path: input });
  analysisReady = true;
}

/** Instantiates the .wasm of parse, bounds, stats and statsVs from bytes or a compiled WebAssembly.Module, synchronously. */
export function initAnalysisSync(module) {
  analysisWasm.initSync({ module });
  analysisReady = true;
}

export const { parse, roll, bounds, rollInline, stats, statsVs } = api;
