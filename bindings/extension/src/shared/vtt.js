// The three VTTs: their wire names (critfumble-sdk's `Vtt` and `VttFormat`) and labels.

export const VTTS = Object.freeze({
  roll20: { label: 'Roll20', format: 'roll20-html' },
  foundry: { label: 'Foundry VTT', format: 'foundry' },
  dndbeyond: { label: 'D&D Beyond', format: 'ddb' },
});

/** Whether `vtt` is one of the wire names. */
export function isVtt(vtt) {
  return Object.hasOwn(VTTS, vtt);
}
