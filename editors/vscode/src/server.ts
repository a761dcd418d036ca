/**
 * The language client: finding the server, starting, restarting and stopping
 * it, one operation at a time.
 */

import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";
import { configurationMiddleware, currentServerSettings } from "./configuration";
import { locateServer, ServerNotFound } from "./locate";
import { ApiKeys, configuredKeyNames } from "./secrets";
import { SECTION } from "./settings";
import { STATUS_NOTIFICATION, StatusItem, StatusParams } from "./status";

const STOP_TIMEOUT_MS = 2000;

export class Server implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly settingKeys: readonly string[],
    private readonly output: vscode.LogOutputChannel,
    private readonly status: StatusItem,
    private readonly apiKeys: ApiKeys,
  ) {}

  /** Start the server, or stop and start it again. */
  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopClient();
      await this.startClient();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopClient());
  }

  dispose(): void {
    void this.stop();
  }

  /** The running client, if the server is up. */
  get running(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  /** Whether the running server offers a `workspace/executeCommand` command. */
  offers(command: string): boolean {
    const commands = this.running?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    return commands.includes(command);
  }

  /** Run one of the server's commands. */
  async execute<T>(command: string, args: unknown[]): Promise<T> {
    const client = this.running;
    if (!client) {
      throw new Error("the fixloop server is not running (fixloop: Restart Server)");
    }
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as T;
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async startClient(): Promise<void> {
    this.status.starting();
    let server;
    try {
      server = await locateServer();
    } catch (error) {
      this.notFound(error);
      return;
    }
    this.output.info(`starting ${[server.command, ...server.args].join(" ")} (from ${server.origin})`);
    const keys = await this.apiKeys.environment();
    if (Object.keys(keys).length > 0) {
      this.output.info(`API keys from secret storage in the environment: ${Object.keys(keys).join(", ")}`);
    }
    this.warnMissingKeys(keys);
    const serverOptions: ServerOptions = {
      command: server.command,
      args: [...server.args],
      // No `transport`: TransportKind.stdio would append `--stdio`, which `fixloop serve` does not take.
      options: { env: { ...process.env, ...keys } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "file", language: "typescript" },
        { scheme: "file", language: "typescriptreact" },
        { scheme: "file", language: "javascript" },
        { scheme: "file", language: "javascriptreact" },
        { scheme: "file", language: "c" },
        { scheme: "file", language: "cpp" },
        { scheme: "file", language: "rust" },
        { scheme: "file", language: "go" },
      ], // verifiers/languages.py
      outputChannel: this.output,
      initializationOptions: () => this.settingsForServer(),
      synchronize: { configurationSection: SECTION }, // didChangeConfiguration; the server re-pulls
      middleware: { workspace: configurationMiddleware(this.settingKeys) },
    };
    const client = new LanguageClient("fixloop", "fixloop", serverOptions, clientOptions);
    client.onNotification(STATUS_NOTIFICATION, (params: StatusParams) => this.status.update(params));
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped && this.client === client) {
        this.status.stopped("the server stopped");
      }
    });
    this.client = client;
    try {
      await client.start();
      this.status.ready();
    } catch (error) {
      this.output.error(`the server did not start: ${String(error)}`);
      this.status.stopped(`the server did not start: ${String(error)}`);
      void showError(`fixloop: the server did not start (${server.command}): ${String(error)}`);
    }
  }

  private settingsForServer(): object {
    const { tree, ignored } = currentServerSettings(this.settingKeys);
    for (const note of ignored) {
      this.output.warn(`settings: ${note}`);
      void vscode.window.showWarningMessage(`fixloop: ${note}.`);
    }
    // Trust rides beside the settings (initializationOptions only, never a workspace file):
    // in a restricted folder the server refuses to run the workspace's own commands.
    return { ...tree, trusted: vscode.workspace.isTrusted };
  }

  /** A model setting names a key variable that neither secret storage nor the environment has. */
  private warnMissingKeys(stored: Record<string, string>): void {
    for (const name of configuredKeyNames()) {
      if (!stored[name] && !process.env[name]) {
        this.output.warn(`no API key for ${name}: neither stored (fixloop: Set API Key) nor in the environment`);
        void vscode.window
          .showWarningMessage(`fixloop: no API key for ${name}. Store it with "fixloop: Set API Key".`, "Set API Key")
          .then((choice) => choice && vscode.commands.executeCommand("fixloop.setApiKey"));
      }
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client && client.state !== State.Stopped) {
      try {
        await client.stop(STOP_TIMEOUT_MS);
      } catch (error) {
        this.output.warn(`stopping the server: ${String(error)}`);
      }
    }
    await client?.dispose(STOP_TIMEOUT_MS).catch(() => undefined);
  }

  private notFound(error: unknown): void {
    const tried = error instanceof ServerNotFound ? error.tried : [String(error)];
    this.output.error(`cannot find the fixloop language server: ${tried.join("; ")}`);
    this.status.stopped("the server was not found");
    const fix =
      error instanceof ServerNotFound && error.badSetting
        ? "Point fixloop.server.path at the `fixloop` executable, or clear it."
        : "Install it (`pip install fixloop`) in the Python interpreter selected for this workspace, " +
          "or set fixloop.server.path to the `fixloop` executable.";
    void showError(`fixloop: cannot find the language server (${tried.join("; ")}). ${fix}`);
  }
}

async function showError(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, "Open Settings", "Show Output");
  if (choice === "Open Settings") {
    // A machine-scoped setting: in a remote window (SSH, WSL, code-server) it lives in the remote's settings.
    const where = vscode.env.remoteName ? "workbench.action.openRemoteSettings" : "workbench.action.openSettings";
    await vscode.commands.executeCommand(where, { query: "fixloop.server.path" });
  } else if (choice === "Show Output") {
    await vscode.commands.executeCommand("fixloop.showOutput");
  }
}
