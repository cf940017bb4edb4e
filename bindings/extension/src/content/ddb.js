// D&D Beyond (www.dndbeyond.com): the page-world script passes on each roll of the game
// log; this one sends those of the signed-in user to the bridge as `ddb`. The game and
// the user come from the page's `#message-broker-client` element, whose `data-gameid` and
// `data-userid` are what the game log's own socket is opened with.

import { listen } from '../shared/page-channel.js';
import { reportTime } from '../shared/metrics.js';
import { BoundedSet, registerPage, sendFromPage } from './common.js';

const VTT = 'dndbeyond';
const seen = new BoundedSet(5_000);
let userId = null;

function readPage() {
  const client = document.getElementById('message-broker-client');
  const gameId = client?.dataset.gameid;
  userId = client?.dataset.userid ?? null;
  // "0" is what the page holds outside a game.
  if (!gameId || gameId === '0' || !userId || userId === '0') return;
  registerPage({ vtt: VTT, game_id: gameId, player: { id: userId, name: null, is_gm: false } });
}

listen('page', (message) => {
  if (message.type !== 'message' || !message.id || seen.has(message.id)) return;
  const start = performance.now();
  seen.add(message.id);
  // Only this user's rolls: the bridge reports a roll as its caller's.
  if (!userId || message.user_id !== userId) return;
  sendFromPage({ kind: 'roll', vtt: VTT, message_id: message.id, raw: message.data });
  reportTime(performance.now() - start, 1);
});

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', readPage, { once: true });
else readPage();
