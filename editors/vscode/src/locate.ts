/**
 * Which `fixloop serve` to run: the `fixloop.server.path` setting, else the
 * Python extension's selected interpreter (when fixloop is installed in it),
 * else `fixloop` on PATH.
 */

import { execFile } from "node:child_process";
import { constants as fsConstants, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { serverPathSetting } from "./configuration";
import { selectedInterpreter } from "./python";

/** A command line that runs the language server on stdio. */
export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Where it came from, for the output channel. */
  readonly origin: string;
}

/** Why no server could be found: one line per place that was tried. */
export class ServerNotFound extends Error {
  constructor(readonly tried: readonly string[], readonly badSetting: boolean) {
    super(`cannot find the fixloop language server (${tried.join("; ")})`);
  }
}

const IMPORT_CHECK_SECONDS = 15;

export async function locateServer(): Promise<ServerCommand> {
  const tried: string[] = [];

  const setting = serverPathSetting();
  if (setting) {
    const executable = expand(setting);
    if (await isExecutable(executable)) {
      return { command: executable, args: ["serve"], origin: "the fixloop.server.path setting" };
    }
    // The user chose a path: say it is wrong rather than quietly running another server.
    throw new ServerNotFound([`fixloop.server.path is ${executable}, which is not an executable file`], true);
  }

  const python = await selectedInterpreter(vscode.workspace.workspaceFolders?.[0]?.uri);
  if (python && !vscode.workspace.isTrusted && insideWorkspace(python)) {
    tried.push(`the selected interpreter ${python} is inside this restricted workspace, so it is not run`);
  } else if (python) {
    if (await importsFixloop(python)) {
      return { command: python, args: ["-m", "fixloop", "serve"], origin: `the selected interpreter ${python}` };
    }
    tried.push(`fixloop is not installed in the selected interpreter ${python}`);
  } else {
    tried.push("no Python extension interpreter");
  }

  const onPath = await which(process.platform === "win32" ? "fixloop.exe" : "fixloop");
  if (onPath) {
    return { command: onPath, args: ["serve"], origin: "PATH" };
  }
  tried.push("no fixloop executable on PATH");
  throw new ServerNotFound(tried, false);
}

function expand(setting: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";
  const expanded = setting.replace(/^~(?=$|[\\/])/, os.homedir()).replace(/\$\{workspaceFolder\}/g, folder);
  return path.resolve(folder || os.homedir(), expanded);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const info = await fs.stat(file);
    await fs.access(file, fsConstants.X_OK);
    return info.isFile();
  } catch {
    return false;
  }
}

function insideWorkspace(file: string): boolean {
  return (vscode.workspace.workspaceFolders ?? []).some((folder) => {
    const relative = path.relative(folder.uri.fsPath, file);
    return !relative.startsWith("..") && !path.isAbsolute(relative);
  });
}

function importsFixloop(python: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ["-c", "import fixloop"], { timeout: IMPORT_CHECK_SECONDS * 1000 }, (error) =>
      resolve(error === null),
    );
  });
}

async function which(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    // A relative PATH entry would run whatever the current folder holds.
    if (dir && path.isAbsolute(dir) && (vscode.workspace.isTrusted || !insideWorkspace(dir))) {
      const candidate = path.join(dir, name);
      if (await isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}
