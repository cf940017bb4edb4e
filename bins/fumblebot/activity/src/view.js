// The table's DOM: the log of rolls (each die shown, criticals and fumbles marked), the
// people at the table with their luck, and the quick buttons. Everything a user typed or a
// server sent goes in as text, never as HTML.

const QUICK = [
  ['d20', '1d20'],
  ['Advantage', '2d20kh1'],
  ['Disadvantage', '2d20kl1'],
  ['4d6 drop lowest', '4d6kh3'],
];

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function total(value) {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

/** One roll of the log. */
export function rollItem(roll) {
  const item = element('li', 'roll');
  item.dataset.seq = String(roll.seq);
  const kept = roll.dice.filter((die) => die.kept);
  if (kept.some((die) => die.critical && die.faces !== null)) item.classList.add('has-crit');
  if (kept.some((die) => die.fumble && die.faces !== null)) item.classList.add('has-fumble');
  const who = element('div', 'who', roll.user.name);
  if (roll.source === 'discord') who.append(element('span', 'source', 'via /roll'));
  item.append(who);
  // The expression as typed, its label (comment) included.
  const what = element('div', 'what', roll.expression);
  item.append(what);
  const dice = element('div', 'dice');
  for (const die of roll.dice.slice(0, 100)) {
    const chip = element('span', 'die', String(die.value));
    if (!die.kept) chip.classList.add('dropped');
    else if (die.critical && die.faces !== null) chip.classList.add('crit');
    else if (die.fumble && die.faces !== null) chip.classList.add('fumble');
    if (die.faces !== null) chip.title = `d${die.faces}`;
    dice.append(chip);
  }
  if (roll.dice.length > 100) dice.append(element('span', 'die', `+${roll.dice.length - 100}`));
  item.append(dice);
  item.append(element('div', 'total', total(roll.total)));
  return item;
}

/** The log: one entry per roll number, in order, whatever order they arrive in. */
export class RollLog {
  constructor(list) {
    this.list = list;
    this.seen = new Map();
  }

  add(roll) {
    if (this.seen.has(roll.seq)) return;
    const item = rollItem(roll);
    this.seen.set(roll.seq, item);
    // Newest last in the DOM; the list shows it first (column-reverse).
    let before = null;
    for (const [seq, node] of this.seen) {
      if (seq > roll.seq && (before === null || seq < Number(before.dataset.seq))) before = node;
    }
    this.list.insertBefore(item, before);
  }
}

function luckText(luck) {
  if (luck.score === null || luck.score === undefined) return 'no dice yet';
  const percent = Math.round(luck.score * 100);
  return `luck ${percent}% · ${luck.criticals} crit · ${luck.fumbles} fumble`;
}

export function showParticipants(list, participants, you) {
  list.replaceChildren(
    ...participants.map((participant) => {
      const item = element('li');
      const name = participant.user.id === you?.id ? `${participant.user.name} (you)` : participant.user.name;
      item.append(element('span', 'name', name));
      item.append(element('span', 'luck', luckText(participant.luck)));
      return item;
    }),
  );
}

/** The quick buttons, then the user's saved rolls. */
export function showQuick(container, saved, onRoll) {
  const buttons = QUICK.map(([label, expression]) => [label, expression, false]).concat(
    saved.map((roll) => [roll.name, roll.expression, true]),
  );
  container.replaceChildren(
    ...buttons.map(([label, expression, isSaved]) => {
      const button = element('button', isSaved ? 'saved' : '', label);
      button.type = 'button';
      button.title = expression;
      button.addEventListener('click', () => onRoll(expression));
      return button;
    }),
  );
}
