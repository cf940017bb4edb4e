// Foundry VTT runs on any origin (it is self-hosted), so its scripts run only where the
// user enabled it from the popup, which asks for that origin's optional host permission.
// The scripts are registered for exactly the granted origins (those beyond the manifest's
// fixed hosts), and follow the grants as they are added or removed.

const IDS = ['foundry-page', 'foundry'];

/** The origins granted for Foundry, as match patterns (`https://host:port/*`). */
export async function foundryOrigins() {
  const manifest = chrome.runtime.getManifest();
  const fixed = new Set([
    ...(manifest.host_permissions ?? []),
    ...(manifest.content_scripts ?? []).flatMap((script) => script.matches),
  ]);
  const { origins = [] } = await chrome.permissions.getAll();
  return origins.filter((origin) => !fixed.has(origin));
}

function scripts(matches) {
  return [
    { id: 'foundry-page', matches, js: ['page/foundry.js'], world: 'MAIN', runAt: 'document_idle', persistAcrossSessions: true },
    { id: 'foundry', matches, js: ['content/foundry.js'], runAt: 'document_idle', persistAcrossSessions: true },
  ];
}

/** Registers the Foundry scripts for the granted origins (none: unregisters them). */
export async function registerFoundry() {
  const matches = await foundryOrigins();
  const registered = await chrome.scripting.getRegisteredContentScripts({ ids: IDS });
  if (registered.length > 0) await chrome.scripting.unregisterContentScripts({ ids: IDS });
  if (matches.length > 0) await chrome.scripting.registerContentScripts(scripts(matches));
  return matches;
}

/** Runs the Foundry scripts in a tab open now, so the user need not reload it. */
export async function injectFoundry(tabId) {
  await chrome.scripting.executeScript({ target: { tabId }, files: ['page/foundry.js'], world: 'MAIN' });
  await chrome.scripting.executeScript({ target: { tabId }, files: ['content/foundry.js'] });
}
