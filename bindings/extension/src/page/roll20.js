// In Roll20's page world (app.roll20.net/editor): reads who is signed in and which game
// is open from the editor page's own globals, which the isolated content script cannot
// see, and passes them on. Nothing here touches the chat.

import { send } from '../shared/page-channel.js';

const GIVE_UP_MS = 120_000;
const started = Date.now();

function read() {
  // `campaign_id`: the game's id, set by an inline script of the editor page.
  const gameId = window.campaign_id;
  // `d20_player_id`: the signed-in player's id (a Firebase push id such as
  // `-N7qTw2-kpRbC4c1-Xhd8`, the same one chat messages carry in `data-playerid`).
  const playerId = window.d20_player_id;
  if (!gameId || !playerId) return null;
  // `currentPlayer`: the editor's Backbone model of that player; its `displayname` is the
  // name shown in the player list. `is_gm`: whether the player is this game's GM.
  const name = window.currentPlayer?.get?.('displayname');
  return {
    vtt: 'roll20',
    game_id: String(gameId),
    player: { id: String(playerId), name: typeof name === 'string' ? name : null, is_gm: window.is_gm === true },
  };
}

(function poll() {
  const page = read();
  if (page) {
    send('page', { type: 'page', ...page });
  } else if (Date.now() - started < GIVE_UP_MS) {
    setTimeout(poll, 250);
  }
})();
