// Loads an extension module in Node for a unit test: bundled by esbuild with the build's
// defines, against `globalThis.chrome` and `globalThis.fetch` stand-ins the test sets.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function load(path) {
  const result = await build({
    entryPoints: [join(ROOT, path)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    define: { __CORE_ORIGINS__: '["http://core.test"]', __BRIDGE_URL__: '"http://bridge.test"', __FIREFOX__: 'false' },
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** chrome.storage.local and .session over Maps, and the alarms the queue sets. */
export function fakeChrome() {
  const area = () => {
    const items = new Map();
    return {
      items,
      async get(key) {
        return items.has(key) ? { [key]: structuredClone(items.get(key)) } : {};
      },
      async set(values) {
        for (const [key, value] of Object.entries(values)) items.set(key, structuredClone(value));
      },
    };
  };
  return { storage: { local: area(), session: area() }, alarms: { created: [], create(name, info) { this.created.push({ name, ...info }); } } };
}
