// The "Link a VTT" page: asks the extension whether it is installed, and hands it a
// bridge token after the user agreed. In Chromium the token goes straight to the
// extension through externally_connectable (chrome.runtime.sendMessage with the id the
// extension's answer gives), so it never crosses window messages that other scripts on
// the page could read; Firefox has no externally_connectable for web pages, so there it
// goes to the extension's content script with a message on this page's own origin.
(function () {
  "use strict";
  var origin = window.location.origin;
  var missing = document.getElementById("extension-missing");
  var found = document.getElementById("extension-found");
  var bridge = document.getElementById("bridge-token");
  var status = document.getElementById("handoff-status");
  var core = document.getElementById("extension-status");
  var installed = false;
  var handedOff = false;

  function stored() {
    if (status) status.textContent = "The extension stored it: you can close this page.";
  }

  function handOff(extensionId) {
    if (!bridge || handedOff) return;
    handedOff = true;
    var message = {
      type: "critfumble:bridge-token",
      token: bridge.dataset.token,
      expires_at: bridge.dataset.expiresAt,
      core_url: core ? core.dataset.coreUrl : origin
    };
    var runtime = window.chrome && window.chrome.runtime;
    if (extensionId && runtime && typeof runtime.sendMessage === "function") {
      runtime.sendMessage(extensionId, message, function (answer) {
        if (runtime.lastError || !answer) {
          if (status) status.textContent = "The extension did not take the token: paste it in the extension's settings instead.";
        } else if (answer.type === "critfumble:bridge-token-stored") {
          stored();
        } else if (status) {
          status.textContent = "The extension refused the token: " + (answer.error || "unknown reason");
        }
      });
    } else {
      window.postMessage(message, origin);
    }
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window || event.origin !== origin || !event.data) return;
    if (event.data.type === "critfumble:extension") {
      installed = true;
      if (missing) missing.hidden = true;
      if (found) found.hidden = false;
      handOff(typeof event.data.extension_id === "string" ? event.data.extension_id : null);
    } else if (event.data.type === "critfumble:bridge-token-stored") {
      stored();
    }
  });

  window.postMessage({ type: "critfumble:hello" }, origin);
  if (bridge && status) {
    window.setTimeout(function () {
      if (!installed) status.textContent = "The extension did not answer: install it, then agree again.";
    }, 1500);
  }
})();
