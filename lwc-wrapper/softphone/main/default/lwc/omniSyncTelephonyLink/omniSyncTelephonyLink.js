// The OmniSyncBridge's link to the telephony message channel, in the optional softphone
// folder with the channel itself: the bridge (core) creates this component by name, so
// the core deploys without it. Every {kind: "telephony"} message heard on the channel
// goes to the bridge as a `telephony` event; `publish` sends the host's telephony
// messages out. Messages are passed on as they are, never read (docs/message-channel.md,
// "Telephony"). The channel also echoes what this component publishes; the host ignores
// its own message types.
import { LightningElement, api, wire } from "lwc";
import {
  APPLICATION_SCOPE,
  MessageContext,
  publish,
  subscribe,
  unsubscribe,
} from "lightning/messageService";
import TELEPHONY_CHANNEL from "@salesforce/messageChannel/OmniSyncTelephony__c";

export default class OmniSyncTelephonyLink extends LightningElement {
  @wire(MessageContext) messageContext;
  subscription = null;

  connectedCallback() {
    if (!this.subscription) {
      // Application scope: the softphone is not in the utility's active area.
      this.subscription = subscribe(this.messageContext, TELEPHONY_CHANNEL, (message) => this.heard(message), {
        scope: APPLICATION_SCOPE,
      });
    }
  }

  disconnectedCallback() {
    unsubscribe(this.subscription);
    this.subscription = null;
  }

  /**
   * Sends one telephony message of the host on the channel.
   * @param {object} message a {kind: "telephony", ...} message, sent as it is.
   */
  @api
  publish(message) {
    if (message?.kind === "telephony") {
      publish(this.messageContext, TELEPHONY_CHANNEL, message);
    }
  }

  heard(message) {
    if (message?.kind === "telephony") {
      this.dispatchEvent(new CustomEvent("telephony", { detail: { message } }));
    }
  }
}
