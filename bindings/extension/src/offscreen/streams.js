// The bridge's event streams, one per game (`GET /vtt/events?vtt=&game_id=`): each
// reconnects after the server's `retry` hint (with backoff while it fails) and resumes
// with `Last-Event-ID`, and hands each event to `deliver`, one at a time and in order,
// trying again until `deliver` confirms it, so that a service worker stopped in the middle
// loses nothing. It runs in the offscreen document (Chromium) or in Firefox's background
// page, which both outlive the service worker's 30 s idle stop.

import { EventStreamParser } from './sse.js';

const RETRY_DEFAULT_MS = 3_000;
const RETRY_MAX_MS = 60_000;
/**
 * The longest wait while the bridge answers 403 or 404 (the game's campaign not linked
 * yet, the user not yet a member): the user is fixing that in Core's web app right now.
 */
const RETRY_UNLINKED_MAX_MS = 10_000;
const DELIVER_RETRY_MS = 250;

class GameStream {
  constructor(manager, game) {
    this.manager = manager;
    this.vtt = game.vtt;
    this.gameId = game.game_id;
    this.lastEventId = game.last_event_id ?? '';
    this.retryMs = RETRY_DEFAULT_MS;
    this.failures = 0;
    this.abort = null;
    this.stopped = false;
    this.pending = Promise.resolve();
    this.run();
  }

  stop() {
    this.stopped = true;
    this.abort?.abort();
  }

  state(state, detail = {}) {
    this.manager.report({ kind: 'stream-state', vtt: this.vtt, game_id: this.gameId, state, ...detail });
  }

  async run() {
    while (!this.stopped) {
      const { bridgeUrl, token } = this.manager;
      this.abort = new AbortController();
      let waitMaxMs = RETRY_MAX_MS;
      const url = `${bridgeUrl}/vtt/events?vtt=${encodeURIComponent(this.vtt)}&game_id=${encodeURIComponent(this.gameId)}`;
      const headers = { accept: 'text/event-stream', authorization: `Bearer ${token}` };
      if (this.lastEventId) headers['last-event-id'] = this.lastEventId;
      this.state('connecting');
      try {
        const response = await fetch(url, { headers, signal: this.abort.signal, cache: 'no-store' });
        if (response.status === 401) {
          // The token refused, so that the worker revokes it only if it is still the stored one.
          this.state('signed_out', { status: 401, token });
          return;
        }
        if (!response.ok || !response.body) {
          let error = `HTTP ${response.status}`;
          try {
            error = (await response.json()).error?.message ?? error;
          } catch {
            // Not the bridge's JSON.
          }
          // 404 until the game's campaign is linked, 403 until the user joins it: both
          // back off with a shorter cap, so a link made a moment later is picked up soon.
          this.failures += 1;
          if (response.status === 403 || response.status === 404) waitMaxMs = RETRY_UNLINKED_MAX_MS;
          this.state('error', { status: response.status, error });
        } else {
          this.failures = 0;
          this.state('connected');
          await this.read(response.body);
          if (!this.stopped) this.state('connecting', { error: 'the stream ended' });
        }
      } catch (error) {
        if (this.stopped) return;
        this.failures += 1;
        this.state('error', { status: 0, error: String(error.message ?? error) });
      }
      if (this.stopped) return;
      const backoff = Math.min(waitMaxMs, this.retryMs * 2 ** Math.min(this.failures, 5));
      await sleep(this.failures === 0 ? this.retryMs : backoff);
    }
  }

  async read(body) {
    const parser = new EventStreamParser({
      onRetry: (ms) => {
        this.retryMs = Math.max(500, Math.min(ms, RETRY_MAX_MS));
      },
      onEvent: (event) => {
        if (event.type !== 'discord_message') return;
        let parsed;
        try {
          parsed = JSON.parse(event.data);
        } catch {
          return;
        }
        // Delivered in order; the id is the resume point only once delivered.
        this.pending = this.pending.then(() => this.deliver(parsed, event.id));
      },
    });
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(value);
    }
    await this.pending;
  }

  async deliver(event, id) {
    while (!this.stopped) {
      try {
        const answer = await this.manager.deliver({ kind: 'event', vtt: this.vtt, game_id: this.gameId, event });
        if (answer?.ack) {
          this.lastEventId = id || event.id;
          return;
        }
      } catch {
        // The worker is starting or restarting: try again.
      }
      await sleep(DELIVER_RETRY_MS);
    }
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every game's stream, reconciled with the list the service worker sends. */
export class StreamManager {
  /** `deliver(message)` resolves to `{ack: true}` once handled; `report(message)` is fire and forget. */
  constructor({ deliver, report }) {
    this.deliver = deliver;
    this.report = report;
    this.streams = new Map();
    this.bridgeUrl = '';
    this.token = '';
  }

  /** Opens the streams of `games`, closes the others; a new URL or token reopens all. */
  update({ bridge_url: bridgeUrl, token, games }) {
    if (bridgeUrl !== this.bridgeUrl || token !== this.token) {
      for (const stream of this.streams.values()) stream.stop();
      this.streams.clear();
      this.bridgeUrl = bridgeUrl;
      this.token = token;
    }
    const wanted = new Map(games.map((game) => [`${game.vtt}:${game.game_id}`, game]));
    for (const [key, stream] of this.streams) {
      if (!wanted.has(key)) {
        stream.stop();
        this.streams.delete(key);
      }
    }
    for (const [key, game] of wanted) {
      if (!this.streams.has(key)) this.streams.set(key, new GameStream(this, game));
    }
    return { open: [...this.streams.keys()] };
  }
}
