/** The status bar item: loops running, fixes ready, spend against the budget. */

import * as vscode from "vscode";

/** The params of the server's `fixloop/status` notification. */
export interface StatusParams {
  readonly running: number;
  readonly queued: number;
  readonly fixes: number;
  readonly usd_spent: number;
  readonly usd_budget: number;
}

export const STATUS_NOTIFICATION = "fixloop/status";

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private heard = false; // a fixloop/status arrived since the server started

  /** `onClick`: the command to run when the server is up, and when it is not. */
  constructor(private readonly onClick: { readonly running: string; readonly stopped: string }) {
    this.item = vscode.window.createStatusBarItem("fixloop.status", vscode.StatusBarAlignment.Left, 50);
    this.item.name = "fixloop";
    this.starting();
    this.item.show();
  }

  starting(): void {
    this.heard = false;
    this.set("$(sync~spin) fixloop", "fixloop: starting the server", this.onClick.stopped);
  }

  /** Up, before its first `fixloop/status`. */
  ready(): void {
    if (this.heard) {
      return;
    }
    this.set("$(check) fixloop", "fixloop: ready", this.onClick.running);
  }

  stopped(reason: string): void {
    this.set("$(error) fixloop", `fixloop: ${reason}\n\nClick to show the output.`, this.onClick.stopped, true);
  }

  update(status: StatusParams): void {
    this.heard = true;
    const { running, queued, fixes } = status;
    const busy = running + queued > 0;
    const parts = [
      busy ? `${running} fixing` : "",
      queued ? `${queued} queued` : "",
      `${fixes} ${fixes === 1 ? "fix" : "fixes"}`,
      `${usd(status.usd_spent)}/${usd(status.usd_budget)}`,
    ].filter(Boolean);
    const tooltip = [
      `fixloop: ${running} ${running === 1 ? "loop" : "loops"} running, ${queued} queued`,
      `${fixes} verified ${fixes === 1 ? "fix" : "fixes"} ready (Ctrl+. on the diagnostic)`,
      `$${status.usd_spent.toFixed(4)} spent of $${status.usd_budget.toFixed(2)} today`,
      "",
      "Click for the stats.",
    ].join("\n");
    this.set(`${busy ? "$(sync~spin)" : "$(check)"} fixloop ${parts.join(" · ")}`, tooltip, this.onClick.running);
  }

  dispose(): void {
    this.item.dispose();
  }

  private set(text: string, tooltip: string, command: string, error = false): void {
    this.item.text = text;
    this.item.command = command;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  }
}

function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}
