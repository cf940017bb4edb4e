// The table's socket: joins with the session, keeps the highest roll number it has seen,
// and on a lost connection joins again with it (`since`) to get the rolls it missed.
// FumbleBot closes with a 4xxx code when the session or a message is bad: the session
// codes sign in again, "not in this instance" stops, anything else reconnects.
import { socketUrl } from './paths.js';

export const CLOSE = {
  BAD_SESSION: 4001,
  SESSION_EXPIRED: 4002,
  NOT_IN_INSTANCE: 4003,
  MALFORMED: 4004,
  LAGGED: 4007,
};

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 8000;

export class TableConnection {
  /**
   * `handlers`: onMessage(message), onStatus(text, bad), onSessionEnded(), onStopped(reason).
   */
  constructor(session, instanceId, handlers) {
    this.session = session;
    this.instanceId = instanceId;
    this.handlers = handlers;
    this.lastSeq = null;
    this.retryMs = FIRST_RETRY_MS;
    this.socket = null;
    this.stopped = false;
  }

  open() {
    const socket = new WebSocket(socketUrl());
    this.socket = socket;
    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({
        type: 'join',
        session: this.session,
        instance_id: this.instanceId,
        since: this.lastSeq,
      }));
    });
    socket.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === 'joined') {
        this.retryMs = FIRST_RETRY_MS;
        this.handlers.onStatus('Connected', false);
      }
      for (const roll of message.rolls ?? (message.roll ? [message.roll] : [])) {
        this.lastSeq = Math.max(this.lastSeq ?? 0, roll.seq);
      }
      this.handlers.onMessage(message);
    });
    socket.addEventListener('close', (event) => this.closed(event));
  }

  closed(event) {
    if (this.stopped) return;
    if (event.code === CLOSE.NOT_IN_INSTANCE) {
      this.stopped = true;
      this.handlers.onStopped(event.reason || 'You are not in this activity.');
      return;
    }
    if (event.code === CLOSE.BAD_SESSION || event.code === CLOSE.SESSION_EXPIRED) {
      this.stopped = true;
      this.handlers.onSessionEnded();
      return;
    }
    this.handlers.onStatus(`Reconnecting… (${event.reason || 'connection lost'})`, true);
    setTimeout(() => this.open(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
  }

  roll(expression) {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify({ type: 'roll', expression }));
    return true;
  }

  close() {
    this.stopped = true;
    this.socket?.close(1000, 'bye');
  }
}
