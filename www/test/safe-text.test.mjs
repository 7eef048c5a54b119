// Case 10 of the second hostile round: names with bidi overrides or NUL are shown, not
// obeyed (www/safe-text.js), in the demo (www/demo/dom.js builds every text through it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { isolated, visible } from "../safe-text.js";

test("bidi overrides, isolates, marks, NUL and other controls become visible code points", () => {
  assert.equal(visible("Lunch\u202Ekaerb"), "Lunch[U+202E]kaerb");
  assert.equal(visible("A\u0000B"), "A[U+0000]B");
  assert.equal(visible("\u2066x\u2069\u200F\u061C\u001B[31m"), "[U+2066]x[U+2069][U+200F][U+061C][U+001B][31m");
  assert.equal(visible("\u0085\u007F"), "[U+0085][U+007F]");
  // Ordinary text, right-to-left scripts included, is left as it is.
  for (const fine of ["Available", "Pause déjeuner", "ランチ", "استراحة", "הפסקה", "line\nbreak\ttab", "😀"]) {
    assert.equal(visible(fine), fine);
  }
  assert.equal(visible(null), "");
  assert.equal(visible(42), "42");
});

test("isolated() wraps the visible text in a first-strong isolate", () => {
  assert.equal(isolated("استراحة"), "\u2068استراحة\u2069");
  assert.equal(isolated("x\u202Ey"), "\u2068x[U+202E]y\u2069");
  // What is inside cannot close the isolate early.
  assert.ok(!isolated("a\u2069b").slice(1, -1).includes("\u2069"));
});

test("the demo's DOM builder shows names through visible()", async () => {
  // The smallest DOM dom.js needs.
  class Node {}
  class Element extends Node {
    constructor(tag) {
      super();
      this.tag = tag;
      this.children = [];
      this.dataset = {};
    }
    append(...children) {
      this.children.push(...children);
    }
    replaceChildren(...children) {
      this.children = children;
    }
    setAttribute(key, value) {
      this[key] = value;
    }
    addEventListener() {}
  }
  globalThis.Node = Node;
  globalThis.document = { createElement: (tag) => new Element(tag) };
  const { el, fill, name } = await import("../demo/dom.js");
  const cell = el("td", { text: "Lunch\u202Ekaerb", title: "x\u0000" }, "A\u0000B", 3);
  assert.equal(cell.textContent, "Lunch[U+202E]kaerb");
  assert.equal(cell.title, "x[U+0000]");
  assert.deepEqual(cell.children, ["A[U+0000]B", "3"]);
  const shown = name("Lunch\u202Ekaerb");
  assert.equal(shown.tag, "bdi");
  assert.deepEqual(shown.children, ["Lunch[U+202E]kaerb"]);
  fill(cell, "\u2066late");
  assert.deepEqual(cell.children, ["[U+2066]late"]);
});
