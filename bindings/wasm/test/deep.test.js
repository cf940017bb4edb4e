// A roll whose tree nests deeper than the dice crate's JSON (JSON_MAX_DEPTH,
// 120 terms): its total and Markdown are there, and reading its tree throws
// with the dice crate's message instead of exhausting a stack.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roll } from '@crit-fumble/dice';

test('the tree of a sum of 121 terms is too deep; its total and Markdown are not', () => {
  const deepest = roll(Array(120).fill('1').join('+'));
  assert.equal(deepest.total, 120);
  assert.equal(deepest.rolled.type, 'binary');
  const deeper = roll(Array(121).fill('1').join('+'));
  assert.equal(deeper.total, 121);
  assert.ok(deeper.markdown.endsWith('= `121`'));
  assert.throws(() => deeper.rolled, /nests more than 120 terms deep, too deep for JSON/);
});
