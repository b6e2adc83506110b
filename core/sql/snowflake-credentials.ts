// Where a Snowflake profile's connection settings come from, in order: the flow's profile (account, user,
// database, schema, warehouse, role, authenticator: never secrets), then SNOWFLAKE_* environment variables,
// then the named connection in the user's connections.toml (Snowflake CLI's convention: $SNOWFLAKE_HOME or
// ~/.snowflake). Secrets (password, private key passphrase, token) come only from the last two; the editor
// passes its SecretStorage value to the CLI as SNOWFLAKE_PASSWORD. Nothing here is ever written or logged:
// `describeConnection` says where each setting came from without its value.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { WarehouseProfile } from '../flow/model';

export type SnowflakeAuthenticator = 'SNOWFLAKE' | 'SNOWFLAKE_JWT' | 'EXTERNALBROWSER';

export interface SnowflakeSettings {
  account: string;
  user: string;
  authenticator: SnowflakeAuthenticator;
  password?: string;
  privateKeyPath?: string;
  privateKeyPass?: string;
  database?: string;
  schema?: string;
  warehouse?: string;
  role?: string;
  /** Where the service is, for a proxy or a private link (and the tests' local server); default `<account>.snowflakecomputing.com`. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** Setting → where it came from (`flow`, `env SNOWFLAKE_USER`, `connections.toml [name]`), for messages. */
  origin: Record<string, string>;
}

export class SnowflakeConfigError extends Error {
  override name = 'SnowflakeConfigError';
}

const KEYS = ['account', 'user', 'password', 'authenticator', 'privateKeyPath', 'privateKeyPass', 'database', 'schema', 'warehouse', 'role', 'host', 'port', 'protocol'] as const;
type Key = (typeof KEYS)[number];

const ENV: Record<Key, string[]> = {
  account: ['SNOWFLAKE_ACCOUNT'],
  user: ['SNOWFLAKE_USER'],
  password: ['SNOWFLAKE_PASSWORD'],
  authenticator: ['SNOWFLAKE_AUTHENTICATOR'],
  privateKeyPath: ['SNOWFLAKE_PRIVATE_KEY_PATH', 'SNOWFLAKE_PRIVATE_KEY_FILE'],
  privateKeyPass: ['SNOWFLAKE_PRIVATE_KEY_PASSPHRASE', 'PRIVATE_KEY_PASSPHRASE'],
  database: ['SNOWFLAKE_DATABASE'],
  schema: ['SNOWFLAKE_SCHEMA'],
  warehouse: ['SNOWFLAKE_WAREHOUSE'],
  role: ['SNOWFLAKE_ROLE'],
  host: ['SNOWFLAKE_HOST'],
  port: ['SNOWFLAKE_PORT'],
  protocol: ['SNOWFLAKE_PROTOCOL'],
};

/** connections.toml spellings (Snowflake CLI and the Python connector use snake_case and a few aliases). */
const TOML: Record<Key, string[]> = {
  account: ['account', 'accountname'],
  user: ['user', 'username'],
  password: ['password'],
  authenticator: ['authenticator'],
  privateKeyPath: ['private_key_file', 'private_key_path'],
  privateKeyPass: ['private_key_file_pwd', 'private_key_passphrase'],
  database: ['database', 'dbname'],
  schema: ['schema', 'schemaname'],
  warehouse: ['warehouse', 'warehousename'],
  role: ['role', 'rolename'],
  host: ['host'],
  port: ['port'],
  protocol: ['protocol'],
};

const SECRETS: ReadonlySet<Key> = new Set(['password', 'privateKeyPass']);

export interface CredentialSources {
  env: NodeJS.ProcessEnv;
  /** Folder of connections.toml; default $SNOWFLAKE_HOME or ~/.snowflake. */
  home?: string;
}

export function snowflakeSettings(profile: WarehouseProfile, sources: CredentialSources = { env: process.env }): SnowflakeSettings {
  const { env } = sources;
  const found: Partial<Record<Key, string>> = {};
  const origin: Record<string, string> = {};
  const take = (key: Key, value: unknown, from: string) => {
    if (found[key] !== undefined || value === undefined || value === null || value === '') return;
    found[key] = String(value);
    origin[key] = from;
  };
  const fromFlow: Partial<Record<Key, string | undefined>> = {
    account: profile.account?.value,
    user: profile.user?.value,
    database: profile.database?.value,
    schema: profile.schema?.value,
    warehouse: profile.warehouse?.value,
    role: profile.role?.value,
    authenticator: profile.authenticator?.value,
  };
  for (const key of KEYS) if (!SECRETS.has(key)) take(key, fromFlow[key], 'flow');
  for (const key of KEYS) for (const name of ENV[key]) take(key, env[name], `env ${name}`);
  const toml = connectionEntry(profile, sources);
  if (toml) for (const key of KEYS) for (const name of TOML[key]) take(key, toml.entry[name], `connections.toml [${toml.name}]`);

  const where = `Snowflake profile '${profile.name}'`;
  if (!found.account) throw new SnowflakeConfigError(`${where} has no account: add \`account:\` to the profile (or set SNOWFLAKE_ACCOUNT).`);
  if (!found.user) throw new SnowflakeConfigError(`${where} has no user: add \`user:\` to the profile, set SNOWFLAKE_USER, or add \`user\` to its connection in connections.toml.`);
  const authenticator = authenticatorOf(found.authenticator, found.privateKeyPath, where);
  if (authenticator === 'SNOWFLAKE' && !found.password) {
    throw new SnowflakeConfigError(
      `${where} has no password for user ${found.user}: set SNOWFLAKE_PASSWORD, use key-pair auth (SNOWFLAKE_PRIVATE_KEY_PATH), add \`authenticator: externalbrowser\` to the profile, or add the connection to connections.toml. In the editor, "Flowbench: Set Snowflake Password" keeps it in the secret store.`,
    );
  }
  const privateKeyPath = found.privateKeyPath ? expandHome(found.privateKeyPath) : undefined;
  if (authenticator === 'SNOWFLAKE_JWT') {
    if (!privateKeyPath) throw new SnowflakeConfigError(`${where} uses key-pair auth but names no private key: set SNOWFLAKE_PRIVATE_KEY_PATH or \`private_key_file\` in connections.toml.`);
    if (!existsSync(privateKeyPath)) throw new SnowflakeConfigError(`${where}: the private key file ${privateKeyPath} (${origin.privateKeyPath}) does not exist.`);
  }
  const port = found.port === undefined ? undefined : Number(found.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new SnowflakeConfigError(`${where}: port '${found.port}' (${origin.port}) is not a port number.`);
  const protocol = found.protocol?.toLowerCase();
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https') throw new SnowflakeConfigError(`${where}: protocol '${found.protocol}' (${origin.protocol}) must be https or http.`);
  return {
    account: found.account,
    user: found.user,
    authenticator,
    ...(found.password !== undefined && { password: found.password }),
    ...(privateKeyPath && { privateKeyPath }),
    ...(found.privateKeyPass !== undefined && { privateKeyPass: found.privateKeyPass }),
    ...(found.database && { database: found.database }),
    ...(found.schema && { schema: found.schema }),
    ...(found.warehouse && { warehouse: found.warehouse }),
    ...(found.role && { role: found.role }),
    ...(found.host && { host: found.host }),
    ...(port !== undefined && { port }),
    ...(protocol && { protocol }),
    origin,
  };
}

/** One line for the step log: who connects where and how, and where each came from; never a secret. */
export function describeConnection(s: SnowflakeSettings): string {
  const auth = s.authenticator === 'SNOWFLAKE' ? `password (${s.origin.password})` : s.authenticator === 'SNOWFLAKE_JWT' ? `key pair ${s.privateKeyPath} (${s.origin.privateKeyPath})` : 'external browser';
  const where = [s.database, s.schema].filter(Boolean).join('.');
  return `snowflake: account ${s.account} as ${s.user} (${s.origin.user}), auth ${auth}${where ? `, ${where}` : ''}${s.warehouse ? `, warehouse ${s.warehouse}` : ''}`;
}

function authenticatorOf(value: string | undefined, privateKeyPath: string | undefined, where: string): SnowflakeAuthenticator {
  if (value === undefined) return privateKeyPath ? 'SNOWFLAKE_JWT' : 'SNOWFLAKE';
  const upper = value.toUpperCase().replace(/-/g, '_');
  if (upper === 'SNOWFLAKE' || upper === 'PASSWORD') return 'SNOWFLAKE';
  if (upper === 'SNOWFLAKE_JWT' || upper === 'KEY_PAIR' || upper === 'KEYPAIR') return 'SNOWFLAKE_JWT';
  if (upper === 'EXTERNALBROWSER') return 'EXTERNALBROWSER';
  throw new SnowflakeConfigError(`${where}: authenticator '${value}' is not one flowbench supports; use snowflake (password), snowflake_jwt (key pair) or externalbrowser.`);
}

/** The profile's connection in connections.toml: its `connection:`, else $SNOWFLAKE_DEFAULT_CONNECTION_NAME, else `default`. */
function connectionEntry(profile: WarehouseProfile, { env, home }: CredentialSources): { name: string; entry: Record<string, unknown> } | undefined {
  const dir = home ?? env.SNOWFLAKE_HOME ?? join(homedir(), '.snowflake');
  const file = join(expandHome(dir), 'connections.toml');
  const named = profile.connection?.value;
  if (!existsSync(file)) {
    if (named) throw new SnowflakeConfigError(`Snowflake profile '${profile.name}' names connection '${named}', but ${file} does not exist.`);
    return undefined;
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    // smol-toml's message says line and column; the file's contents never appear in it beyond the bad spot
    throw new SnowflakeConfigError(`${file} is not valid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
  const name = named ?? env.SNOWFLAKE_DEFAULT_CONNECTION_NAME ?? (typeof doc.default_connection_name === 'string' ? doc.default_connection_name : 'default');
  const entry = doc[name];
  if (entry && typeof entry === 'object' && !Array.isArray(entry)) return { name, entry: entry as Record<string, unknown> };
  if (named) {
    const known = Object.keys(doc).filter((k) => typeof doc[k] === 'object');
    throw new SnowflakeConfigError(`Snowflake profile '${profile.name}' names connection '${named}', which ${file} does not have${known.length ? ` (it has ${known.join(', ')})` : ''}.`);
  }
  return undefined;
}

function expandHome(p: string): string {
  const expanded = p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
  return isAbsolute(expanded) ? expanded : resolve(expanded);
}
