/**
 * API keys kept in VS Code's secret storage, by environment variable name.
 *
 * The server reads a model's key from the variable named by its `api_key_env`;
 * keys stored here are put in the server process's environment under that
 * name when it starts. They never go to settings.json or the output channel.
 */

import * as vscode from "vscode";
import { SECTION } from "./settings";

const TIERS = ["fast", "frontier"];

const NAMES_STATE = "fixloop.apiKeyNames"; // the variable names only, in global state
const SECRET_PREFIX = "fixloop.apiKey.";
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}

/** The `api_key_env` names in this extension's model settings. */
export function configuredKeyNames(): string[] {
  const config = vscode.workspace.getConfiguration(SECTION);
  return [...new Set(TIERS.map((tier) => (config.get<string>(`models.${tier}.api_key_env`) ?? "").trim()))].filter(
    isVariableName,
  );
}

export class ApiKeys {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  /** Variable names with a stored key. */
  names(): string[] {
    return [...this.state.get<string[]>(NAMES_STATE, [])].sort();
  }

  async store(name: string, key: string): Promise<void> {
    await this.secrets.store(SECRET_PREFIX + name, key);
    await this.state.update(NAMES_STATE, [...new Set([...this.names(), name])]);
  }

  async forget(name: string): Promise<void> {
    await this.secrets.delete(SECRET_PREFIX + name);
    await this.state.update(NAMES_STATE, this.names().filter((other) => other !== name));
  }

  /** The stored keys as environment variables for the server process. */
  async environment(): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const name of this.names()) {
      const key = await this.secrets.get(SECRET_PREFIX + name);
      if (key) {
        env[name] = key;
      }
    }
    return env;
  }

  /** Calls back when a key changes (here or in another window). */
  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((event) => {
      if (event.key.startsWith(SECRET_PREFIX)) {
        listener();
      }
    });
  }
}
