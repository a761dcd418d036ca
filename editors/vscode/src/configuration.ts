/**
 * VS Code's side of the settings: reading what the user set, and answering the
 * server's `workspace/configuration` requests with the tree from settings.ts.
 */

import * as vscode from "vscode";
import type { ConfigurationParams, Middleware } from "vscode-languageclient/node";
import { ReadSetting, SECTION, ServerSettings, sectionOf, serverSettings } from "./settings";

/** A setting's value when the user set it in any scope, else undefined (the server's default applies). */
export function userSetting(scope?: vscode.Uri): ReadSetting {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return (key) => {
    const info = config.inspect(key);
    const set = info && (info.workspaceFolderValue ?? info.workspaceValue ?? info.globalValue);
    // get() rather than the inspected value: it leaves out restricted workspace values
    // when the workspace is not trusted.
    return set === undefined ? undefined : config.get(key);
  };
}

/** The settings to send to the server for a scope (a folder or file URI) or the whole window. */
export function currentServerSettings(keys: readonly string[], scope?: vscode.Uri): ServerSettings {
  return serverSettings(keys, userSetting(scope));
}

/** The `server.path` setting, trimmed; empty when unset. */
export function serverPathSetting(): string {
  return (vscode.workspace.getConfiguration(SECTION).get<string>("server.path") ?? "").trim();
}

/** Whether a configuration change needs a new server process (not just a settings re-pull). */
export function needsRestart(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration(`${SECTION}.server.path`);
}

/**
 * Answer `workspace/configuration` for our section with the server's tree
 * (the same shape as `.fixloop.toml`); other sections go to the default handler.
 */
export function configurationMiddleware(keys: readonly string[]): Middleware["workspace"] {
  return {
    configuration: async (params: ConfigurationParams, token, next) => {
      const ours = params.items.map((item) => item.section === SECTION || item.section?.startsWith(`${SECTION}.`));
      if (!ours.some(Boolean)) {
        return next(params, token);
      }
      const others = await next({ items: params.items.filter((_, i) => !ours[i]) }, token);
      if (!Array.isArray(others)) {
        return others; // an error from the default handler
      }
      let other = 0;
      return params.items.map((item, i) => {
        if (!ours[i]) {
          return others[other++];
        }
        const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
        return sectionOf(currentServerSettings(keys, scope).tree, item.section as string);
      });
    },
  };
}
