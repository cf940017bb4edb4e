// The "Link a VTT" page: asks the extension whether it is installed, and hands it a
// bridge token after the user agreed. Messages stay on this page's own origin.
(function () {
  "use strict";
  var origin = window.location.origin;
  var missing = document.getElementById("extension-missing");
  var found = document.getElementById("extension-found");
  var bridge = document.getElementById("bridge-token");
  var status = document.getElementById("handoff-status");
  var core = document.getElementById("extension-status");
  var installed = false;

  function handOff() {
    if (!bridge || !installed) return;
    window.postMessage({
      type: "critfumble:bridge-token",
      token: bridge.dataset.token,
      expires_at: bridge.dataset.expiresAt,
      core_url: core ? core.dataset.coreUrl : origin
    }, origin);
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window || event.origin !== origin || !event.data) return;
    if (event.data.type === "critfumble:extension") {
      installed = true;
      if (missing) missing.hidden = true;
      if (found) found.hidden = false;
      handOff();
    } else if (event.data.type === "critfumble:bridge-token-stored" && status) {
      status.textContent = "The extension stored it: you can close this page.";
    }
  });

  window.postMessage({ type: "critfumble:hello" }, origin);
  if (bridge && status) {
    window.setTimeout(function () {
      if (!installed) status.textContent = "The extension did not answer: install it, then agree again.";
    }, 1500);
  }
})();
