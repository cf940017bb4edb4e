// The Node entry point: the `nodejs` builds load their .wasm synchronously:
// the main one on import, the one of parse, bounds, stats and statsVs on first use.
import { createRequire } from 'node:module';
import wasm from '../pkg/node/critfumble_dice_wasm.js';
import { bind } from './api.js';

export { DiceError } from './api.js';

const require = createRequire(import.meta.url);

// Buffer decodes UTF-8 in place faster than TextDecoder.
const api = bind(
  wasm,
  (buffer) => {
    const bytes = Buffer.from(buffer);
    return (start, end) => bytes.toString('utf8', start, end);
  },
  () => require('../pkg/node/critfumble_dice_analysis.js'),
);

/** Resolves at once: the Node build is ready when imported. */
export function init() {
  return Promise.resolve();
}

/** Does nothing: the Node build is ready when imported. */
export function initSync() {}

/** Resolves at once: in Node, parse, bounds, stats and statsVs load on first use. */
export function initAnalysis() {
  return Promise.resolve();
}

/** Does nothing: in Node, parse, bounds, stats and statsVs load on first use. */
export function initAnalysisSync() {}

export const { parse, roll, bounds, rollInline, stats, statsVs } = api;
