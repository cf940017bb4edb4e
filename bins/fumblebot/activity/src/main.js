// The shared dice table: sign in through Discord, join the instance's room, and show its
// rolls as they happen. Rolls are made by FumbleBot; the browser only sends expressions.
import './style.css';
import { SignInError, signIn } from './discord.js';
import { TableConnection } from './connection.js';
import { RollLog, showParticipants, showQuick } from './view.js';
import { loadDice, showPreview } from './preview.js';
import { apiUrl } from './paths.js';

const $ = (id) => document.getElementById(id);

function status(text, bad) {
  const line = $('status');
  line.textContent = text;
  line.classList.toggle('bad', Boolean(bad));
}

async function savedRolls(session) {
  try {
    const response = await fetch(apiUrl('saved'), { headers: { authorization: `Bearer ${session}` } });
    return response.ok ? await response.json() : [];
  } catch {
    return [];
  }
}

async function start() {
  status('Signing in…');
  const dice = loadDice().catch((error) => console.warn('the dice preview is unavailable', error));
  let signedIn;
  try {
    signedIn = await signIn();
  } catch (error) {
    status(error instanceof SignInError ? error.message : `Cannot sign in: ${error?.message ?? error}`, true);
    return;
  }
  const log = new RollLog($('log'));
  const refusal = $('refusal');
  let you = signedIn.user;
  let participants = [];
  const connection = new TableConnection(signedIn.session, signedIn.instanceId, {
    onStatus: status,
    onStopped: (reason) => status(reason, true),
    // A new sign-in starts the app afresh (a new code, session and socket).
    onSessionEnded: () => {
      status('Your session ended: signing in again…', true);
      location.reload();
    },
    onMessage: (message) => {
      switch (message.type) {
        case 'joined':
          you = message.you;
          message.rolls.forEach((roll) => log.add(roll));
          participants = message.participants;
          showParticipants($('participants'), participants, you);
          break;
        case 'roll': {
          log.add(message.roll);
          // The roll carries its roller's new luck.
          const roller = participants.find((p) => p.user.id === message.roll.user.id);
          if (roller && message.luck) {
            roller.luck = message.luck;
            showParticipants($('participants'), participants, you);
          }
          break;
        }
        case 'participants':
          participants = message.participants;
          showParticipants($('participants'), participants, you);
          break;
        case 'refused':
          refusal.textContent = message.message;
          refusal.hidden = false;
          break;
        default:
          break;
      }
    },
  });
  const roll = (expression) => {
    refusal.hidden = true;
    if (!connection.roll(expression)) {
      refusal.textContent = 'Not connected: the roll was not sent.';
      refusal.hidden = false;
    }
  };
  $('roll-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const expression = $('expression').value.trim();
    if (expression) roll(expression);
  });
  let typing;
  $('expression').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => showPreview($('preview'), $('expression').value), 120);
  });
  showQuick($('quick'), [], roll);
  document.querySelector('main').hidden = false;
  connection.open();
  savedRolls(signedIn.session).then((saved) => showQuick($('quick'), saved, roll));
  await dice;
  showPreview($('preview'), $('expression').value);
}

start();
