/** Activation: wire the output, status item, commands and server together. Nothing else lives here. */

import * as vscode from "vscode";
import { registerCommands, SHOW_OUTPUT_COMMAND, STATS_CLIENT_COMMAND } from "./commands";
import { needsRestart, serverPathSetting } from "./configuration";
import { onInterpreterChanged } from "./python";
import { ApiKeys } from "./secrets";
import { Server } from "./server";
import { contributedKeys } from "./settings";
import { StatusItem } from "./status";

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("fixloop", { log: true });
  const status = new StatusItem({ running: STATS_CLIENT_COMMAND, stopped: SHOW_OUTPUT_COMMAND });
  const apiKeys = new ApiKeys(context.secrets, context.globalState);
  const server = new Server(contributedKeys(context.extension.packageJSON), output, status, apiKeys);
  const restart = () => void server.restart();

  context.subscriptions.push(
    output,
    status,
    server,
    ...registerCommands(server, output, apiKeys),
    vscode.workspace.onDidChangeConfiguration((event) => needsRestart(event) && restart()),
    vscode.workspace.onDidGrantWorkspaceTrust(restart),
    apiKeys.onDidChange(restart),
    await onInterpreterChanged(() => serverPathSetting() === "" && restart()),
  );
  await server.restart();
}

export async function deactivate(): Promise<void> {
  // Disposing context.subscriptions stops the client (shutdown, exit); should the extension
  // host go first, the server ends when its stdin closes.
}
