// The demo's NICE CXone agent, for the CXone softphone (softphone.html?phone=cxone) and
// the tests: what a CXone page does around the real agent SDK (its stored sign-in, the
// leader tab, joining the agent's session), and the simulated phone's states in CXone's
// terms, so the cloud stand-in (www/test/cxone-cloud.mjs, run by scripts/serve.mjs) can
// be backed by the demo's one phone (phone.js). No dependency, no DOM.

/**
 * What the SDK stores after an agent signs in to CXone: the OAuth sign-in itself needs
 * CXone's identity provider, so a page starts from this stored session, as the SDK does
 * on every reload.
 * @param {Storage} storage the page's localStorage.
 * @param {string} base the URL of CXone's ACD API (the stand-in's).
 */
export function signIn(storage, base) {
  storage.setItem("auth_token", JSON.stringify({
    accessToken: "stand-in-token", tokenType: "Bearer", expiresIn: 3600, accessTokenTime: Date.now(),
    refreshToken: "stand-in-refresh",
  }));
  storage.setItem("cxone_config", JSON.stringify({ acdApiBaseUri: base, apiFacadeBaseUri: base, userHubBaseUrl: base }));
  // The identity provider's discovery document, as the SDK keeps it after a sign-in.
  storage.setItem("oidc_config", JSON.stringify({
    authorizationEndpoint: `${base}/auth/authorize`, tokenEndpoint: `${base}/auth/token`,
    endSessionEndpoint: `${base}/auth/end-session`, jwksURI: `${base}/auth/jwks`,
    displayValuesSupported: ["page", "popup"], codeChallengeMethods: ["S256"],
  }));
  storage.setItem("user_info", JSON.stringify({ icAgentId: "1001", teamId: "7", userId: "u-1001", icBUId: "42" }));
}

/**
 * What the customer's CXone page does after sign-in: elect this tab the leader, start
 * the ACD engagement and join the agent's session.
 * @param {{CXoneAcdClient: object, CXoneLeaderElector: object}} sdk the SDK's classes.
 * @param {(ms: number) => Promise<void>} [sleep]
 * @returns {Promise<object>} the SDK's `CXoneAcdClient.instance`.
 */
export async function startAgentPage(sdk, sleep = (ms) => new Promise((r) => setTimeout(r, ms))) {
  sdk.CXoneLeaderElector.instance.start();
  for (let i = 0; !sdk.CXoneLeaderElector.instance.isLeader; i++) {
    if (i > 400) throw new Error("the page was never elected the leader tab");
    await sleep(25);
  }
  const client = sdk.CXoneAcdClient.instance;
  client.initAcdEngagement();
  await client.session.joinSession();
  return client;
}

/**
 * The simulated phone's state (phone.js) as CXone's agent state: Available as it is,
 * the phone's contact (Busy) as an inbound contact, after-call work as Unavailable in
 * ACW, any other name as Unavailable with that name as the unavailable code.
 * @param {string} name
 * @returns {{state: string, reason?: string, acw?: boolean}}
 */
export function cxoneAgentState(name) {
  if (name === "Available") return { state: "Available" };
  if (name === "Busy") return { state: "InboundContact" };
  if (name === "AfterCallWork") return { state: "Unavailable", reason: "", acw: true };
  return { state: "Unavailable", reason: name };
}

/**
 * The phone's state a CXone set-state request asks for: the code, or Available /
 * Unavailable.
 * @param {{state?: string, reason?: string}} body
 * @returns {string}
 */
export function phoneStateOf(body) {
  return String(body?.state ?? "").toLowerCase() === "unavailable" && body.reason ? String(body.reason) : String(body?.state ?? "");
}
