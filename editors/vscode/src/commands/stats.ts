/** fixloop: Show Stats — what the fix loops have done and spent in this session. */

import * as vscode from "vscode";
import type { Server } from "../server";

export const STATS_CLIENT_COMMAND = "fixloop.showStats";
const STATS_SERVER_COMMAND = "fixloop.stats";

/** What the server's `fixloop.stats` command returns. */
interface Stats {
  readonly loops?: number;
  readonly fixed?: number;
  readonly attempts?: number;
  readonly usd_spent?: number;
  readonly usd_budget?: number;
}

export async function showStats(server: Server, output: vscode.LogOutputChannel): Promise<void> {
  if (!server.running) {
    void vscode.window.showInformationMessage("fixloop: the server is not running.");
    return;
  }
  let stats: Stats;
  try {
    stats = await server.execute<Stats>(STATS_SERVER_COMMAND, []);
  } catch (error) {
    void vscode.window.showErrorMessage(`fixloop: cannot read the stats: ${String(error)}`);
    return;
  }
  output.info(`stats: ${JSON.stringify(stats)}`);
  const spent = `$${(stats.usd_spent ?? 0).toFixed(4)} of $${(stats.usd_budget ?? 0).toFixed(2)} today`;
  const summary =
    `fixloop: ${count(stats.loops, "loop")}, ${stats.fixed ?? 0} fixed, ` +
    `${count(stats.attempts, "model attempt")}, ${spent}.`;
  const choice = await vscode.window.showInformationMessage(summary, "Show Output");
  if (choice) {
    output.show(true);
  }
}

function count(n: number | undefined, noun: string): string {
  return `${n ?? 0} ${noun}${n === 1 ? "" : "s"}`;
}
