/** fixloop: Escalate the Diagnostic Under the Cursor — hand it to the frontier model. */

import * as vscode from "vscode";
import type { Server } from "../server";

export const ESCALATE_CLIENT_COMMAND = "fixloop.escalateAtCursor";
const ESCALATE_SERVER_COMMAND = "fixloop.escalate";

/** fixloop's diagnostics carry `data = {fixloop: "<finding id>"}` (the client keeps `data`). */
function findingId(diagnostic: vscode.Diagnostic): string | undefined {
  const data = (diagnostic as vscode.Diagnostic & { data?: unknown }).data;
  const id = typeof data === "object" && data !== null ? (data as { fixloop?: unknown }).fixloop : undefined;
  return typeof id === "string" && id ? id : undefined;
}

export async function escalateAtCursor(server: Server): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const client = server.running;
  if (!editor || !client) {
    void vscode.window.showInformationMessage(
      client ? "fixloop: open a Python file and put the cursor on a diagnostic to escalate it." : "fixloop: the server is not running.",
    );
    return;
  }
  const cursor = editor.selection.active;
  const ours = (client.diagnostics?.get(editor.document.uri) ?? []).filter((d) => findingId(d) !== undefined);
  const here = ours.filter((d) => d.range.contains(cursor));
  const candidates = here.length > 0 ? here : ours.filter((d) => d.range.start.line === cursor.line);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage("fixloop: no fixloop diagnostic under the cursor to escalate.");
    return;
  }
  if (!server.offers(ESCALATE_SERVER_COMMAND)) {
    void vscode.window.showWarningMessage(
      "fixloop: this fixloop server cannot escalate yet (it does not offer `fixloop.escalate`); update fixloop.",
    );
    return;
  }
  const target = candidates.length === 1 ? candidates[0] : await pick(candidates);
  if (!target) {
    return;
  }
  const uri = client.code2ProtocolConverter.asUri(editor.document.uri);
  try {
    await server.execute(ESCALATE_SERVER_COMMAND, [uri, findingId(target)]);
    void vscode.window.setStatusBarMessage(`fixloop: escalated “${target.message}”`, 5000);
  } catch (error) {
    void vscode.window.showErrorMessage(`fixloop: escalation failed: ${String(error)}`);
  }
}

async function pick(diagnostics: vscode.Diagnostic[]): Promise<vscode.Diagnostic | undefined> {
  const choice = await vscode.window.showQuickPick(
    diagnostics.map((diagnostic) => ({
      label: diagnostic.message,
      description: [diagnostic.source, String(diagnostic.code ?? "")].filter(Boolean).join(" "),
      diagnostic,
    })),
    { placeHolder: "Which diagnostic should the frontier model fix?" },
  );
  return choice?.diagnostic;
}
