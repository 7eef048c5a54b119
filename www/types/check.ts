// The shim's declarations (www/omnisync.d.ts) against the generated ones
// (pkg/web/omnisync.d.ts): every type the shim re-exports or restates must be assignable
// both ways, so a field renamed, retyped or dropped on either side fails `tsc`.
import type * as Shim from "../omnisync.js";
import type * as Wasm from "../../pkg/web/omnisync.js";

/** Compiles only when A is assignable to B and B to A. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(ok: Same<A, B>): Same<A, B> => ok;

// The engine's types the shim re-exports (today by name from the glue; a hand-written
// copy there would have to match).
same<Shim.AgentState, Wasm.AgentState>(true);
same<Shim.Metrics, Wasm.Metrics>(true);
same<Shim.Decision, Wasm.Decision>(true);
same<Shim.OmniSyncEvent, Wasm.OmniSyncEvent>(true);
same<Shim.TraceEntry, Wasm.TraceEntry>(true);
same<Shim.Action, Wasm.Action>(true);
same<Shim.Trace, Wasm.Trace>(true);
same<Shim.PresenceRecord, Wasm.PresenceRecord>(true);
same<Shim.Finding, Wasm.Finding>(true);
same<Shim.OmniSyncError, Wasm.OmniSyncError>(true);

// The runtime the shim's startOmniSync resolves is the exported Runtime class, less the
// memory management wasm-bindgen adds (the shim's stop() frees it).
type WasmRuntime = Omit<Wasm.Runtime, "free" | typeof Symbol.dispose>;
same<Shim.Runtime, WasmRuntime>(true);


// `feed` takes the exported class: its two entry points are what FedEngine declares.
const fedEngine = (engine: Wasm.OmniSync): Shim.FedEngine => engine;
void fedEngine;
