// jsdom, Jest's page, has no structuredClone, which every browser the console supports
// and node have; the engine copies page values with it. Node's v8 serializer is the same
// structured clone algorithm.
const v8 = require("node:v8");

if (typeof globalThis.structuredClone !== "function") {
  globalThis.structuredClone = (value) => v8.deserialize(v8.serialize(value));
}
