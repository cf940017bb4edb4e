// Foundry VTT runs on any origin (it is self-hosted), so its scripts run only where the
// user enabled it: the popup's "Enable Foundry VTT here" asks for that origin's optional
// host permission, and the worker records the user's choice. An origin is enabled while
// both hold: the user chose it, and the browser grants it. A grant alone is not a choice
// (a test build holds its fixtures' origins from install), and a choice whose grant the
// user took back in the browser's settings is forgotten. The scripts are registered for
// exactly the enabled origins, and follow the grants as they are added or removed.

import { getLocal, setLocal } from '../shared/store.js';
import { serialized } from './serialized.js';

const IDS = ['foundry-page', 'foundry'];
/** chrome.storage.local: the match patterns (`https://host:port/*`) the user enabled. */
const CHOSEN = 'foundry_origins';

/** The match pattern of the origin of `url` (`https://host:port/*`), or null if not http(s). */
export function originPattern(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return /^https?:$/.test(parsed.protocol) ? `${parsed.origin}/*` : null;
}

/** The origins the manifest's own content scripts run on (the fixed VTT hosts, Core's page): never Foundry's. */
function fixedOrigins() {
  const matches = (chrome.runtime.getManifest().content_scripts ?? []).flatMap((script) => script.matches);
  return new Set(matches.map((match) => originPattern(match.replace(/\*$/, ''))));
}

async function granted(pattern) {
  return chrome.permissions.contains({ origins: [pattern] });
}

async function stillGranted(patterns) {
  const held = await Promise.all(patterns.map(granted));
  return patterns.filter((_, index) => held[index]);
}

/** The origins Foundry is enabled for, as match patterns: chosen by the user and granted. */
export async function foundryOrigins() {
  return stillGranted(await getLocal(CHOSEN, []));
}

function scripts(matches) {
  return [
    { id: 'foundry-page', matches, js: ['page/foundry.js'], world: 'MAIN', runAt: 'document_idle', persistAcrossSessions: true },
    { id: 'foundry', matches, js: ['content/foundry.js'], runAt: 'document_idle', persistAcrossSessions: true },
  ];
}

/** Registers the Foundry scripts for the enabled origins (none: unregisters them). */
export async function registerFoundry() {
  const matches = await foundryOrigins();
  const registered = await chrome.scripting.getRegisteredContentScripts({ ids: IDS });
  if (registered.length > 0) await chrome.scripting.unregisterContentScripts({ ids: IDS });
  if (matches.length > 0) await chrome.scripting.registerContentScripts(scripts(matches));
  return matches;
}

/** Changes the stored choice, one change at a time, then registers the scripts again. */
const changeChosen = serialized(async (change) => {
  const chosen = await change(await getLocal(CHOSEN, []));
  await setLocal(CHOSEN, chosen);
  return registerFoundry();
});

/**
 * The user enabled Foundry for the origin of `url` in the popup, after the browser granted
 * it. Resolves to the enabled origins; throws if the origin cannot be Foundry's or the
 * browser does not grant it.
 */
export async function enableFoundry(url) {
  const pattern = originPattern(url);
  if (!pattern) throw new Error('Foundry VTT runs on an http or https page');
  if (fixedOrigins().has(pattern)) throw new Error('this page is not a Foundry VTT server');
  if (!(await granted(pattern))) throw new Error(`the browser has not granted ${pattern}`);
  return changeChosen((chosen) => (chosen.includes(pattern) ? chosen : [...chosen, pattern]));
}

/** A grant was taken back: forget the choices it ended, and unregister their scripts. */
export function forgetUngranted() {
  return changeChosen(stillGranted);
}

/** Runs the Foundry scripts in a tab open now, so the user need not reload it. */
export async function injectFoundry(tabId) {
  await chrome.scripting.executeScript({ target: { tabId }, files: ['page/foundry.js'], world: 'MAIN' });
  await chrome.scripting.executeScript({ target: { tabId }, files: ['content/foundry.js'] });
}
