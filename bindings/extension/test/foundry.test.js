// Where Foundry is enabled (src/background/foundry.js): an origin the user chose in the
// popup and the browser grants, and nothing else. A grant alone (the test build holds
// its fixtures' origins from install) enables nothing; a grant taken back ends the choice
// and unregisters the scripts; the fixed VTT hosts and non-web pages are refused.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { fakeChrome, load } from './load.js';

const foundry = await load('src/background/foundry.js');
const HOSTED = 'https://foundry.example.org:30000';
const HELD_FROM_INSTALL = 'https://foundry.critfumble.test';
let granted;
let registered;

beforeEach(() => {
  granted = new Set(['https://app.roll20.net/*', 'https://www.dndbeyond.com/*', `${HELD_FROM_INSTALL}/*`]);
  registered = [];
  globalThis.chrome = {
    ...fakeChrome(),
    runtime: {
      getManifest: () => ({
        content_scripts: [
          { matches: ['https://app.roll20.net/editor*'] },
          { matches: ['https://www.dndbeyond.com/*'] },
          { matches: ['http://127.0.0.1:8080/link-vtt*'] },
        ],
      }),
    },
    permissions: { contains: async ({ origins }) => origins.every((origin) => granted.has(origin)) },
    scripting: {
      getRegisteredContentScripts: async ({ ids }) => registered.filter((script) => ids.includes(script.id)),
      unregisterContentScripts: async ({ ids }) => {
        registered = registered.filter((script) => !ids.includes(script.id));
      },
      registerContentScripts: async (scripts) => {
        registered.push(...scripts);
      },
    },
  };
});

const matches = () => [...new Set(registered.flatMap((script) => script.matches))];

test('an origin granted from install is not enabled until the user enables it', async () => {
  assert.deepEqual(await foundry.foundryOrigins(), []);
  assert.deepEqual(await foundry.registerFoundry(), []);
  assert.deepEqual(registered, []);
  assert.deepEqual(await foundry.enableFoundry(`${HELD_FROM_INSTALL}/game?v=12`), [`${HELD_FROM_INSTALL}/*`]);
  assert.deepEqual(registered.map((script) => script.id), ['foundry-page', 'foundry']);
  assert.deepEqual(matches(), [`${HELD_FROM_INSTALL}/*`]);
});

test('an origin the user enabled after the browser granted it, with its port; enabling twice is once', async () => {
  granted.add(`${HOSTED}/*`);
  await foundry.enableFoundry(`${HOSTED}/game`);
  await foundry.enableFoundry(`${HOSTED}/join`);
  assert.deepEqual(await foundry.foundryOrigins(), [`${HOSTED}/*`]);
  assert.deepEqual(matches(), [`${HOSTED}/*`]);
});

test('enabling is refused without the grant, on the fixed hosts, and off the web', async () => {
  await assert.rejects(foundry.enableFoundry(`${HOSTED}/game`), /has not granted https:\/\/foundry\.example\.org:30000\/\*/);
  await assert.rejects(foundry.enableFoundry('https://app.roll20.net/editor/'), /not a Foundry VTT server/);
  await assert.rejects(foundry.enableFoundry('http://127.0.0.1:8080/tokens'), /not a Foundry VTT server/);
  await assert.rejects(foundry.enableFoundry('chrome://extensions/'), /http or https/);
  await assert.rejects(foundry.enableFoundry('not a url'), /http or https/);
  assert.deepEqual(await foundry.foundryOrigins(), []);
  assert.deepEqual(registered, []);
});

test('a grant taken back ends the choice: the scripts go, and a new grant alone does not bring them back', async () => {
  granted.add(`${HOSTED}/*`);
  await foundry.enableFoundry(`${HOSTED}/game`);
  await foundry.enableFoundry(`${HELD_FROM_INSTALL}/game`);
  granted.delete(`${HOSTED}/*`);
  // Before the worker hears of it, the origin is already no longer enabled.
  assert.deepEqual(await foundry.foundryOrigins(), [`${HELD_FROM_INSTALL}/*`]);
  await foundry.forgetUngranted();
  assert.deepEqual(matches(), [`${HELD_FROM_INSTALL}/*`]);
  assert.deepEqual((await chrome.storage.local.get('foundry_origins')).foundry_origins, [`${HELD_FROM_INSTALL}/*`]);
  granted.add(`${HOSTED}/*`);
  assert.deepEqual(await foundry.foundryOrigins(), [`${HELD_FROM_INSTALL}/*`]);
});
