// Rolls per second of @crit-fumble/dice against two pure-JS rollers, in one
// Node process, on the expressions. Each roller's result is checked
// once before anything is timed. Usage: node bench/bench.js [--quick]
import { DiceRoll } from '@dice-roller/rpg-dice-roller';
import diceRollerParser from 'dice-roller-parser';
import { bounds, roll } from '@crit-fumble/dice';

const EXPRESSIONS = ['1d20', '2d20kh1+5', '4d6kh3', '8d6', '3d6+2d8-1', '100d6'];
const quick = process.argv.includes('--quick');
const BATCHES = quick ? 3 : 15;
const BATCH_MS = quick ? 20 : 100;

const parser = new diceRollerParser.DiceRoller();
const ROLLERS = {
  '@crit-fumble/dice roll()': (expr) => roll(expr).total,
  '@crit-fumble/dice roll(seed)': (expr) => roll(expr, { seed: 42 }).total,
  // Reads the Markdown too (what a chat relay posts), which replays the roll for it.
  '@crit-fumble/dice roll() + markdown': (expr) => {
    const result = roll(expr);
    return result.total + result.markdown.length * 0;
  },
  // Reads the whole tree (the CLI's whole JSON: every die and its flags) and the Markdown.
  '@crit-fumble/dice roll() + tree': (expr) => {
    const result = roll(expr);
    return result.rolled.value + result.markdown.length * 0;
  },
  '@dice-roller/rpg-dice-roller 5.5.1': (expr) => new DiceRoll(expr).total,
  'dice-roller-parser 0.1.8': (expr) => parser.roll(expr).value,
};

/** Checks a roller once: its totals fall within the expression's bounds. */
function check(name, rollOnce, expr) {
  const { min, max } = bounds(expr);
  for (let i = 0; i < 200; i++) {
    const total = rollOnce(expr);
    if (!(typeof total === 'number' && total >= min && total <= max)) {
      throw new Error(`${name} rolled ${total} for ${expr}, outside [${min}, ${max}]`);
    }
  }
}

let sink = 0;

/** Nanoseconds per roll in the best of BATCHES batches of about BATCH_MS each (the
 * machine is shared: the best batch is the one least disturbed). */
function time(rollOnce, expr) {
  // Calibrate the batch size, and warm the JIT up on the way.
  let n = 64;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += rollOnce(expr);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms >= BATCH_MS / 4) {
      n = Math.max(1, Math.round((n * BATCH_MS) / ms));
      break;
    }
    n *= 2;
  }
  const perRoll = [];
  for (let b = 0; b < BATCHES; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += rollOnce(expr);
    perRoll.push(Number(process.hrtime.bigint() - start) / n);
  }
  perRoll.sort((a, b) => a - b);
  return perRoll[0];
}

const results = {};
for (const expr of EXPRESSIONS) {
  for (const [name, rollOnce] of Object.entries(ROLLERS)) check(name, rollOnce, expr);
}
for (const expr of EXPRESSIONS) {
  results[expr] = {};
  for (const [name, rollOnce] of Object.entries(ROLLERS)) results[expr][name] = time(rollOnce, expr);
}

const us = (ns) => (ns / 1000).toFixed(2);
const names = Object.keys(ROLLERS);
console.log(`node ${process.version}, best of ${BATCHES} batches, µs per roll (parse + roll + result in JS)\n`);
const [ours, , oursMarkdown, oursTree, peerA, peerB] = names;
console.log(
  `| expression | ${names.join(' | ')} | speed-up, roll() | speed-up, + markdown | speed-up, + tree |`,
);
console.log(`|---|${names.map(() => '---:').join('|')}|---:|---:|---:|`);
for (const expr of EXPRESSIONS) {
  const r = results[expr];
  const fastestJs = Math.min(r[peerA], r[peerB]);
  const speedUp = (name) => `${(fastestJs / r[name]).toFixed(1)}×`;
  console.log(`| \`${expr}\` | ${names.map((n) => us(r[n])).join(' | ')} | ${speedUp(ours)} | ${speedUp(oursMarkdown)} | ${speedUp(oursTree)} |`);
}
if (Number.isNaN(sink)) console.log('(unreachable: keeps the totals alive)');
