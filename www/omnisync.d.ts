// Types of the browser shim (www/omnisync.js). The engine's own types (Decision,
// AgentState, Metrics...) come from the wasm package's omnisync.d.ts; `npm run
// test:types` (www/types/check.ts) checks this file against it.
import type {
  Action, AgentState, Decision, Finding, Metrics, OmniSyncError, OmniSyncEvent, PresenceRecord, Trace, TraceEntry,
} from "./pkg/omnisync.js";

export type {
  Action, AgentState, Decision, Finding, Metrics, OmniSyncError, OmniSyncEvent, PresenceRecord, Trace, TraceEntry,
};

/** The Omni-Channel side, as the runtime calls it (docs/runtime.md). */
export interface HostBridge {
  subscribe(callback: (event: OmniSyncEvent) => void): void;
  setServicePresenceStatus(statusId: string): Promise<unknown>;
  login(statusId: string): Promise<unknown>;
  getServicePresenceStatusId(): Promise<{ statusId: string; statusApiName?: string; statusName?: string } | null>;
  getAgentWorkload(): Promise<{ configuredCapacity: number | string; currentWorkload: number | string } | null>;
  /** Optional; read after a (re)load. Lightning resolves the array, Classic `{channels: "<JSON>"}`. */
  getServicePresenceStatusChannels?(): Promise<{ channelId: string; developerName: string }[] | { channels: string }>;
  /** Optional; read after a (re)load. Lightning resolves the array, Classic `{works: "<JSON>"}`. */
  getAgentWorks?(): Promise<{ workItemId: string; workId: string; isEngaged: boolean }[] | { works: string }>;
  /** Optional; called only for a `logoutOmni` rule action. */
  logout?(): Promise<unknown>;
}

/** The telephony side. */
export interface TelephonyBridge {
  subscribe(callback: (event: OmniSyncEvent) => void): void;
  setState(name: string): Promise<unknown>;
  getState(): Promise<string | null>;
}

export interface Stats {
  events: number; agentChanges: number; actions: number; echoes: number; deferred: number;
  retries: number; failed: number; coalesced: number; conflicts: number; chainLimited: number;
}

export interface Runtime {
  state(): AgentState;
  metrics(now?: number): Metrics;
  /** The last `limit` entries (default: all the ring holds, at most 256 KiB of JSON). */
  trace(limit?: number): TraceEntry[];
  stats(): Stats;
  isLeader(): boolean;
  reloadRules(rules: string | object): void;
  /** Reads both sides now (after the page becomes visible or resumes from a freeze). */
  reconcile(): void;
  push(event: OmniSyncEvent): void;
  /** Adds a trace line for something that is not an event (a telephony relay's presence). */
  note(kind: string, message: string): void;
  stop(): void;
}

export interface StartOptions {
  rules: string | object;
  /** The org's ServicePresenceStatus records as `sf data query --json` prints them in
   * `result.records` (or that whole output): each status named in the rules gets this
   * org's Id; a name the org lacks throws an Error with code "rules.unknownStatus". */
  catalog?: { Id: string; DeveloperName: string; MasterLabel?: string }[] | object;
  host: HostBridge;
  telephony: TelephonyBridge;
  /** Who the agent is, for scoped rules; any other shape throws an Error with code
   * "context.invalid" and the field's path in `details`. */
  context?: { userId?: string; profileId?: string; teams?: string[] } | null;
  storage?: Storage | null;
  channel?: string;
  /** Whose session this is: the lock, the channel and the saved session are theirs. */
  orgId?: string;
  userId?: string;
  /** A bridge call not settled after this long fails with the code "timeout": 1 to
   * 600000 ms (default 10000). Out of range or not a number: "options.invalid". */
  bridgeTimeoutMs?: number;
  /** The periodic read: 0 (none) or 250 to 2147483646 ms (default 30000). */
  reconcileMs?: number;
  /** The trace's entries: 10 to 10000 (default 200). */
  traceSize?: number;
  onUpdate?: (() => void) | null;
  /** Where the .wasm file is, when it is not next to the glue (static resources). */
  wasmUrl?: string | URL;
}

/** The runtime under the shim's supervisor (docs/runtime.md, "Failures inside wasm"). */
export interface SupervisedRuntime extends Runtime {
  /** How many times the runtime was restarted after a failure inside wasm. */
  restarts(): number;
  /** Resolves once no restart is under way. */
  ready(): Promise<void>;
}

/** Throws (rejects with) an OmniSyncError: its codes are listed in docs/runtime.md, "Errors". */
export function startOmniSync(options: StartOptions): Promise<SupervisedRuntime>;
/** Runs `engine.start(options)` and restarts it on a fresh module (`reload`) after a
 * failure inside wasm, restored from the saved session kept outside wasm. */
export function supervise(
  engine: { start(options: object): Runtime },
  options: StartOptions,
  reload: () => Promise<{ start(options: object): Runtime }>,
): SupervisedRuntime;
/** `{...params, type: name, at: now}`: the engine reads Lightning and Classic names as they are. */
export function normaliseOmniEvent(name: string, params: object): OmniSyncEvent;
export function lightningHost(omniApi: object): HostBridge & { dispatch(name: string, params: object): void };
export function classicHost(sforce: object): HostBridge;
export function messageChannelHost(
  port: MessagePort | { postMessage(message: unknown): void; subscribe(handler: (message: any) => void): void },
  options?: { timeoutMs?: number },
): HostBridge & { dropped(): { replies: number } };
/** A phone adapter of www/phones/ (docs/telephony.md, "The adapter contract"). */
export interface PhoneAdapter {
  name: string;
  start(): void;
  onReady(callback: () => void): void;
  onLost(callback: (why: string) => void): void;
  onChange(callback: (oldState: string | null, newState: string) => void): void;
  states(): string[] | null;
  systemStates(): string[];
  read(): Promise<string | null>;
  /** Rejects with an Error whose `code` is "unknownState", "restricted" or "refused"
   * (the channel adapter adds "noRelay" and "timeout"). */
  set(name: string): Promise<{ state: string }>;
}
export function connectTelephony(connect: object, options?: { pollMs?: number }): TelephonyBridge;
export function softphoneTelephony(softphone: object): TelephonyBridge;
/** The one phone choice (www/phones/choose.js): Amazon Connect, then NICE CXone, then the hook; null when none. */
export function choosePhone(
  scope: object,
  options?: { client?: string; warn?: (text: string) => void; pollMs?: number; ccpWaitMs?: number; enqueueNextState?: boolean; codes?: string[] },
): (PhoneAdapter & { label: string }) | null;
/** The shim's telephony bridge over any phone adapter, started at once. */
export function phoneTelephony(phone: PhoneAdapter): TelephonyBridge & { phone: PhoneAdapter };
/** The `{postMessage, subscribe}` transport over a MessagePort, for the message kinds given. */
export function portTransport(
  port: MessagePort, kinds?: string[],
): { postMessage(message: unknown): void; subscribe(handler: (message: any) => void): void };
export const TELEPHONY_PROTOCOL: 2;
/** What `feed` needs of an engine: the two entry points of `OmniSync` (docs/runtime.md, "Events as plain values"). */
export interface FedEngine {
  handle(event: OmniSyncEvent | string): Decision;
  handleFields(kind: number, at: number | undefined, ...fields: unknown[]): Action[] | undefined;
}
/** Hands an event to `engine.handleFields` by its kind (through `handle` for Classic names and text). */
export function feed(engine: FedEngine, event: OmniSyncEvent | string): Action[] | undefined;
/** The event kinds in the order of `OmniSync.eventNames()`, each with its fields after `at`. */
export const EVENT_FIELDS: [string, string[]][];
export function refusalMessage(error: unknown): string;
export function messageChannelTelephony(
  port: { postMessage(message: unknown): void; subscribe(handler: (message: any) => void): void },
  options?: {
    timeoutMs?: number; missedBeats?: number; queryMs?: number;
    onStatus?: (status: { connected: boolean; text: string }) => void;
    onNote?: (kind: string, message: string) => void;
    log?: { warn(text: string): void };
    lifecycle?: EventTarget | null;
  },
): TelephonyBridge & {
  phone: PhoneAdapter;
  status(): { connected: boolean; text: string }; attach(runtime: Runtime): void; close(): void;
  dropped(): { unsigned: number; badSignature: number; replayed: number; unknownReply: number };
};
