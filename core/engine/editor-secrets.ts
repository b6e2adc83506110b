// Credentials the editor keeps in SecretStorage reach the CLI in its environment, for Flowbench's own clients
// (the Snowflake connection). The editor names them in FLOWBENCH_EDITOR_SECRETS so the CLI can keep them from
// the step processes it starts: a `run:` step is the user's code and gets only what the user's shell had.
// A variable the user exported themselves is not named here and reaches steps as before.
// No imports: the extension bundles this module.

export const EDITOR_SECRETS_VARIABLE = 'FLOWBENCH_EDITOR_SECRETS';

/** The environment a CLI child gets for `secrets`: the values plus the list of their names. */
export function editorSecretsEnvironment(secrets: Record<string, string>): Record<string, string> {
  const names = Object.keys(secrets);
  return names.length ? { ...secrets, [EDITOR_SECRETS_VARIABLE]: names.join(',') } : {};
}

/** `env` without the variables the editor handed in, nor the list naming them. */
export function withoutEditorSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const named = env[EDITOR_SECRETS_VARIABLE];
  if (named === undefined) return env;
  const rest = { ...env };
  for (const name of named.split(',')) delete rest[name.trim()];
  delete rest[EDITOR_SECRETS_VARIABLE];
  return rest;
}
