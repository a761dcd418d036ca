/**
 * The server's settings tree, built from this extension's VS Code settings.
 *
 * The VS Code keys are the `.fixloop.toml` keys under `fixloop.` (for example
 * `fixloop.budget.parallel` is `[budget] parallel`), so the tree is the keys
 * split on dots. The server checks every key strictly, so only what the user
 * set is sent: defaults stay the server's business, an empty string means
 * "not set", and a model tier goes only once both its base URL and model are
 * set (only its model, for fixloop's own `local` protocol). Keys that only the
 * extension reads (`server.path`) never go.
 *
 * Pure: no `vscode` import, so it runs under node's test runner.
 */

export const SECTION = "fixloop";

/** Keys read by the extension itself, never sent to the server. */
export const EXTENSION_ONLY: readonly string[] = ["server.path", "trace.server"];

/** A model tier is usable only with these; the server rejects a tier without them. */
const REQUIRED_MODEL_KEYS = ["base_url", "model"] as const;
/** fixloop's own offline model (`protocol = "local"`) has no URL until the server starts it. */
const REQUIRED_LOCAL_MODEL_KEYS = ["model"] as const;

export type Tree = { [key: string]: unknown };

/** One setting's value where the user set it (any scope), or undefined when left at its default. */
export type ReadSetting = (key: string) => unknown;

/** The keys (without the `fixloop.` prefix) that this extension contributes, from package.json. */
export function contributedKeys(packageJson: unknown): string[] {
  const contributes = (packageJson as { contributes?: { configuration?: unknown } }).contributes;
  const configuration = contributes?.configuration;
  const sections = Array.isArray(configuration) ? configuration : configuration ? [configuration] : [];
  const keys: string[] = [];
  for (const section of sections) {
    const properties = (section as { properties?: Record<string, unknown> }).properties ?? {};
    for (const name of Object.keys(properties)) {
      if (name.startsWith(`${SECTION}.`)) {
        keys.push(name.slice(SECTION.length + 1));
      }
    }
  }
  return keys;
}

/** What goes to the server, and the settings left out with the reason, for the user. */
export interface ServerSettings {
  readonly tree: Tree;
  readonly ignored: readonly string[];
}

/** The nested tree the server expects, from the settings the user set. */
export function serverSettings(keys: readonly string[], read: ReadSetting): ServerSettings {
  const tree: Tree = {};
  for (const key of keys) {
    if (EXTENSION_ONLY.includes(key)) {
      continue;
    }
    const value = read(key);
    if (value === undefined || value === null || value === "") {
      continue;
    }
    put(tree, key.split("."), value);
  }
  return { tree, ignored: dropIncompleteModels(tree) };
}

/** The part of the tree a `workspace/configuration` item asks for (`fixloop`, `fixloop.budget`, ...). */
export function sectionOf(tree: Tree, section: string): unknown {
  if (section === SECTION) {
    return tree;
  }
  if (!section.startsWith(`${SECTION}.`)) {
    return undefined;
  }
  let node: unknown = tree;
  for (const part of section.slice(SECTION.length + 1).split(".")) {
    node = isTree(node) ? node[part] : undefined;
  }
  return node ?? null;
}

function put(tree: Tree, path: string[], value: unknown): void {
  let node = tree;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    node = isTree(next) ? next : (node[part] = {});
  }
  node[path[path.length - 1]] = value;
}

function dropIncompleteModels(tree: Tree): string[] {
  const models = tree.models;
  if (!isTree(models)) {
    return [];
  }
  const ignored: string[] = [];
  for (const [tier, table] of Object.entries(models)) {
    const required = isTree(table) && table.protocol === "local" ? REQUIRED_LOCAL_MODEL_KEYS : REQUIRED_MODEL_KEYS;
    const missing = required.filter((key) => !isTree(table) || !table[key]);
    if (missing.length > 0) {
      const names = missing.map((key) => `${SECTION}.models.${tier}.${key}`).join(" and ");
      ignored.push(`the ${tier} model settings are not used until ${names} ${missing.length > 1 ? "are" : "is"} set`);
      delete models[tier];
    }
  }
  if (Object.keys(models).length === 0) {
    delete tree.models;
  }
  return ignored;
}

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
