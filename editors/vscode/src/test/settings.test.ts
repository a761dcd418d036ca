/** The VS Code settings → server settings tree mapping (node --test out/test/). */

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { contributedKeys, sectionOf, serverSettings } from "../settings";

const packageJson = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
const keys = contributedKeys(packageJson);

function settings(values: Record<string, unknown>) {
  return serverSettings(keys, (key) => values[key]);
}

test("every contributed key is a .fixloop.toml key (or the extension's own)", () => {
  assert.ok(keys.includes("budget.parallel"));
  assert.ok(keys.includes("models.frontier.api_key_env"));
  assert.ok(keys.includes("server.path"));
  for (const key of keys) {
    assert.match(key, /^(server\.path|trace\.server|models\.(fast|frontier)\.\w+|budget\.\w+|verifiers\.\w+|editor\.\w+|files\.\w+)$/);
  }
});

test("nothing set sends an empty tree", () => {
  assert.deepEqual(settings({}), { tree: {}, ignored: [] });
});

test("set keys become the nested tree; extension-only keys stay out", () => {
  const { tree, ignored } = settings({
    "server.path": "/usr/bin/fixloop",
    "trace.server": "verbose",
    "budget.parallel": 2,
    "budget.auto_escalate": false,
    "verifiers.python": ["ruff"],
    "verifiers.c": ["gcc"],
    "editor.debounce": 0.05,
    "models.fast.base_url": "http://127.0.0.1:8080/v1",
    "models.fast.model": "small",
    "models.fast.usd_per_mtok_in": 0.25,
  });
  assert.deepEqual(tree, {
    budget: { parallel: 2, auto_escalate: false },
    verifiers: { python: ["ruff"], c: ["gcc"] },
    editor: { debounce: 0.05 },
    models: { fast: { base_url: "http://127.0.0.1:8080/v1", model: "small", usd_per_mtok_in: 0.25 } },
  });
  assert.deepEqual(ignored, []);
});

test("a model tier without base_url and model is left out, and said so", () => {
  const { tree, ignored } = settings({
    "models.fast.api_key_env": "KEY",
    "models.frontier.base_url": "https://example.invalid/v1",
    "models.frontier.model": "",
    "budget.loops": 1,
  });
  assert.deepEqual(tree, { budget: { loops: 1 } });
  assert.deepEqual(ignored, [
    "the fast model settings are not used until fixloop.models.fast.base_url and fixloop.models.fast.model are set",
    "the frontier model settings are not used until fixloop.models.frontier.model is set",
  ]);
});

test("empty strings count as unset", () => {
  assert.deepEqual(settings({ "models.fast.api_key_env": "", "budget.attempts": 3 }).tree, { budget: { attempts: 3 } });
});

test("sections of the tree answer workspace/configuration items", () => {
  const { tree } = settings({ "budget.parallel": 2 });
  assert.deepEqual(sectionOf(tree, "fixloop"), { budget: { parallel: 2 } });
  assert.deepEqual(sectionOf(tree, "fixloop.budget"), { parallel: 2 });
  assert.equal(sectionOf(tree, "fixloop.budget.parallel"), 2);
  assert.equal(sectionOf(tree, "fixloop.editor"), null);
  assert.equal(sectionOf(tree, "python"), undefined);
});
