// A roll's Markdown as Discord reads it: discord-markdown-parser (simple-markdown
// with Discord's rules: mentions, spoilers, headings, subtext, masked links)
// parses it, and what the user typed must come back as plain text, with no
// link, formatting or mention of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseMarkdown } from 'discord-markdown-parser';
import { roll } from '@crit-fumble/dice';

/** Hostile labels and comments, one or more per Markdown rule of Discord's. */
const HOSTILE = [
  '[free gold](https://evil.example)',
  '[free gold](<https://evil.example>)',
  '**bold** and __underline__ and *italic* and _italic_',
  '~~struck~~ ||spoiler|| `code` ```block```',
  '> quoted',
  '>>> quoted to the end',
  '# heading',
  '-# subtext',
  '@everyone @here',
  '<@123456789012345678> <@!123456789012345678> <@&123456789012345678>',
  '<#123456789012345678> </roll:123456789012345678> <t:1700000000:R>',
  '<:emoji:123456789012345678> <a:wave:123456789012345678>',
  'https://evil.example/free-gold',
  '\\*not bold\\* and a trailing backslash \\',
  'line\n# heading after a newline\n> quote\n-# subtext',
];

/** The text of parsed Markdown nodes; any node but text or a line break fails the test. */
function plainText(nodes, markdown) {
  return nodes
    .map((node) => {
      if (node.type === 'br') return '\n';
      assert.equal(node.type, 'text', `${JSON.stringify(node)} in ${JSON.stringify(markdown)}`);
      return node.content;
    })
    .join('');
}

/** The text as Discord shows it: each @ with the zero-width space that breaks a mention. */
const shown = (text) => text.replaceAll('@', '@\u200b');

test('a comment is bold plain text in Discord', () => {
  for (const text of HOSTILE) {
    const input = `1d20 "${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    const { markdown } = roll(input, { dice: [7] });
    const nodes = parseMarkdown(markdown, 'extended');
    const comment = nodes.shift();
    assert.equal(comment.type, 'strong', markdown);
    assert.equal(plainText(comment.content, markdown), `${shown(text)}:`);
    assert.deepEqual(nodes.pop(), { type: 'inlineCode', content: '7' });
    assert.equal(plainText(nodes, markdown), ' 1d20 (7) = ');
  }
});

test('a label is plain text in Discord', () => {
  // A label ends at the first `]` and loses its outer spaces.
  for (const text of HOSTILE.filter((t) => !t.includes(']') && t.trim() === t)) {
    const { markdown } = roll(`1d6[${text}] + 2`, { dice: [3] });
    const nodes = parseMarkdown(markdown, 'extended');
    const total = nodes.pop();
    assert.deepEqual(total, { type: 'inlineCode', content: '5' }, markdown);
    assert.equal(plainText(nodes, markdown), `1d6 (3)[${shown(text)}] + 2 = `);
  }
});

test('the parser sees what was not escaped (the oracle works)', () => {
  const types = (markdown) => parseMarkdown(markdown, 'extended').map((node) => node.type);
  assert.deepEqual(types('[free gold](https://evil.example)'), ['link']);
  assert.deepEqual(types('@everyone'), ['everyone']);
  assert.deepEqual(types('# heading'), ['heading']);
  assert.deepEqual(types('-# subtext'), ['subtext']);
  assert.deepEqual(types('||spoiler||'), ['spoiler']);
});
