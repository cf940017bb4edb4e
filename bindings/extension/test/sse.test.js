// The Server-Sent Events reader (src/offscreen/sse.js) against the HTML standard's
// examples of the format: fields, comments, multi-line data, ids, retry, any line ending,
// and chunks split anywhere (even inside a CRLF or a UTF-8 character).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from './load.js';

const { EventStreamParser } = await load('src/offscreen/sse.js');

function parse(chunks) {
  const events = [];
  const retries = [];
  const parser = new EventStreamParser({ onEvent: (event) => events.push(event), onRetry: (ms) => retries.push(ms) });
  const encoder = new TextEncoder();
  for (const chunk of chunks) parser.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
  return { events, retries };
}

const STREAM = ': connected\nretry: 3000\n\nid: 7\nevent: discord_message\ndata: {"a":1,\ndata: "b":"é"}\n\n: keep-alive\n\ndata: plain\n\n';

test('a stream as the bridge writes it', () => {
  const { events, retries } = parse([STREAM]);
  assert.deepEqual(retries, [3000]);
  assert.deepEqual(events, [
    { type: 'discord_message', data: '{"a":1,\n"b":"é"}', id: '7' },
    { type: 'message', data: 'plain', id: '7' },
  ]);
});

test('split at every byte, and with CRLF or CR line endings, it reads the same', () => {
  const expected = parse([STREAM]).events;
  const bytes = new TextEncoder().encode(STREAM);
  assert.deepEqual(parse([...bytes].map((byte) => new Uint8Array([byte]))).events, expected);
  for (const ending of ['\r\n', '\r']) {
    const text = STREAM.replaceAll('\n', ending);
    const encoded = new TextEncoder().encode(text);
    assert.deepEqual(parse([...encoded].map((byte) => new Uint8Array([byte]))).events, expected, JSON.stringify(ending));
  }
});

test('an event without data is not dispatched; an id with NUL is ignored; a field without a colon is a name', () => {
  const { events } = parse(['event: x\n\nid: 3\0\ndata\n\n']);
  assert.deepEqual(events, [{ type: 'message', data: '', id: '' }]);
});
