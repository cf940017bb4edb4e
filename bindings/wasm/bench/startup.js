// Start-up of the package in Node, each sample in a fresh process:
// - import: `import('@crit-fumble/dice')` until it can roll (the module graph,
//   reading the .wasm, compiling and instantiating it);
// - instantiate: compiling and instantiating the main .wasm alone (initSync of
//   the web build on bytes already read), and the same for the second .wasm
//   (bounds, stats and statsVs);
// - first roll: the first `roll('1d20', { seed: 1 })` after that.
// Usage: node bench/startup.js [RUNS]
import { execFileSync } from 'node:child_process';

const runs = Number(process.argv[2] ?? 15);
const probes = {
  import: `
const t0 = performance.now();
const dice = await import('@crit-fumble/dice');
const t1 = performance.now();
dice.roll('1d20', { seed: 1 });
const t2 = performance.now();
console.log(JSON.stringify({ import: t1 - t0, first: t2 - t1 }));
`,
  instantiate: `
import { readFileSync } from 'node:fs';
const web = await import('./pkg/web/critfumble_dice_wasm.js');
const bytes = readFileSync('pkg/web/critfumble_dice_wasm_bg.wasm');
const t0 = performance.now();
web.initSync({ module: bytes });
const t1 = performance.now();
console.log(JSON.stringify({ instantiate: t1 - t0 }));
`,
  instantiateAnalysis: `
import { readFileSync } from 'node:fs';
const web = await import('./pkg/web/critfumble_dice_analysis.js');
const bytes = readFileSync('pkg/web/critfumble_dice_analysis_bg.wasm');
const t0 = performance.now();
web.initSync({ module: bytes });
const t1 = performance.now();
console.log(JSON.stringify({ instantiateAnalysis: t1 - t0 }));
`,
};
const samples = [];
for (let i = 0; i < runs; i++) {
  const sample = {};
  for (const probe of Object.values(probes)) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
    Object.assign(sample, JSON.parse(out));
  }
  samples.push(sample);
}
const median = (key) => samples.map((s) => s[key]).sort((a, b) => a - b)[samples.length >> 1].toFixed(2);
console.log(
  `median of ${runs} fresh processes: import ${median('import')} ms, ` +
    `instantiate alone ${median('instantiate')} ms (the second .wasm: ${median('instantiateAnalysis')} ms), ` +
    `first roll ${median('first')} ms`,
);
