// The link passes telephony messages between the channel and its bridge, unread.
import { createElement } from "lwc";
import OmniSyncTelephonyLink from "c/omniSyncTelephonyLink";
import { APPLICATION_SCOPE, publish, subscribe, unsubscribe } from "lightning/messageService";

const SUBSCRIPTION = { id: "telephony-subscription" };

function mount() {
  const element = createElement("c-omni-sync-telephony-link", { is: OmniSyncTelephonyLink });
  document.body.appendChild(element);
  return element;
}

describe("c-omni-sync-telephony-link", () => {
  beforeEach(() => subscribe.mockReturnValue(SUBSCRIPTION));
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it("subscribes to the telephony channel in application scope, and unsubscribes", () => {
    const element = mount();
    expect(subscribe).toHaveBeenCalledWith(undefined, "OmniSyncTelephony__c", expect.any(Function), { scope: APPLICATION_SCOPE });
    document.body.removeChild(element);
    expect(unsubscribe).toHaveBeenCalledWith(SUBSCRIPTION);
  });

  it("hands every telephony message to the bridge as it is, and nothing else", () => {
    const element = mount();
    const seen = [];
    element.addEventListener("telephony", (event) => seen.push(event.detail.message));
    const listener = subscribe.mock.calls[0][2];
    const future = { kind: "telephony", version: 2, type: "bye", relay: "r1", extra: [1] };
    listener(future);
    listener({ kind: "command", method: "logout" });
    listener(null);
    expect(seen).toEqual([future]);
  });

  it("publishes the host's telephony messages on the channel, and nothing else", () => {
    const element = mount();
    const command = { kind: "telephony", version: 1, type: "command", id: "t1", method: "setState", name: "Lunch" };
    element.publish(command);
    element.publish({ kind: "state" });
    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith(undefined, "OmniSyncTelephony__c", command);
  });
});
