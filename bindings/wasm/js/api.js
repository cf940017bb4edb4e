// The package's API over the raw wasm exports, shared by the web and the Node
// entry points. The wasm side returns the CLI's JSON text (made by the dice
// crate's serde code, so it is the CLI's to the byte) and JSON.parse builds
// the objects.

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
 * through the wasm `rollJson`. Most callers want the total, and the tree of
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
    this.#full ??= JSON.parse(
      this.#wasm.rollJson(this.expr, this.#dialect, this.#vars, this.#seed, this.#dice, this.#unseeded),
    );
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
  function parse(expr, options) {
    options ??= NO_OPTIONS;
    try {
      return JSON.parse(wasm.parseJson(str(expr, 'expr'), dialectOf(options), options.vars));
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
      return JSON.parse(wasm.boundsJson(str(expr, 'expr'), dialectOf(options), options.vars));
    } catch (error) {
      throw rethrow(error);
    }
  }

  function rollInline(text, options) {
    options ??= NO_OPTIONS;
    try {
      return JSON.parse(
        wasm.rollInlineJson(str(text, 'text'), dialectOf(options), options.vars, seedOf(options.seed)),
      );
    } catch (error) {
      throw rethrow(error);
    }
  }

  function stats(expr, options) {
    options ??= NO_OPTIONS;
    try {
      return JSON.parse(wasm.statsJson(str(expr, 'expr'), dialectOf(options), options.vars));
    } catch (error) {
      throw rethrow(error);
    }
  }

  function statsVs(a, b, options) {
    options ??= NO_OPTIONS;
    try {
      return JSON.parse(wasm.statsVsJson(str(a, 'a'), str(b, 'b'), dialectOf(options), options.vars));
    } catch (error) {
      throw rethrow(error);
    }
  }

  return { parse, roll, bounds, rollInline, stats, statsVs };
}
