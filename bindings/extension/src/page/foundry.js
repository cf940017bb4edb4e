// In a Foundry VTT page's own world (v12 and v13), on origins the user enabled: reads the
// world and the signed-in user from `game`, passes on each chat message this user creates
// (Foundry's `createChatMessage` hook), and creates the Discord messages the content
// script hands over as out-of-character chat messages.

import { listen, send } from '../shared/page-channel.js';

const GIVE_UP_MS = 120_000;
const started = Date.now();

function start() {
  const { game, Hooks, ChatMessage, CONST } = globalThis;
  // `game.world.id`: the world's id, the game Core links a campaign to.
  // `game.user`: the signed-in Foundry user (its `id`, `name` and `isGM`).
  const announce = () =>
    send('page', {
      type: 'page',
      vtt: 'foundry',
      game_id: String(game.world.id),
      player: { id: String(game.user.id), name: game.user.name ?? null, is_gm: game.user.isGM === true },
    });
  announce();
  Hooks.on('createChatMessage', (message, _options, userId) => {
    // Every client sees every message; each one reports only its own user's.
    if (userId !== game.user.id) return;
    if (message.flags?.critfumble?.discord) return;
    const data = message.toObject ? message.toObject() : message;
    send('page', { type: 'message', id: String(message.id), data: JSON.stringify(data), has_rolls: (data.rolls?.length ?? 0) > 0 });
  });
  listen('content', (message) => {
    // The content script started after this script announced the page (both injected
    // into a tab open when Foundry was enabled): it asks again.
    if (message.type === 'hello') {
      announce();
      return;
    }
    if (message.type !== 'create' || typeof message.content !== 'string') return;
    const generation = game.release?.generation ?? 12;
    const data = {
      content: message.content,
      speaker: { alias: String(message.alias ?? 'Discord') },
      flags: { critfumble: { discord: true } },
    };
    // v12 renamed the message `type` OOC to `style` OOC.
    if (generation >= 12) data.style = CONST?.CHAT_MESSAGE_STYLES?.OOC ?? 1;
    else data.type = CONST?.CHAT_MESSAGE_TYPES?.OOC ?? 1;
    ChatMessage.create(data);
  });
}

(function whenReady() {
  // The script may run twice in a tab (registered, and injected when enabled).
  if (globalThis.__critfumbleFoundry) return;
  const { game, Hooks } = globalThis;
  if (Hooks && game?.ready) {
    globalThis.__critfumbleFoundry = true;
    start();
  } else if (Hooks) {
    globalThis.__critfumbleFoundry = true;
    Hooks.once('ready', start);
  } else if (Date.now() - started < GIVE_UP_MS) {
    setTimeout(whenReady, 250);
  }
})();
