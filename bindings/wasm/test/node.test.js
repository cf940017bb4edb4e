// The built package in Node: the same JSON as the CLI, errors with spans,
// options, crypto randomness and the TypeScript types.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import {
  DiceError,
  bounds,
  init,
  initAnalysis,
  initAnalysisSync,
  initSync,
  parse,
  roll,
  rollInline,
  stats,
  statsVs,
} from '@crit-fumble/dice';
import { CASES } from './corpus.js';

// The same instance of the glue that the package uses (Node caches modules).
const glue = createRequire(import.meta.url)('../pkg/node/critfumble_dice_wasm.js');
import { critfumble } from './cli.js';

const options = ({ dialect, vars }) => ({ dialect, vars });

/**
 * Deep equality where numbers may differ in the last bits: the keep
 * distributions use ln and exp, whose last bit differs between glibc (the
 * native CLI) and Rust's libm (wasm32).
 */
function assertClose(actual, expected, path = '') {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
    assert.ok(Math.abs(actual - expected) / scale <= 1e-12, `${path}: ${actual} != ${expected}`);
  } else if (expected !== null && typeof expected === 'object') {
    assert.deepEqual(Object.keys(actual), Object.keys(expected), path);
    for (const key of Object.keys(expected)) assertClose(actual[key], expected[key], `${path}.${key}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

describe('the same JSON as the CLI', () => {
  test(`at least 50 expressions`, () => assert.ok(CASES.length >= 50, `${CASES.length}`));

  for (const [i, c] of CASES.entries()) {
    const seed = 1000 + i;
    const label = `${c.expr}${c.dialect ? ` (${c.dialect})` : ''}`;
    test(`roll --seed ${seed} ${label}`, () => {
      const cli = critfumble('roll', c.expr, c, ['--seed', String(seed)]);
      const ours = roll(c.expr, { ...options(c), seed });
      assert.deepEqual(ours.toJSON(), cli);
      assert.equal(ours.total, cli.total);
      assert.deepEqual(ours.rolled, cli.rolled);
      assert.equal(ours.markdown, cli.markdown);
      // The Markdown alone, read first, is the same Markdown.
      assert.equal(roll(c.expr, { ...options(c), seed }).markdown, cli.markdown);
      // Byte for byte once serialized, keys in the same order.
      assert.equal(JSON.stringify(ours), JSON.stringify(cli));
      // A bigint seed is the same seed.
      assert.deepEqual(roll(c.expr, { ...options(c), seed: BigInt(seed) }).toJSON(), cli);
    });
    test(`bounds ${label}`, () => {
      assert.equal(JSON.stringify(bounds(c.expr, options(c))), JSON.stringify(critfumble('bounds', c.expr, c)));
    });
  }

  test('a seed above 2^53 matches the CLI', () => {
    const seed = 18446744073709551615n;
    assert.deepEqual(roll('4d6kh3', { seed }).toJSON(), critfumble('roll', '4d6kh3', {}, ['--seed', seed.toString()]));
  });

  test('forced dice match the CLI', () => {
    for (const [expr, dice] of [
      ['2d20kh1+5', [12, 20]],
      ['3d6!', [6, 2, 3, 4]],
      ['4dF', [-1, 0, 1, 1]],
      ['3d6!!', [6, 6, 1, 2, 3]],
      ['4d6r1', [1, 3, 4, 5, 6]],
    ]) {
      const cli = critfumble('roll', expr, {}, ['--dice', dice.join(',')]);
      assert.deepEqual(roll(expr, { dice }).toJSON(), cli, expr);
      // Forced dice win over a seed, as in the CLI.
      assert.deepEqual(roll(expr, { dice, seed: 5 }).toJSON(), cli, expr);
    }
  });

  test('parse gives the tree', () => {
    const expr = parse('2d20kh1 + 5 "Attack"');
    assert.equal(expr.notation, '2d20kh1 + 5 "Attack"');
    assert.equal(expr.dialect, 'default');
    assert.equal(expr.comment, 'Attack');
    assert.equal(expr.root.type, 'binary');
    assert.deepEqual(expr.root.rhs, { type: 'number', value: 5 });
    assert.deepEqual(expr.root.lhs.modifiers, [{ type: 'keep', value: { highest: 1 } }]);
    assert.equal(parse('3d6>5', { dialect: 'roll20' }).notation, '3d6>=5');
  });
});

describe('stats: the same JSON as critfumble stats', () => {
  for (const c of CASES) {
    test(`stats ${c.expr}${c.dialect ? ` (${c.dialect})` : ''}`, () => {
      // Compared as values: serde_json writes 7.0 where JavaScript writes 7.
      assertClose(stats(c.expr, options(c)), critfumble('stats', c.expr, c));
    });
  }

  test('statsVs', () => {
    for (const [a, b] of [
      ['1d20+5', '1d20+3'],
      ['2d20kh1', '1d20+5'],
      ['4d6kh3', '3d6'],
      ['8d6', '10d4+3'],
    ]) {
      assertClose(statsVs(a, b), critfumble('stats', a, {}, ['--vs', b]), `${a} vs ${b}`);
    }
    assertClose(
      statsVs('1d20 + @str.mod', '1d20', { vars: { 'str.mod': 2 } }),
      critfumble('stats', '1d20 + @str.mod', { vars: { 'str.mod': 2 } }, ['--vs', '1d20']),
    );
  });

  test('statsVs errors say which expression', () => {
    assert.throws(() => statsVs('1d', '1d20'), (e) => e instanceof DiceError && e.start === 2);
    assert.throws(
      () => statsVs('1d20', '2d6kh'),
      (e) => e instanceof DiceError && e.message.startsWith('in b: ') && e.start === 5,
    );
    assert.throws(() => stats('1d20 + @dex'), DiceError);
  });
});

describe('errors', () => {
  const bad = ['1d20kh+5', '2d6+', '(1d6', '1d0', '1d6 / 0', '1d1!', '3d6)', '{1d6', '1d20 + @dex'];
  for (const expr of bad) {
    test(`${expr}: a DiceError with the CLI's message and span`, () => {
      const cli = critfumble('roll', expr, {}, ['--seed', '1']).error;
      assert.ok(cli, `the CLI accepted ${expr}`);
      assert.throws(
        () => roll(expr, { seed: 1 }),
        (error) => {
          assert.ok(error instanceof DiceError);
          assert.ok(error instanceof Error);
          assert.equal(error.name, 'DiceError');
          assert.deepEqual({ message: error.message, start: error.start, end: error.end }, cli);
          return true;
        },
      );
    });
  }

  test('spans are UTF-16 offsets', () => {
    const expr = '1d6[🎲é] + 1d20kh+5';
    // The CLI counts bytes: 3 more, for the 4-byte '🎲' (2 units) and the 2-byte 'é'.
    const cli = critfumble('roll', expr).error;
    assert.throws(
      () => parse(expr),
      (error) => {
        assert.ok(error instanceof DiceError);
        assert.deepEqual([error.start, error.end], [cli.start - 3, cli.end - 3]);
        assert.equal(expr.slice(error.start, error.end), '+');
        return true;
      },
    );
    const text = 'é🎲 [[1d]]';
    assert.throws(
      () => rollInline(text),
      (error) => error instanceof DiceError && error.start > text.indexOf('[[') && error.end <= text.length,
    );
  });

  test('bounds throws too', () => {
    assert.throws(() => bounds('1d'), DiceError);
    assert.throws(() => bounds('1d20 + @dex'), /no value was given for 'dex'/);
  });

  test('bad options are TypeErrors', () => {
    assert.throws(() => roll('1d6', { dialect: 'gurps' }), TypeError);
    assert.throws(() => roll('1d6', { seed: -1 }), TypeError);
    assert.throws(() => roll('1d6', { seed: 1.5 }), TypeError);
    assert.throws(() => roll('1d6', { seed: 1n << 64n }), TypeError);
    assert.throws(() => roll('1d6', { dice: [2.5] }), /a forced die must be an integer, found 2.5/);
    assert.throws(() => roll('1d6', { dice: '6' }), /dice must be an array of integers, found string/);
    assert.throws(() => roll('1d6', { dice: 6 }), /dice must be an array of integers, found number/);
    assert.deepEqual(roll('1d6', { dice: new Float64Array([4]) }).rolled.dice[0].value, 4);
    assert.throws(() => roll('1d6 + @x', { vars: { x: 'three' } }), TypeError);
    assert.throws(() => roll('1d6', { vars: 3 }), TypeError);
    assert.throws(() => roll(20), /expr must be a string/);
    assert.throws(() => statsVs('1d6', null), /b must be a string/);
    assert.throws(() => rollInline(undefined), /text must be a string/);
    // null options are no options.
    assert.equal(roll('3', null).total, 3);
    assert.deepEqual(bounds('1d6', null), { min: 1, max: 6 });
  });
});

describe('randomness and inline rolls', () => {
  test('unseeded rolls use crypto.getRandomValues and cover every face', () => {
    const seen = new Set();
    for (let i = 0; i < 600; i++) {
      const { total } = roll('1d6');
      assert.ok(Number.isInteger(total) && total >= 1 && total <= 6, `${total}`);
      seen.add(total);
    }
    assert.equal(seen.size, 6);
    // Two unseeded 100d6 rolls are not the same (odds of that are nil).
    assert.notDeepEqual(roll('100d6').rolled.dice, roll('100d6').rolled.dice);
  });

  test('the tree and the Markdown of an unseeded roll, built when read, are that roll', () => {
    for (let i = 0; i < 200; i++) {
      const result = roll('6d6!kh3 + 1d4');
      const markdown = result.markdown;
      assert.ok(markdown.endsWith(`= \`${result.total}\``), markdown);
      const text = JSON.stringify(result);
      assert.equal(result.rolled.value, result.total);
      assert.equal(result.markdown, markdown);
      // Reading it again gives the same objects.
      assert.equal(JSON.stringify(result), text);
      assert.deepEqual(Object.keys(JSON.parse(text)), ['expr', 'total', 'rolled', 'markdown']);
      assert.deepEqual(structuredClone(result.toJSON()), JSON.parse(text));
    }
    // Changing the caller's vars afterwards does not change the roll.
    const vars = { bonus: 2 };
    const result = roll('1d20 + @bonus', { vars });
    vars.bonus = 100;
    assert.equal(result.rolled.value, result.total);
    // Other rolls in between do not change a roll's tree.
    const first = roll('100d6', { seed: 1 });
    roll('1d20 + 100d6 "Second"', { seed: 2 });
    assert.throws(() => roll('d'), DiceError);
    assert.deepEqual(first.toJSON(), roll('100d6', { seed: 1 }).toJSON());
  });

  test('results survive the wasm memory growing', () => {
    // The package reads results in place through views of the wasm memory;
    // growing the memory detaches them, and they must be made again.
    const memory = glue.wasmMemory();
    const before = memory.buffer.byteLength;
    let big;
    for (let i = 0; i < 20 && memory.buffer.byteLength === before; i++) {
      big = roll(`${5000 + i}d6 + ${5000 - i}d8 "Big"`, { seed: i }).toJSON();
    }
    assert.ok(memory.buffer.byteLength > before, 'the memory did not grow');
    assert.equal(big.rolled.lhs.dice.length + big.rolled.rhs.dice.length, 10000);
    assert.ok(big.markdown.startsWith('**Big:** '), big.markdown.slice(0, 20));
    assert.deepEqual(roll('2d20kh1+5', { dice: [12, 20] }).rolled.lhs.dice.map((d) => d.value), [12, 20]);
  });

  test('rollInline rolls each [[...]]', () => {
    const text = 'I hit [[1d20+5]] for [[2d6+3]] damage';
    const out = rollInline(text, { seed: 7 });
    assert.equal(out.rolls.length, 2);
    assert.deepEqual(rollInline(text, { seed: 7 }), out);
    assert.equal(out.text, `I hit ${out.rolls[0].total} for ${out.rolls[1].total} damage`);
    assert.equal(text.slice(out.rolls[1].start, out.rolls[1].end), '[[2d6+3]]');
    assert.equal(out.rolls[0].expression, '1d20+5');
    assert.match(out.rolls[0].markdown, /^1d20 \(\d+\) \+ 5 = `\d+`$/);
    assert.equal(rollInline('no rolls here').text, 'no rolls here');
  });

  test('the .wasm of parse, bounds and stats loads on their first use, not before', () => {
    const probe = `
      import { createRequire } from 'node:module';
      const dice = await import('@crit-fumble/dice');
      const loaded = () => Object.keys(createRequire(import.meta.url).cache)
        .some((path) => path.endsWith('critfumble_dice_analysis.js'));
      dice.roll('1d20'); dice.rollInline('[[1d4]]');
      const before = loaded();
      const { max } = dice.bounds('1d6');
      console.log(JSON.stringify({ before, after: loaded(), max }));`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), { before: false, after: true, max: 6 });
  });

  test('init, initSync, initAnalysis and initAnalysisSync are no-ops in Node', async () => {
    await init();
    initSync(new Uint8Array());
    await initAnalysis();
    initAnalysisSync(new Uint8Array());
    assert.equal(roll('2', { seed: 1 }).total, 2);
  });
});

describe('the package', () => {
  const dir = fileURLToPath(new URL('..', import.meta.url));
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));

  test('the main .wasm is within its size budget: 230 KB, 96 KB gzipped', () => {
    // What every page loads (roll, rollInline), as build.sh makes it (with
    // wasm-opt, which scripts/test-wasm installs). The second .wasm (parse,
    // bounds, stats) is over it; see the README's budgets.
    const bytes = readFileSync(`${dir}/pkg/web/critfumble_dice_wasm_bg.wasm`);
    const gzipped = gzipSync(bytes, { level: 9 }).length;
    assert.ok(bytes.length <= 230_000, `${bytes.length} bytes`);
    assert.ok(gzipped <= 96_000, `${gzipped} bytes gzipped`);
  });

  test("the Activity's stats .wasm (built for size) gives what the package's stats gives", async () => {
    // pkg/web/critfumble_dice_stats*: `stats` alone at opt-level "z" (build.sh), read
    // through bindStats, as bins/fumblebot/activity does; the oracle is the package's
    // own stats, from the analysis .wasm built at opt-level 3.
    const glue = await import(new URL('../pkg/web/critfumble_dice_stats.js', import.meta.url));
    glue.initSync({ module: readFileSync(`${dir}/pkg/web/critfumble_dice_stats_bg.wasm`) });
    const { bindStats } = await import(new URL('../js/api.js', import.meta.url));
    const small = bindStats(glue, (buffer) => (start, end) => Buffer.from(buffer, start, end - start).toString('utf8'));
    let compared = 0;
    for (const c of CASES) {
      let expected;
      try {
        expected = stats(c.expr, options(c));
      } catch (error) {
        assert.throws(() => small.stats(c.expr, options(c)), (thrown) =>
          thrown instanceof DiceError && thrown.start === error.start && thrown.end === error.end && thrown.message === error.message);
        compared += 1;
        continue;
      }
      assert.deepEqual(small.stats(c.expr, options(c)), expected, c.expr);
      compared += 1;
    }
    assert.ok(compared >= 20, `only ${compared} cases`);
    assert.equal(typeof glue.rollTotal, 'undefined', 'the stats .wasm has no roller');
    assert.equal(typeof glue.parseTree, 'undefined', 'nor the parser export');
  });

  test('its version follows the crate', () => {
    const cargo = readFileSync(`${dir}/../../Cargo.toml`, 'utf8');
    const version = /\[workspace\.package\][^[]*?\nversion = "([^"]+)"/.exec(cargo)?.[1];
    assert.equal(pkg.version, version);
  });

  test('the TypeScript types compile with tsc --strict against every export', () => {
    const require = createRequire(import.meta.url);
    const tsc = require.resolve('typescript/bin/tsc');
    const out = spawnSync(process.execPath, [tsc, '-p', `${dir}/test/tsconfig.json`], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stdout + out.stderr);
  });

  test('a type error is caught', () => {
    const require = createRequire(import.meta.url);
    const tsc = require.resolve('typescript/bin/tsc');
    const out = spawnSync(process.execPath, [tsc, '-p', `${dir}/test/tsconfig.bad.json`], { encoding: 'utf8' });
    assert.notEqual(out.status, 0);
    assert.match(out.stdout, /types-bad\.ts/);
  });
});
