/**
 * The Python extension's selected interpreter, through its public API, when
 * the Python extension is installed.
 */

import * as vscode from "vscode";

const PYTHON_EXTENSION = "ms-python.python";

/** The part of `@vscode/python-extension`'s API that fixloop uses. */
interface PythonApi {
  readonly environments: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { readonly id: string; readonly path: string };
    resolveEnvironment(
      environment: { readonly id: string; readonly path: string } | string,
    ): Promise<{ readonly executable: { readonly uri: vscode.Uri | undefined } } | undefined>;
    readonly onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}

async function pythonApi(): Promise<PythonApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonApi>(PYTHON_EXTENSION);
  if (!extension) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    return api?.environments ? api : undefined;
  } catch {
    return undefined; // a Python extension that fails to activate is treated as absent
  }
}

/** The selected interpreter's executable for a resource, or undefined without the Python extension. */
export async function selectedInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const api = await pythonApi();
  if (!api) {
    return undefined;
  }
  try {
    const environment = await api.environments.resolveEnvironment(
      api.environments.getActiveEnvironmentPath(resource),
    );
    return environment?.executable.uri?.fsPath;
  } catch {
    return undefined; // an interpreter that no longer resolves: fall back to PATH
  }
}

/** Calls back when the user selects another interpreter (nothing without the Python extension). */
export async function onInterpreterChanged(listener: () => void): Promise<vscode.Disposable> {
  const api = await pythonApi();
  return api ? api.environments.onDidChangeActiveEnvironmentPath(listener) : new vscode.Disposable(() => {});
}
