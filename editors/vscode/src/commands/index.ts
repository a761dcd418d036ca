/** The palette commands. Only client-side ids: the client registers the server's own commands. */

import * as vscode from "vscode";
import type { ApiKeys } from "../secrets";
import type { Server } from "../server";
import { FORGET_API_KEY_COMMAND, forgetApiKey, SET_API_KEY_COMMAND, setApiKey } from "./apiKey";
import { ESCALATE_CLIENT_COMMAND, escalateAtCursor } from "./escalate";
import { STATS_CLIENT_COMMAND, showStats } from "./stats";

export const RESTART_COMMAND = "fixloop.restart";
export const SHOW_OUTPUT_COMMAND = "fixloop.showOutput";
export { STATS_CLIENT_COMMAND };

export function registerCommands(server: Server, output: vscode.LogOutputChannel, apiKeys: ApiKeys): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(ESCALATE_CLIENT_COMMAND, () => escalateAtCursor(server)),
    vscode.commands.registerCommand(STATS_CLIENT_COMMAND, () => showStats(server, output)),
    vscode.commands.registerCommand(RESTART_COMMAND, () => server.restart()),
    vscode.commands.registerCommand(SHOW_OUTPUT_COMMAND, () => output.show()),
    vscode.commands.registerCommand(SET_API_KEY_COMMAND, () => setApiKey(apiKeys)),
    vscode.commands.registerCommand(FORGET_API_KEY_COMMAND, () => forgetApiKey(apiKeys)),
  ];
}
