// Foundry VTT (on an origin the user enabled): the page-world script passes on the chat
// messages this user creates; a message with rolls goes to the bridge as `foundry` (the
// message document as JSON), another as chat. Discord messages go back to the page-world
// script, which creates them as out-of-character messages with the VTT-safe content.

import { listen, send } from '../shared/page-channel.js';
import { reportTime } from '../shared/metrics.js';
import { BoundedSet, registerPage, sendFromPage } from './common.js';

const VTT = 'foundry';
const seen = new BoundedSet(5_000);
const injected = new BoundedSet(500);

function plainText(html) {
  return new DOMParser().parseFromString(html, 'text/html').body.textContent.replace(/\s+/g, ' ').trim();
}

function handle(message) {
  if (!message.id || seen.has(message.id)) return null;
  seen.add(message.id);
  if (message.has_rolls) return { kind: 'roll', vtt: VTT, message_id: message.id, raw: message.data };
  let data;
  try {
    data = JSON.parse(message.data);
  } catch {
    return null;
  }
  const text = plainText(String(data.content ?? ''));
  if (!text) return null;
  const speaker = String(data.speaker?.alias ?? 'Foundry').slice(0, 100);
  return { kind: 'chat', vtt: VTT, message_id: message.id, speaker, text: text.slice(0, 2000) };
}

if (!globalThis.__critfumbleFoundryContent) {
  globalThis.__critfumbleFoundryContent = true;
  listen('page', (message) => {
    if (message.type === 'page' && message.vtt === VTT) {
      registerPage({ vtt: VTT, game_id: message.game_id, player: message.player });
    } else if (message.type === 'message') {
      const start = performance.now();
      const outgoing = handle(message);
      if (!outgoing) return;
      sendFromPage(outgoing);
      reportTime(performance.now() - start, 1);
    }
  });
  chrome.runtime.onMessage.addListener((message) => {
    const event = message?.kind === 'inject' ? message.event : null;
    if (!event || typeof event.foundry !== 'string' || injected.has(event.id)) return;
    injected.add(event.id);
    // The alias Foundry shows above the message; `foundry` is the escaped HTML content.
    send('content', { type: 'create', content: event.foundry, alias: `${event.author} (Discord)` });
  });
  // The page-world script may have announced the page before this script listened.
  send('content', { type: 'hello' });
}
