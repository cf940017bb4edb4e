// Start-up of the package in Node: import (read + compile + instantiate the
// .wasm) to the first roll, in a fresh process each time.
// Usage: node bench/startup.js [RUNS]
import { execFileSync } from 'node:child_process';

const runs = Number(process.argv[2] ?? 15);
const probe = `
const t0 = performance.now();
const dice = await import('@crit-fumble/dice');
const t1 = performance.now();
dice.roll('1d20', { seed: 1 });
const t2 = performance.now();
console.log(JSON.stringify({ import: t1 - t0, first: t2 - t1 }));
`;
const samples = [];
for (let i = 0; i < runs; i++) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
  });
  samples.push(JSON.parse(out));
}
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const ms = (x) => x.toFixed(2);
console.log(
  `import to ready: median ${ms(median(samples.map((s) => s.import)))} ms; ` +
    `first roll: median ${ms(median(samples.map((s) => s.first)))} ms (${runs} fresh processes)`,
);
