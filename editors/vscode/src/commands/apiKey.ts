/** fixloop: Set API Key / Forget API Key — keys in secret storage, by variable name. */

import * as vscode from "vscode";
import { configuredKeyNames, isVariableName, type ApiKeys } from "../secrets";

export const SET_API_KEY_COMMAND = "fixloop.setApiKey";
export const FORGET_API_KEY_COMMAND = "fixloop.forgetApiKey";

async function askName(apiKeys: ApiKeys): Promise<string | undefined> {
  const suggested = [...new Set([...configuredKeyNames(), ...apiKeys.names()])];
  if (suggested.length > 0) {
    const other = "Another variable…";
    const choice = await vscode.window.showQuickPick([...suggested, other], {
      placeHolder: "The environment variable the key is for (a model's api_key_env)",
    });
    if (choice !== other) {
      return choice;
    }
  }
  return vscode.window.showInputBox({
    prompt: "Name of the environment variable (as in a model's api_key_env), e.g. INCEPTION_API_KEY",
    validateInput: (value) => (isVariableName(value.trim()) ? undefined : "Letters, digits and _ only, not starting with a digit"),
  }).then((value) => value?.trim());
}

export async function setApiKey(apiKeys: ApiKeys): Promise<void> {
  const name = await askName(apiKeys);
  if (!name) {
    return;
  }
  const key = await vscode.window.showInputBox({
    prompt: `API key for ${name} (kept in VS Code's secret storage, given to the fixloop server as $${name})`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : "The key cannot be empty"),
  });
  if (!key) {
    return;
  }
  await apiKeys.store(name, key.trim()); // the server restarts on the change (see extension.ts)
  void vscode.window.showInformationMessage(`fixloop: stored the key for ${name}; the server restarts to use it.`);
}

export async function forgetApiKey(apiKeys: ApiKeys): Promise<void> {
  const names = apiKeys.names();
  if (names.length === 0) {
    void vscode.window.showInformationMessage("fixloop: no API keys are stored.");
    return;
  }
  const name = await vscode.window.showQuickPick(names, { placeHolder: "Forget the key for which variable?" });
  if (name) {
    await apiKeys.forget(name);
    void vscode.window.showInformationMessage(`fixloop: forgot the key for ${name}.`);
  }
}
