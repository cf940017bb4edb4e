// Types of @crit-fumble/dice. The JSON shapes are those of the `critfumble`
// CLI's `--json` output (snake_case), made by the same Rust code.

/** Whose meaning to use where Roll20, Foundry VTT and Avrae's d20 disagree. */
export type Dialect = 'default' | 'roll20' | 'foundry' | 'd20';

/** Options of every call that reads an expression. */
export interface ExprOptions {
  /** Defaults to `'default'`. */
  dialect?: Dialect;
  /** Values of references: `{ 'str.mod': 3, Bonus: 2 }` for `@str.mod` and `?{Bonus}`. */
  vars?: Readonly<Record<string, number>>;
}

/** Options of `roll`. */
export interface RollOptions extends ExprOptions {
  /** A seed (below 2^64) for a reproducible roll, as `critfumble roll --seed`. */
  seed?: number | bigint;
  /** Forced faces in the order the dice are rolled, as `critfumble roll --dice`; wins over `seed`. */
  dice?: readonly number[];
}

/** Options of `rollInline`. */
export interface InlineOptions extends ExprOptions {
  /** A seed (below 2^64) for reproducible rolls. */
  seed?: number | bigint;
}

/** A compare point: `>=5` is `{ op: '>=', value: 5 }`. */
export interface Compare {
  op: '=' | '>' | '>=' | '<' | '<=';
  value: number;
}

/** Which dice a keep or drop selects. */
export type Select = { highest: number } | { lowest: number } | { matching: Compare };

/** A modifier on dice or a group, in the order it applies. */
export type Modifier =
  | { type: 'keep' | 'drop'; value: Select }
  | { type: 'explode'; value: { style: 'explode' | 'once' | 'compound' | 'penetrate'; on: Compare | null } }
  | { type: 'reroll'; value: { style: 'once' | 'until' | 'add'; on: Compare | null } }
  | { type: 'min' | 'max'; value: number }
  | {
      type: 'count_successes' | 'count_failures' | 'deduct_failures' | 'subtract_failures' | 'margin_of_success';
      value: Compare;
    }
  | { type: 'count_even' | 'count_odd' }
  | { type: 'sort'; value: 'ascending' | 'descending' };

/** A node of the parsed tree (`parse`). */
export type ExprNode =
  | { type: 'number'; value: number }
  | {
      type: 'dice';
      notation: string;
      count: number | ExprNode;
      faces: number | '%' | 'F' | ExprNode;
      modifiers: Modifier[];
    }
  | { type: 'group'; items: ExprNode[]; modifiers: Modifier[] }
  | { type: 'unary'; op: '-' | '+'; operand: ExprNode }
  | { type: 'binary'; op: '+' | '-' | '*' | '/' | '%' | '**'; lhs: ExprNode; rhs: ExprNode }
  | { type: 'call'; func: string; arg: ExprNode }
  | { type: 'call'; func: string; args: ExprNode[] }
  | { type: 'reference'; style: 'query' | 'attribute' | 'path'; name: string; default: number | null }
  | { type: 'labeled'; label: string; inner: ExprNode };

/** A parsed expression. */
export interface Expr {
  /** The expression written back in canonical notation. */
  notation: string;
  dialect: Dialect;
  /** A trailing `"label"`, `# comment` or free text. */
  comment: string | null;
  root: ExprNode;
}

/** One die as rolled, with what happened to it. */
export interface Die {
  value: number;
  kept: boolean;
  exploded: boolean;
  rerolled: boolean;
  added: boolean;
  success: boolean;
  failure: boolean;
  critical: boolean;
  fumble: boolean;
  /** Present (and true) on a penetrating die. */
  penetrated?: true;
  /** Present (and true) on a die raised by `min` or lowered by `max`. */
  clamped?: true;
  /** The rolls that a compounded die adds up. */
  parts?: number[];
}

/** One element of a rolled group. */
export interface GroupElement {
  value: number;
  kept: boolean;
  success: boolean;
  failure: boolean;
}

/** A node of the rolled tree: each has its `value`. */
export type RolledNode =
  | { type: 'number'; value: number }
  | {
      type: 'dice';
      value: number;
      notation: string;
      count: number | RolledNode;
      faces: number | '%' | 'F' | RolledNode;
      modifiers: Modifier[];
      /** The faces as rolled: `"6"` for `1d6`, `"F"`, `"%"`, or the computed faces (`"7"` for `d(1d6+1)` rolling 6). */
      rolled_faces: string | null;
      dice: Die[];
    }
  | { type: 'group'; value: number; items: RolledNode[]; modifiers: Modifier[]; elements: GroupElement[] }
  | { type: 'unary'; value: number; op: '-' | '+'; operand: RolledNode }
  | { type: 'binary'; value: number; op: '+' | '-' | '*' | '/' | '%' | '**'; lhs: RolledNode; rhs: RolledNode }
  | { type: 'call'; value: number; func: string; arg: RolledNode }
  | { type: 'call'; value: number; func: string; args: RolledNode[] }
  | {
      type: 'reference';
      value: number;
      style: 'query' | 'attribute' | 'path';
      name: string;
      default: number | null;
    }
  | { type: 'labeled'; value: number; label: string; inner: RolledNode };

/** A roll as `critfumble roll --json` prints it. */
export interface RollJson {
  /** The expression as given. */
  expr: string;
  total: number;
  rolled: RolledNode;
  /**
   * Discord-ready Markdown: ``2d20kh1 (~~12~~, **20**) + 5 = `25` ``. Labels,
   * the comment and reference names are escaped: they make no link,
   * formatting or mention.
   */
  markdown: string;
}

/**
 * What `roll` returns: `expr` and `total` at once; `markdown` and `rolled` are
 * getters that build them on first read (replaying the same roll).
 * `JSON.stringify(result)` and `result.toJSON()` give the CLI's object; to
 * clone a result or post it to a worker, post `result.toJSON()` (a spread or
 * `structuredClone` copies only `expr` and `total`). Reading `rolled` (or
 * `toJSON()`) throws for a tree nested more than 120 terms deep, such as a sum
 * of more terms, as the CLI's JSON refuses it; `total` and `markdown` stay.
 */
export interface RollResult extends Readonly<RollJson> {
  /** The plain `critfumble roll --json` object (built once, then shared). */
  toJSON(): RollJson;
}

/**
 * Bounds on the total: no roll falls outside them, and for most expressions
 * they are the least and greatest totals exactly; `null` is unbounded (`1d6!`
 * has no max).
 */
export interface Bounds {
  min: number | null;
  max: number | null;
}

/** One `[[...]]` roll in text. */
export interface InlineRoll {
  /** The expression between the brackets, trimmed. */
  expression: string;
  /** UTF-16 offsets of the whole `[[...]]` in the text. */
  start: number;
  end: number;
  total: number;
  markdown: string;
  plain: string;
}

/** Text with its inline rolls rolled. */
export interface InlineRolls {
  /** The text with each `[[...]]` replaced by its total. */
  text: string;
  rolls: InlineRoll[];
}

/** The distribution of a total, exactly as `critfumble stats --json` prints it. */
export interface Stats {
  expr: string;
  /** True when computed exactly; false for a Monte Carlo estimate. */
  exact: boolean;
  /** `null` is unbounded. */
  min: number | null;
  max: number | null;
  mean: number;
  stddev: number;
  /** `[total, probability]` pairs, by total. */
  distribution: [number, number][];
  /** The 5th, 25th, 50th, 75th and 95th percentiles. */
  percentiles: { '5': number | null; '25': number | null; '50': number | null; '75': number | null; '95': number | null };
  /** The probability cut off where explosions stop. */
  truncated_mass: number;
  /** For an estimate: how many rolls it made. */
  samples?: number;
  /** For an estimate: the standard error of the mean. */
  standard_error?: number;
}

/** How two totals compare, as `critfumble stats A --vs B --json` prints it. */
export interface StatsVs {
  a: string;
  b: string;
  /** P(A = B). */
  equal: number;
  /** P(A > B). */
  greater: number;
  /** P(A < B). */
  less: number;
}

/** A bad expression. `input.slice(start, end)` is the part it is about. */
export declare class DiceError extends Error {
  constructor(message: string, start: number, end: number);
  readonly name: 'DiceError';
  /** UTF-16 offset of the first code unit. */
  start: number;
  /** UTF-16 offset one past the last code unit. */
  end: number;
}

/**
 * Instantiates the main WebAssembly module (roll, rollInline). In
 * browsers, await it once before any other call (it fetches the .wasm beside
 * the package's files unless given a URL, a Response or the bytes); in Node it
 * resolves at once.
 */
export declare function init(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;

/** Instantiates the main module from the bytes or a compiled module, synchronously. A no-op in Node. */
export declare function initSync(module: BufferSource | WebAssembly.Module): void;

/**
 * Instantiates the second WebAssembly module, that of `parse`, `bounds`, `stats`
 * and `statsVs`. In browsers, await it once before calling them (until then they
 * throw an `Error` that says so); pages that only roll never fetch it. In Node
 * it resolves at once: the module loads on first use.
 */
export declare function initAnalysis(
  input?: string | URL | Request | Response | BufferSource | WebAssembly.Module,
): Promise<void>;

/** Instantiates the second module from the bytes or a compiled module, synchronously. A no-op in Node. */
export declare function initAnalysisSync(module: BufferSource | WebAssembly.Module): void;

/**
 * Parses an expression into its tree. Throws a `DiceError` on a bad expression.
 * In browsers, after `initAnalysis()`.
 */
export declare function parse(expr: string, options?: ExprOptions): Expr;

/** Rolls an expression: the same object as `critfumble roll --json`. Unseeded rolls use `crypto.getRandomValues`. */
export declare function roll(expr: string, options?: RollOptions): RollResult;

/**
 * The least and greatest total, without rolling: the same object as `critfumble bounds --json`.
 * In browsers, after `initAnalysis()`.
 */
export declare function bounds(expr: string, options?: ExprOptions): Bounds;

/** Rolls every `[[expression]]` in a text; error spans point into the text. */
export declare function rollInline(text: string, options?: InlineOptions): InlineRolls;

/**
 * The distribution of an expression's total: the same object as `critfumble stats --json`.
 * In browsers, after `initAnalysis()`.
 */
export declare function stats(expr: string, options?: ExprOptions): Stats;

/**
 * How the totals of `a` and `b` compare: the same object as `critfumble stats A --vs B --json`.
 * A `DiceError` about `b` has a message that starts with `in b: ` and a span into `b`.
 * In browsers, after `initAnalysis()`.
 */
export declare function statsVs(a: string, b: string, options?: ExprOptions): StatsVs;
