// Starts the Amazon Connect CCP of lwc-wrapper/.../pages/OmniSyncSoftphone.page: the
// one CCP of that page (Streams supports one per page), at the instance the page's
// #omnisync-ccp-config names (from the OmniSync_Softphone__mdt record Default). A
// classic script after Streams and before relay.js, which only listens to the agent
// (and waits for it, whenever this script or the page's own starts the CCP).
(function () {
  "use strict";

  function setStatus(state, text) {
    var line = document.getElementById("omnisync-softphone-status");
    if (!line) return;
    line.setAttribute("data-state", state);
    line.textContent = "omnisync: " + text;
  }

  function start() {
    var config = document.getElementById("omnisync-ccp-config");
    var instance = config && (config.getAttribute("data-instance-url") || "").replace(/\/+$/, "");
    if (!instance) {
      setStatus("failed", "no Amazon Connect instance: fill Instance URL in the OmniSync Softphone custom metadata record Default");
      return;
    }
    if (!window.connect || !window.connect.core || typeof window.connect.core.initCCP !== "function") {
      setStatus("failed", "Amazon Connect Streams did not load (the amazonConnectStreams static resource)");
      return;
    }
    window.connect.core.initCCP(document.getElementById("omnisync-ccp"), {
      ccpUrl: instance + "/ccp-v2/",
      region: config.getAttribute("data-region") || undefined,
      loginPopup: true,
      loginPopupAutoClose: true,
      softphone: { allowFramedSoftphone: true },
    });
    // From here the relay (relay.js) keeps the status line: it waits for the CCP's agent.
    setStatus("running", "softphone started: log in to the CCP");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
