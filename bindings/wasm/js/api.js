// The package's API over the raw wasm exports, shared by the web and the Node
// entry points. The wasm side returns the CLI's JSON objects in a compact form
// (src/tree.rs, and src/report.rs for a roll): an op stream and its strings,
// left in the wasm memory, which `value` builds into objects here.

/** A bad expression: `start` and `end` are UTF-16 offsets into the input. */
export class DiceError extends Error {
  constructor(message, start, end) {
    super(message);
    this.name = 'DiceError';
    this.start = start;
    this.end = end;
  }
}

const NO_OPTIONS = Object.freeze({});
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A roll: `expr` and `total` at once; `markdown` and `rolled` (getters) are
 * built on first read, by replaying the same forced faces, seed or unseeded
 * roll through the wasm `rollTree`, or `replayPlain` for an unseeded roll
 * without options (the Markdown alone when only it is read).
 * Most callers want the total or the Markdown, and the tree of 100d6 costs
 * far more than the roll; a class keeps that laziness cheap (an object with
 * getters of its own measured 0.5 to 0.7 µs a roll). `toJSON` gives the plain
 * `critfumble roll --json` object, keys in the CLI's order.
 */
class RollResult {
  #replay;
  #args;
  #full;
  #markdown;

  constructor(replay, expr, total, args) {
    this.expr = expr;
    this.total = total;
    this.#replay = replay;
    this.#args = args;
  }

  #build() {
    if (this.#full === undefined) {
      this.#full = this.#replay(this.expr, this.#args, false);
      this.#markdown = this.#full.markdown;
    }
    return this.#full;
  }

  get rolled() {
    return this.#build().rolled;
  }

  get markdown() {
    this.#markdown ??= this.#replay(this.expr, this.#args, true);
    return this.#markdown;
  }

  toJSON() {
    return this.#build();
  }

  [INSPECT]() {
    return this.#build();
  }
}

// The compact form of src/tree.rs and src/report.rs: the op codes and KEYS
// must match them.
const KEYS = [
  'value', 'kept', 'exploded', 'rerolled', 'added', 'success', 'failure', 'critical', 'fumble',
  'penetrated', 'clamped', 'type', 'notation', 'count', 'faces', 'modifiers', 'rolled_faces',
  'dice', 'items', 'elements', 'op', 'operand', 'lhs', 'rhs', 'func', 'arg', 'style', 'name',
  'default', 'label', 'inner', 'parts', 'expr', 'total', 'rolled', 'markdown', 'highest', 'lowest',
  'matching', 'on', 'dialect', 'comment', 'root', 'min', 'max', 'exact', 'mean', 'stddev',
  'distribution', 'percentiles', 'truncated_mass', 'samples', 'standard_error', 'a', 'b', 'equal',
  'greater', 'less', 'text', 'rolls', 'expression', 'start', 'end', 'plain', '5', '25', '50', '75',
  '95',
];
/** The flag of a die whose compound parts follow it (src/report.rs). */
const HAS_PARTS = 1024;

// The reader's state, for one result at a time: the ops (a Float64Array over
// the wasm memory), where the next op is, the result's strings, where the
// next string starts in them, and the input of a roll (its `expr`).
let ops;
let at = 0;
let strings = '';
let cut = 0;
let input = '';

/** The next string, its length in UTF-16 units being the next op. */
function string() {
  return strings.slice(cut, (cut += ops[at++]));
}

/** `n` values, as an array. */
function list(n) {
  const array = [];
  for (let i = 0; i < n; i++) array.push(value());
  return array;
}

/** A die's value and flags, at `a` and `a + 1`, as an object. */
function dieAt(o, a) {
  const f = o[a + 1];
  const die = {
    value: o[a],
    kept: (f & 1) !== 0,
    exploded: (f & 2) !== 0,
    rerolled: (f & 4) !== 0,
    added: (f & 8) !== 0,
    success: (f & 16) !== 0,
    failure: (f & 32) !== 0,
    critical: (f & 64) !== 0,
    fumble: (f & 128) !== 0,
  };
  if (f > 255) {
    if (f & 256) die.penetrated = true;
    if (f & 512) die.clamped = true;
  }
  return die;
}

/** A die: the ops after a DIE op (7, only in a dice node's list), with its compound parts when it has them. */
function die() {
  const die = dieAt(ops, at);
  const f = ops[at + 1];
  at += 2;
  if (f & HAS_PARTS) die.parts = value();
  return die;
}

/** A dice node: the ops after its op (10). Its dice are all DIE ops. */
function diceNode() {
  const v = ops[at++];
  const notation = string();
  const count = value();
  const faces = value();
  const modifiers = value();
  const rolledFaces = value();
  const n = ops[at++];
  const dice = [];
  // The loop keeps the ops and the position in locals (the shared ones are
  // slower to reach), and leaves a die with parts to die().
  const o = ops;
  let a = at;
  for (let i = 0; i < n; i++) {
    if (o[a + 2] & HAS_PARTS) {
      at = a + 1;
      dice.push(die());
      a = at;
    } else {
      dice.push(dieAt(o, a + 1));
      a += 3;
    }
  }
  at = a;
  return { type: 'dice', value: v, notation, count, faces, modifiers, rolled_faces: rolledFaces, dice };
}

/** An object of `n` entries, each a key (an index into KEYS, or `-1 - length` of a string) and a value. */
function object(n) {
  const object = {};
  for (let i = 0; i < n; i++) {
    const k = ops[at++];
    const key = k >= 0 ? KEYS[k] : strings.slice(cut, (cut += -1 - k));
    const v = value();
    if (key === '__proto__') {
      Object.defineProperty(object, key, { value: v, enumerable: true, writable: true, configurable: true });
    } else {
      object[key] = v;
    }
  }
  return object;
}

// The nodes of a rolled tree (src/report.rs): each op is followed by the
// node's value (a bare number), then its fields in serde's order.

function groupNode() {
  const v = ops[at++];
  const items = list(ops[at++]);
  const modifiers = value();
  const elements = list(ops[at++]);
  return { type: 'group', value: v, items, modifiers, elements };
}

function unaryNode() {
  const v = ops[at++];
  const op = string();
  return { type: 'unary', value: v, op, operand: value() };
}

function binaryNode() {
  const v = ops[at++];
  const op = string();
  const lhs = value();
  return { type: 'binary', value: v, op, lhs, rhs: value() };
}

function callNode() {
  const v = ops[at++];
  const func = string();
  return { type: 'call', value: v, func, arg: value() };
}

function callArgsNode() {
  const v = ops[at++];
  const func = string();
  return { type: 'call', value: v, func, args: list(ops[at++]) };
}

function referenceNode() {
  const v = ops[at++];
  const style = value();
  const name = string();
  return { type: 'reference', value: v, style, name, default: value() };
}

function labeledNode() {
  const v = ops[at++];
  const label = string();
  return { type: 'labeled', value: v, label, inner: value() };
}

/** A roll's report: its total (a bare number), its tree, its Markdown. */
function report() {
  const total = ops[at++];
  const rolled = value();
  return { expr: input, total, rolled, markdown: string() };
}

/**
 * Builds the next value: what JSON.parse would give for the same serde value,
 * keys in the same order. A die, a group element and each node of a rolled
 * tree are one op each, built as object literals.
 */
function value() {
  switch (ops[at++]) {
    case 0:
      return null;
    case 1:
      return false;
    case 2:
      return true;
    case 3:
      return ops[at++];
    case 4:
      return string();
    case 5:
      return list(ops[at++]);
    case 6:
      return object(ops[at++]);
    case 8: {
      const v = ops[at++];
      const f = ops[at++];
      return { value: v, kept: (f & 1) !== 0, success: (f & 2) !== 0, failure: (f & 4) !== 0 };
    }
    case 9:
      return { type: 'number', value: ops[at++] };
    case 10:
      return diceNode();
    case 11:
      return groupNode();
    case 12:
      return unaryNode();
    case 13:
      return binaryNode();
    case 14:
      return callNode();
    case 15:
      return referenceNode();
    case 16:
      return labeledNode();
    case 17:
      return report();
    case 18:
      return callArgsNode();
    default:
      throw new Error(`@crit-fumble/dice: unknown op ${ops[at - 1]} in a result`);
  }
}

const MAX_U64 = (1n << 64n) - 1n;

/** The wasm side throws an Error named DiceError; give callers the class. */
function rethrow(error) {
  if (error instanceof Error && error.name === 'DiceError' && !(error instanceof DiceError)) {
    return new DiceError(error.message, error.start, error.end);
  }
  return error;
}

/** A seed as the u64 the CLI takes: a non-negative safe integer or a bigint. */
function seedOf(seed) {
  if (seed === undefined || seed === null) return undefined;
  if (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0) return BigInt(seed);
  if (typeof seed === 'bigint' && seed >= 0n && seed <= MAX_U64) return seed;
  throw new TypeError(`seed must be a non-negative integer below 2^64, found ${String(seed)}`);
}

/** An expression or a text: a string, or a TypeError that says which argument. */
function str(value, name) {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, found ${typeof value}`);
  return value;
}

/** Forced faces: integers, each at most 2^53 from zero, as the CLI's `--dice`. */
function facesOf(dice) {
  if (typeof dice === 'string' || typeof dice?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`dice must be an array of integers, found ${typeof dice}`);
  }
  const faces = Array.from(dice);
  for (const face of faces) {
    if (!(Number.isInteger(face) && Math.abs(face) <= 2 ** 53)) {
      throw new TypeError(`a forced die must be an integer, found ${String(face)}`);
    }
  }
  return faces;
}

/** Options as the wasm exports take them, checked on the way. */
function dialectOf(options) {
  const dialect = options.dialect;
  if (dialect === undefined || dialect === null) return undefined;
  if (typeof dialect !== 'string') throw new TypeError('dialect must be a string');
  return dialect;
}

/**
 * Reads the results of one wasm instance: `take(header, expr)` builds the
 * result whose header an export of `wasm` returned (src/lib.rs `hand_over`),
 * in place, before any other call into that instance; `take.view()` is the
 * memory as a Float64Array, for results that are bare numbers. `utf8(buffer)` gives a
 * function that decodes the bytes `[start, end)` of the ArrayBuffer `buffer`
 * as UTF-8 (Node's Buffer is faster at it than TextDecoder).
 */
function reader(wasm, utf8) {
  let memory;
  let f64 = new Float64Array(0);
  let decode;
  /** The memory as doubles, made again when it has grown. */
  function view() {
    if (f64.length === 0) {
      // First use, or the memory grew and its old buffer was detached.
      memory ??= wasm.wasmMemory();
      f64 = new Float64Array(memory.buffer);
      decode = utf8(memory.buffer);
    }
    return f64;
  }
  function take(header, expr) {
    const f = view();
    const h = header / 8;
    const bytes = f[h + 2];
    ops = f;
    at = h - f[h];
    strings = bytes === 0 ? '' : decode(f[h + 1], f[h + 1] + bytes);
    cut = 0;
    input = expr;
    const result = value();
    strings = '';
    input = '';
    return result;
  }
  take.view = view;
  return take;
}

/**
 * `stats` over the instance that `instance()` gives (it may throw, as `analyze`
 * does until the .wasm is loaded) and that instance's reader, `take()`.
 */
function statsOf(instance, take) {
  return function stats(expr, options) {
    options ??= NO_OPTIONS;
    try {
      const header = instance().statsTree(str(expr, 'expr'), dialectOf(options), options.vars);
      return take()(header);
    } catch (error) {
      throw rethrow(error);
    }
  };
}

/**
 * `{ stats }` alone, over an instance of the glue that has `statsTree`: the
 * `stats` .wasm that build.sh makes for the Discord Activity (not in the npm
 * package), or the analysis one. A bundler keeps nothing of the roller's readers.
 */
export function bindStats(instance, utf8) {
  const take = reader(instance, utf8);
  return { stats: statsOf(() => instance, () => take) };
}

/**
 * The API over the wasm glue (`web` or `nodejs` target): `wasm`, the main
 * instance, and `analysis()`, which gives the instance of parse, bounds,
 * stats and statsVs (loading it on first use in Node, throwing in a browser
 * until `initAnalysis` has loaded it).
 */
export function bind(wasm, utf8, analysis) {
  const take = reader(wasm, utf8);
  let analysisWasm;
  let takeAnalysis;
  /** The analysis instance and its reader. */
  function analyze() {
    if (analysisWasm === undefined) {
      const loaded = analysis();
      takeAnalysis = reader(loaded, utf8);
      analysisWasm = loaded;
    }
    return analysisWasm;
  }

  function parse(expr, options) {
    options ??= NO_OPTIONS;
    try {
      const header = analyze().parseTree(str(expr, 'expr'), dialectOf(options), options.vars);
      return takeAnalysis(header);
    } catch (error) {
      throw rethrow(error);
    }
  }

  // Replays a roll for its tree (the whole report) or its Markdown alone:
  // `args` is the seed of an unseeded roll without options, else the options.
  function replay(expr, args, markdownOnly) {
    let header;
    try {
      header =
        typeof args === 'number'
          ? wasm.replayPlain(expr, args, markdownOnly)
          : wasm.rollTree(expr, args.dialect, args.vars, args.seed, args.dice, args.unseeded, markdownOnly);
    } catch (error) {
      throw rethrow(error);
    }
    return take(header, expr);
  }

  // Rolls for the total (and the seed of an unseeded roll) only; the tree and
  // the Markdown are built when first read (see RollResult).
  function roll(expr, options) {
    let header;
    let dialect;
    let vars;
    let seed;
    let dice;
    try {
      if (options === undefined || options === null) {
        header = wasm.rollPlain(str(expr, 'expr'));
      } else {
        dialect = dialectOf(options);
        vars = options.vars;
        seed = seedOf(options.seed);
        dice = options.dice === undefined || options.dice === null ? undefined : facesOf(options.dice);
        header = wasm.rollTotal(str(expr, 'expr'), dialect, vars, seed, dice);
      }
    } catch (error) {
      throw rethrow(error);
    }
    const f = take.view();
    const h = header / 8;
    const total = f[h - 2];
    const unseeded = f[h - 1];
    // What replays the roll: the seed alone for an unseeded roll without
    // options (the common case, which replays through replayPlain), else the
    // options. Later changes to the caller's objects must not change it.
    if (options === undefined || options === null) {
      return new RollResult(replay, expr, total, unseeded);
    }
    if (vars !== undefined && vars !== null) vars = { ...vars };
    const args = { dialect, vars, seed, dice, unseeded: Number.isNaN(unseeded) ? undefined : unseeded };
    return new RollResult(replay, expr, total, args);
  }

  function bounds(expr, options) {
    options ??= NO_OPTIONS;
    try {
      const header = analyze().boundsTree(str(expr, 'expr'), dialectOf(options), options.vars);
      return takeAnalysis(header);
    } catch (error) {
      throw rethrow(error);
    }
  }

  function rollInline(text, options) {
    options ??= NO_OPTIONS;
    try {
      return take(
        wasm.rollInlineTree(str(text, 'text'), dialectOf(options), options.vars, seedOf(options.seed)),
      );
    } catch (error) {
      throw rethrow(error);
    }
  }

  const stats = statsOf(analyze, () => takeAnalysis);

  function statsVs(a, b, options) {
    options ??= NO_OPTIONS;
    try {
      const header = analyze().statsVsTree(str(a, 'a'), str(b, 'b'), dialectOf(options), options.vars);
      return takeAnalysis(header);
    } catch (error) {
      throw rethrow(error);
    }
  }

  return { parse, roll, bounds, rollInline, stats, statsVs };
}
