// The manifest, for Chromium and for Firefox (both Manifest V3). The differences:
// Firefox runs the background as an event page (`background.scripts`, it has no service
// worker extensions or offscreen documents) and needs `browser_specific_settings`; it
// has no externally_connectable for web pages, so Core's page uses the content script.

/** The VTT pages with fixed hosts; Foundry's origins are optional, granted per origin. */
export const ROLL20_MATCHES = ['https://app.roll20.net/editor*'];
export const DDB_MATCHES = ['https://www.dndbeyond.com/*'];

/**
 * `testFoundryOrigins` is for the end-to-end test only (build.mjs's
 * CRITFUMBLE_TEST_FOUNDRY_ORIGINS): origins held from install, so that enabling Foundry
 * there from the popup needs no permission prompt, which headless Chromium cannot answer.
 */
export function manifest({ browser, version, coreOrigins, testFoundryOrigins = [] }) {
  const firefox = browser === 'firefox';
  const linkPages = coreOrigins.map((origin) => `${origin}/link-vtt*`);
  const result = {
    manifest_version: 3,
    name: 'Crit-Fumble',
    short_name: 'Crit-Fumble',
    version,
    description: 'Relays your Roll20, Foundry VTT and D&D Beyond rolls and chat to your Crit-Fumble campaign on Discord, and Discord chat back.',
    icons: { 16: 'icons/16.png', 32: 'icons/32.png', 48: 'icons/48.png', 128: 'icons/128.png' },
    action: { default_popup: 'popup.html', default_title: 'Crit-Fumble', default_icon: { 16: 'icons/16.png', 32: 'icons/32.png' } },
    options_ui: { page: 'options.html', open_in_tab: true },
    background: firefox ? { scripts: ['background.js'], type: 'module' } : { service_worker: 'background.js', type: 'module' },
    permissions: ['storage', 'alarms', 'scripting', 'activeTab', ...(firefox ? [] : ['offscreen'])],
    host_permissions: ['https://app.roll20.net/*', 'https://www.dndbeyond.com/*', ...testFoundryOrigins.map((origin) => `${origin}/*`)],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    content_scripts: [
      { matches: ROLL20_MATCHES, js: ['page/roll20.js'], world: 'MAIN', run_at: 'document_idle' },
      { matches: ROLL20_MATCHES, js: ['content/roll20.js'], run_at: 'document_idle' },
      { matches: DDB_MATCHES, js: ['page/ddb.js'], world: 'MAIN', run_at: 'document_start' },
      { matches: DDB_MATCHES, js: ['content/ddb.js'], run_at: 'document_start' },
      { matches: linkPages, js: ['content/core-link.js'], run_at: 'document_start' },
    ],
    content_security_policy: {
      // The popup's dice roller instantiates WebAssembly.
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
  };
  if (firefox) {
    result.browser_specific_settings = { gecko: { id: 'extension@crit-fumble', strict_min_version: '128.0' } };
  } else {
    result.minimum_chrome_version = '116';
    result.externally_connectable = { matches: coreOrigins.map((origin) => `${origin}/*`) };
  }
  return result;
}
