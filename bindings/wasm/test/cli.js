// Runs the `critfumble` CLI for the tests: the binary that scripts/test-wasm
// builds, or CRITFUMBLE_BIN.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const targetDir = process.env.CARGO_TARGET_DIR ?? `${root}/target`;
export const CLI = process.env.CRITFUMBLE_BIN ?? `${targetDir}/debug/critfumble`;

/** The CLI's arguments for the options of one case. */
function optionArgs({ dialect, vars }) {
  const args = [];
  if (dialect) args.push('--dialect', dialect);
  for (const [name, value] of Object.entries(vars ?? {})) args.push('--var', `${name}=${value}`);
  return args;
}

/** `critfumble <command> --json [options] -- expr`, parsed. */
export function critfumble(command, expr, options = {}, extra = []) {
  if (!existsSync(CLI)) {
    throw new Error(`the critfumble CLI is not built at ${CLI}; run scripts/test-wasm or set CRITFUMBLE_BIN`);
  }
  const out = spawnSync(CLI, [command, '--json', ...optionArgs(options), ...extra, '--', expr], {
    encoding: 'utf8',
  });
  if (out.error) throw out.error;
  const line = out.stdout.trim();
  if (!line) throw new Error(`critfumble ${command} printed nothing: ${out.stderr}`);
  return JSON.parse(line);
}
