// A Server-Sent Events reader over fetch, as the HTML standard's "event stream
// interpretation" reads a stream: lines end in CRLF, LF or CR; `data` lines join with LF;
// `id` sets the last event id (unless it holds NUL); `retry` sets the reconnection delay;
// lines starting with `:` are comments. The browser's EventSource cannot send the
// `Authorization` header the bridge requires, hence fetch.

/** Splits a byte stream into events; `onEvent({type, data, id})`, `onRetry(ms)`. */
export class EventStreamParser {
  constructor({ onEvent, onRetry }) {
    this.onEvent = onEvent;
    this.onRetry = onRetry;
    this.decoder = new TextDecoder();
    this.buffer = '';
    this.data = [];
    this.type = '';
    this.lastEventId = '';
    this.sawCr = false;
  }

  /** Feeds a chunk of bytes. */
  push(bytes) {
    let text = this.decoder.decode(bytes, { stream: true });
    // A CR at the end of the last chunk and an LF at the start of this one are one break.
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1);
    this.sawCr = text.endsWith('\r');
    this.buffer += text;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop();
    for (const line of lines) this.line(line);
  }

  line(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.type = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.onRetry(Number(value));
        break;
      default:
        break;
    }
  }

  dispatch() {
    if (this.data.length === 0) {
      this.type = '';
      return;
    }
    const event = { type: this.type || 'message', data: this.data.join('\n'), id: this.lastEventId };
    this.data = [];
    this.type = '';
    this.onEvent(event);
  }
}
