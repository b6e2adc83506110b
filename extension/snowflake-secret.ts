// The Snowflake password the editor keeps for the user: in VS Code's SecretStorage only (the OS keychain),
// set and cleared by command, handed to CLI children as SNOWFLAKE_PASSWORD in their environment and never
// written to settings, files or logs; the CLI keeps it from the steps it starts (editor-secrets.ts). Kept in
// memory once read, because runs start synchronously.
import * as vscode from 'vscode';
import { editorSecretsEnvironment } from '../core/engine/editor-secrets';

const KEY = 'flowbench.snowflake.password';
export const SET_SNOWFLAKE_PASSWORD_COMMAND = 'flowbench.setSnowflakePassword';
export const CLEAR_SNOWFLAKE_PASSWORD_COMMAND = 'flowbench.clearSnowflakePassword';

export class SnowflakeSecret implements vscode.Disposable {
  private password: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly secrets: vscode.SecretStorage) {
    void this.reload();
    this.disposables.push(
      secrets.onDidChange((e) => e.key === KEY && void this.reload()),
      vscode.commands.registerCommand(SET_SNOWFLAKE_PASSWORD_COMMAND, async () => {
        const value = await vscode.window.showInputBox({ prompt: 'Snowflake password for the flows of this editor (kept in the OS keychain, passed to runs as SNOWFLAKE_PASSWORD)', password: true, ignoreFocusOut: true });
        if (value) await secrets.store(KEY, value);
      }),
      vscode.commands.registerCommand(CLEAR_SNOWFLAKE_PASSWORD_COMMAND, () => secrets.delete(KEY)),
    );
  }

  /** What a CLI child gets in its environment. */
  env(): Record<string, string> {
    return this.password ? editorSecretsEnvironment({ SNOWFLAKE_PASSWORD: this.password }) : {};
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private async reload(): Promise<void> {
    this.password = await this.secrets.get(KEY);
  }
}
