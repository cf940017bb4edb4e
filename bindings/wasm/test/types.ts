// Uses every export of @crit-fumble/dice; `tsc --strict` must accept it
// (test/node.test.js runs it). Not executed.
import {
  type Bounds,
  DiceError,
  type Die,
  type Expr,
  type ExprNode,
  type InlineRolls,
  type Modifier,
  type RollJson,
  type RollResult,
  type RolledNode,
  type Stats,
  type StatsVs,
  bounds,
  init,
  initAnalysis,
  initAnalysisSync,
  initSync,
  parse,
  roll,
  rollInline,
  stats,
  statsVs,
} from '@crit-fumble/dice';

export async function everything(bytes: Uint8Array): Promise<string[]> {
  await init();
  await init(new URL('https://example.invalid/dice.wasm'));
  initSync(bytes);
  await initAnalysis();
  initAnalysisSync(bytes);

  const expr: Expr = parse('2d20kh1 + 5', { dialect: 'roll20' });
  const root: ExprNode = expr.root;
  const notes: string[] = [expr.notation, expr.comment ?? '', root.type];
  if (root.type === 'binary') notes.push(root.op, root.lhs.type);
  if (root.type === 'dice') {
    const modifiers: Modifier[] = root.modifiers;
    for (const m of modifiers) {
      if (m.type === 'keep' && 'highest' in m.value) notes.push(String(m.value.highest));
    }
  }

  const result: RollResult = roll('4d6kh3', { seed: 1, vars: { 'str.mod': 3 } });
  const forced: RollResult = roll('2d20kh1', { dice: [12, 20], dialect: 'foundry' });
  const big: RollResult = roll('1d20', { seed: 2n ** 63n });
  const rolled: RolledNode = result.rolled;
  const plain: RollJson = result.toJSON();
  notes.push(plain.expr);
  notes.push(result.markdown, String(result.total + forced.total + big.total), String(rolled.value));
  if (rolled.type === 'dice') {
    const dice: Die[] = rolled.dice;
    notes.push(String(dice.filter((d) => d.kept && !d.rerolled).length), rolled.rolled_faces ?? '');
    notes.push(String(dice[0]?.parts?.length ?? 0));
  }

  const b: Bounds = bounds('1d6!', { dialect: 'd20' });
  notes.push(String(b.min ?? -Infinity), String(b.max ?? Infinity));

  const inline: InlineRolls = rollInline('I hit [[1d20+5]]', { seed: 3 });
  notes.push(inline.text, ...inline.rolls.map((r) => `${r.expression} ${r.start}-${r.end} ${r.plain}`));

  const s: Stats = stats('4d6kh3', { dialect: 'foundry' });
  notes.push(String(s.mean), String(s.percentiles['50']), String(s.distribution[0]?.[1] ?? 0));
  if (!s.exact) notes.push(String(s.samples ?? 0), String(s.standard_error ?? 0));
  const vs: StatsVs = statsVs('1d20+5', '2d20kh1', { vars: {} });
  notes.push(`${vs.a} vs ${vs.b}: ${vs.greater} ${vs.equal} ${vs.less}`);

  try {
    roll('1d20kh');
  } catch (error) {
    if (error instanceof DiceError) notes.push(`${error.name}: ${error.message} at ${error.start}..${error.end}`);
  }
  return notes;
}
