// What an expression can give, shown while it is typed: the bounds, the mean and a small
// chart of the distribution, all computed in the browser by the dice engine's WebAssembly
// (bindings/wasm). Only its `stats` .wasm is loaded, built for size for this page: rolls
// are made by FumbleBot, so the package's roller (its main .wasm) is never fetched, and
// the preview calls nothing but `stats`.
import initStats, * as statsWasm from '../../../../bindings/wasm/pkg/web/critfumble_dice_stats.js';
import { bindStats } from '../../../../bindings/wasm/js/api.js';

const SVG = 'http://www.w3.org/2000/svg';
/** The most bars drawn; wider distributions are summed into this many. */
const MAX_BARS = 60;

let dice = null;

/** Loads the stats .wasm from next to the page's script. */
export async function loadDice() {
  await initStats({ module_or_path: new URL('critfumble_dice_stats_bg.wasm', import.meta.url) });
  const decoder = new TextDecoder();
  dice = bindStats(statsWasm, (buffer) => {
    const bytes = new Uint8Array(buffer);
    return (start, end) => decoder.decode(bytes.subarray(start, end));
  });
}

export function diceReady() {
  return dice !== null;
}

function number(value) {
  if (value === null || value === undefined) return '∞';
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** The distribution as at most MAX_BARS bars of summed probability. */
function bars(distribution) {
  if (distribution.length <= MAX_BARS) return distribution.map(([, p]) => p);
  const width = Math.ceil(distribution.length / MAX_BARS);
  const summed = [];
  for (let i = 0; i < distribution.length; i += width) {
    summed.push(distribution.slice(i, i + width).reduce((sum, [, p]) => sum + p, 0));
  }
  return summed;
}

function chart(distribution) {
  const heights = bars(distribution);
  const top = Math.max(...heights);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${heights.length} 1`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  const lowest = distribution[0][0];
  const highest = distribution[distribution.length - 1][0];
  svg.setAttribute('aria-label', `distribution from ${lowest} to ${highest}`);
  heights.forEach((p, i) => {
    const bar = document.createElementNS(SVG, 'rect');
    const h = top > 0 ? p / top : 0;
    bar.setAttribute('x', String(i + 0.08));
    bar.setAttribute('width', '0.84');
    bar.setAttribute('y', String(1 - h));
    bar.setAttribute('height', String(h));
    svg.append(bar);
  });
  return svg;
}

/** Fills `element` with what `expression` can give, or the parser's error. */
export function showPreview(element, expression) {
  element.replaceChildren();
  if (!dice || expression.trim() === '') return;
  try {
    const stats = dice.stats(expression);
    const line = document.createElement('div');
    line.className = 'bounds';
    line.textContent = `${number(stats.min)} to ${number(stats.max)} · average ${number(stats.mean)}${stats.exact ? '' : ' (estimated)'}`;
    element.append(line);
    if (stats.distribution.length > 1) element.append(chart(stats.distribution));
  } catch (error) {
    const message = document.createElement('div');
    message.className = 'error';
    message.textContent = Number.isInteger(error?.start)
      ? `${expression}\n${' '.repeat(error.start)}^ ${error.message}`
      : String(error?.message ?? error);
    element.append(message);
  }
}
