// The package's API over the raw wasm exports, shared by the web and the Node
// entry points. The wasm side returns the CLI's JSON objects (made by the dice
// crate's serde code, so they are the CLI's) in a compact form (src/tree.rs):
// an op stream and its strings, which `readTree` builds into objects here.

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
 * A roll: `expr` and `total` at once, `rolled` and `markdown` (getters) built
 * on first read by replaying the same seed, forced faces or unseeded roll
 * through the wasm `rollTree`. Most callers want the total, and the tree of
 * 100d6 costs far more than the roll; a class keeps that laziness cheap (an
 * object literal with getters measured 0.7 µs a roll). `toJSON` gives the
 * plain `critfumble roll --json` object, keys in the CLI's order.
 */
class RollResult {
  #wasm;
  #dialect;
  #vars;
  #seed;
  #dice;
  #unseeded;
  #full;

  constructor(wasm, expr, total, dialect, vars, seed, dice, unseeded) {
    this.expr = expr;
    this.total = total;
    this.#wasm = wasm;
    this.#dialect = dialect;
    this.#vars = vars;
    this.#seed = seed;
    this.#dice = dice;
    this.#unseeded = unseeded;
  }

  #build() {
    if (this.#full === undefined) {
      const wasm = this.#wasm;
      const ops = wasm.rollTree(this.expr, this.#dialect, this.#vars, this.#seed, this.#dice, this.#unseeded);
      this.#full = readTree(ops, wasm.treeStrings());
    }
    return this.#full;
  }

  get rolled() {
    return this.#build().rolled;
  }

  get markdown() {
    return this.#build().markdown;
  }

  toJSON() {
    return this.#build();
  }

  [INSPECT]() {
    return this.#build();
  }
}
// The compact form of src/tree.rs: the op codes and KEYS must match it.
const KEYS = [
  'value', 'kept', 'exploded', 'rerolled', 'added', 'success', 'failure', 'critical', 'fumble',
  'penetrated', 'clamped', 'type', 'notation', 'count', 'faces', 'modifiers', 'rolled_faces', 'dice',
  'items', 'elements', 'op', 'operand', 'lhs', 'rhs', 'func', 'arg', 'style', 'name', 'default',
  'label', 'inner', 'parts', 'expr', 'total', 'rolled', 'markdown',
];

/**
 * Builds the value that `ops` (a Float64Array) and `strings` encode: the
 * object JSON.parse would give for the same serde value, keys in the same
 * order. A die and a group element are one op each, built as literals.
 */
function readTree(ops, strings) {
  let at = 0;
  let cut = 0;
  const string = (units) => strings.slice(cut, (cut += units));
  const value = () => {
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
        return string(ops[at++]);
      case 5: {
        const n = ops[at++];
        const array = [];
        for (let i = 0; i < n; i++) array.push(value());
        return array;
      }
      case 6: {
        const n = ops[at++];
        const object = {};
        for (let i = 0; i < n; i++) {
          const k = ops[at++];
          const key = k >= 0 ? KEYS[k] : string(-1 - k);
          const v = value();
          if (key === '__proto__') {
            Object.defineProperty(object, key, { value: v, enumerable: true, writable: true, configurable: true });
          } else {
            object[key] = v;
          }
        }
        return object;
      }
      case 7: {
        const v = ops[at++];
        const f = ops[at++];
        const die = {
          value: v,
          kept: (f & 1) !== 0,
          exploded: (f & 2) !== 0,
          rerolled: (f & 4) !== 0,
          added: (f & 8) !== 0,
          success: (f & 16) !== 0,
          failure: (f & 32) !== 0,
          critical: (f & 64) !== 0,
          fumble: (f & 128) !== 0,
        };
        if (f & 256) die.penetrated = true;
        if (f & 512) die.clamped = true;
        return die;
      }
      case 8: {
        const v = ops[at++];
        const f = ops[at++];
        return { value: v, kept: (f & 1) !== 0, success: (f & 2) !== 0, failure: (f & 4) !== 0 };
      }
      default:
        throw new Error(`@crit-fumble/dice: unknown op ${ops[at - 1]} in a rolled tree`);
    }
  };
  return value();
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

/** Options as the wasm exports take them, checked on the way. */
function dialectOf(options) {
  const dialect = options.dialect;
  if (dialect === undefined || dialect === null) return undefined;
  if (typeof dialect !== 'string') throw new TypeError('dialect must be a string');
  return dialect;
}

/** The API over one instance of the wasm glue (`web` or `nodejs` target). */
export function bind(wasm) {
  // The op stream an export returned, with its strings, as objects.
  const tree = (ops) => readTree(ops, wasm.treeStrings());

  function parse(expr, options) {
    options ??= NO_OPTIONS;
    try {
      return tree(wasm.parseTree(str(expr, 'expr'), dialectOf(options), options.vars));
    } catch (error) {
      throw rethrow(error);
    }
  }

  // Rolls for the total only; the tree and the Markdown are built when one of
  // them is first read (see RollResult).
  function roll(expr, options) {
    options ??= NO_OPTIONS;
    const dialect = dialectOf(options);
    let { vars, dice } = options;
    const seed = seedOf(options.seed);
    let total;
    try {
      total = wasm.rollTotal(str(expr, 'expr'), dialect, vars, seed, dice);
    } catch (error) {
      throw rethrow(error);
    }
    let unseeded;
    if (dice !== undefined && dice !== null) {
      dice = Array.from(dice);
    } else if (seed === undefined) {
      unseeded = wasm.lastSeed();
    }
    // Later changes to the caller's objects must not change this roll.
    if (vars !== undefined && vars !== null) vars = { ...vars };
    return new RollResult(wasm, expr, total, dialect, vars, seed, dice, unseeded);
  }

  function bounds(expr, options) {
    options ??= NO_OPTIONS;
    try {
      return tree(wasm.boundsTree(str(expr, 'expr'), dialectOf(options), options.vars));
    } catch (error) {
      throw rethrow(error);
    }
  }

  function rollInline(text, options) {
    options ??= NO_OPTIONS;
    try {
      return tree(
        wasm.rollInlineTree(str(text, 'text'), dialectOf(options), options.vars, seedOf(options.seed)),
      );
    } catch (error) {
      throw rethrow(error);
    }
  }

  function stats(expr, options) {
    options ??= NO_OPTIONS;
    try {
      return tree(wasm.statsTree(str(expr, 'expr'), dialectOf(options), options.vars));
    } catch (error) {
      throw rethrow(error);
    }
  }

  function statsVs(a, b, options) {
    options ??= NO_OPTIONS;
    try {
      return tree(wasm.statsVsTree(str(a, 'a'), str(b, 'b'), dialectOf(options), options.vars));
    } catch (error) {
      throw rethrow(error);
    }
  }

  return { parse, roll, bounds, rollInline, stats, statsVs };
}
