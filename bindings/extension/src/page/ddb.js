// In D&D Beyond's page world, from document_start: the game log arrives over a WebSocket
// (`wss://game-log-api-live.dndbeyond.com/v1?gameId=&userId=&stt=`), so its sockets are
// watched and each `dice/roll/fulfilled` message is passed on, as the JSON the bridge's
// `ddb` format reads. The socket itself is left as it is.

import { send } from '../shared/page-channel.js';

const GAME_LOG_HOST = 'game-log-api-live.dndbeyond.com';
const NativeWebSocket = window.WebSocket;

function isGameLog(url) {
  try {
    return new URL(String(url), window.location.href).host === GAME_LOG_HOST;
  } catch {
    return false;
  }
}

class WatchedWebSocket extends NativeWebSocket {
  constructor(url, protocols) {
    super(url, protocols);
    if (!isGameLog(url)) return;
    this.addEventListener('message', (event) => {
      if (typeof event.data !== 'string' || !event.data.includes('dice/roll/fulfilled')) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message?.eventType !== 'dice/roll/fulfilled') return;
      send('page', { type: 'message', id: String(message.id ?? ''), user_id: String(message.userId ?? ''), data: event.data });
    });
  }
}

window.WebSocket = WatchedWebSocket;
