// Signing in to Snowflake: password and key pair (a JWT the fake verifies against the user's public key),
// with settings from the flow profile, SNOWFLAKE_* variables and connections.toml.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { WarehouseProfile } from '../../core/flow/model';
import { SnowflakeSession } from '../../core/sql/snowflake-client';
import { describeConnection, SnowflakeConfigError, snowflakeSettings } from '../../core/sql/snowflake-credentials';
import { startFakeSnowflake, type FakeSnowflake } from '../helpers/fake-snowflake/server';

let fake: FakeSnowflake;
let dir: string;
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

before(async () => {
  fake = await startFakeSnowflake();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-sfauth-'));
  fs.writeFileSync(path.join(dir, 'rsa_key.p8'), keys.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'key-pass' }));
});

after(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await fake.close();
});

function profile(extra: Partial<Record<'user' | 'authenticator' | 'connection' | 'database' | 'schema', string>> = {}): WarehouseProfile {
  const at = (value: string) => ({ value, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  const p: WarehouseProfile = { name: 'snow', nameRange: at('').range, type: at('snowflake') as WarehouseProfile['type'], account: at('fakeacct') };
  for (const [k, v] of Object.entries(extra)) (p as unknown as Record<string, unknown>)[k] = at(v);
  return p;
}

const server = () => ({ SNOWFLAKE_HOST: fake.host, SNOWFLAKE_PORT: String(fake.port), SNOWFLAKE_PROTOCOL: 'http' });

test('password sign-in sends the password from SNOWFLAKE_PASSWORD and gets a session token', async () => {
  fake.addUser('ana', { password: 'pw-1' });
  const settings = snowflakeSettings(profile({ user: 'ana' }), { env: { ...server(), SNOWFLAKE_PASSWORD: 'pw-1' }, home: dir });
  assert.equal(settings.origin.password, 'env SNOWFLAKE_PASSWORD');
  assert.ok(!describeConnection(settings).includes('pw-1'));
  const session = await SnowflakeSession.open(settings);
  const rows = await session.query({ sql: 'SELECT 41 + 1 AS answer', signal: new AbortController().signal });
  assert.deepEqual(rows.rows, [{ answer: '42' }]);
  await session.close();
  const login = fake.calls.filter((c) => c.kind === 'login').pop()!;
  const data = login.body!.data as Record<string, unknown>;
  assert.equal(data.LOGIN_NAME, 'ana');
  assert.equal(data.PASSWORD, 'pw-1');
  assert.equal(data.ACCOUNT_NAME, 'fakeacct');

  const wrong = snowflakeSettings(profile({ user: 'ana' }), { env: { ...server(), SNOWFLAKE_PASSWORD: 'nope' }, home: dir });
  await assert.rejects(SnowflakeSession.open(wrong), /cannot sign in to Snowflake account fakeacct as ana: Incorrect username or password/);
});

test('key-pair sign-in sends a JWT signed by the private key, which the fake checks against the public half', async () => {
  fake.addUser('kim', { publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  const env = { ...server(), SNOWFLAKE_PRIVATE_KEY_PATH: path.join(dir, 'rsa_key.p8'), SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: 'key-pass' };
  const settings = snowflakeSettings(profile({ user: 'kim' }), { env, home: dir });
  assert.equal(settings.authenticator, 'SNOWFLAKE_JWT');
  const session = await SnowflakeSession.open(settings);
  await session.close();
  const data = fake.calls.filter((c) => c.kind === 'login').pop()!.body!.data as Record<string, unknown>;
  assert.equal(data.AUTHENTICATOR, 'SNOWFLAKE_JWT');
  assert.equal(data.PASSWORD, undefined);
  assert.equal(String(data.TOKEN).split('.').length, 3);

  fake.addUser('lee', { publicKey: other.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  const mismatched = snowflakeSettings(profile({ user: 'lee' }), { env, home: dir });
  await assert.rejects(SnowflakeSession.open(mismatched), /JWT token is invalid/);
});

test('connections.toml supplies what the profile leaves out; the profile and env win over it', () => {
  fs.writeFileSync(
    path.join(dir, 'connections.toml'),
    `default_connection_name = "dev"\n[dev]\naccount = "other"\nuser = "toml_user"\npassword = "toml-pw"\ndatabase = "DEVDB"\nschema = "S1"\n[ci]\nuser = "ci_user"\nauthenticator = "SNOWFLAKE_JWT"\nprivate_key_file = "${path.join(dir, 'rsa_key.p8')}"\n`,
  );
  const dev = snowflakeSettings(profile(), { env: {}, home: dir });
  assert.deepEqual([dev.account, dev.user, dev.password, dev.database, dev.schema], ['fakeacct', 'toml_user', 'toml-pw', 'DEVDB', 'S1']);
  assert.equal(dev.origin.user, 'connections.toml [dev]');
  const fromEnv = snowflakeSettings(profile(), { env: { SNOWFLAKE_USER: 'env_user' }, home: dir });
  assert.equal(fromEnv.user, 'env_user');
  const ci = snowflakeSettings(profile({ connection: 'ci' }), { env: {}, home: dir });
  assert.equal(ci.authenticator, 'SNOWFLAKE_JWT');
  assert.throws(() => snowflakeSettings(profile({ connection: 'prod' }), { env: {}, home: dir }), /names connection 'prod', which .*connections\.toml does not have \(it has dev, ci\)/);
  fs.rmSync(path.join(dir, 'connections.toml'));
});

test('missing or unusable credentials fail with a remedy, never a stack', () => {
  assert.throws(() => snowflakeSettings(profile({ user: 'ana' }), { env: {}, home: dir }), (e: unknown) => e instanceof SnowflakeConfigError && /set SNOWFLAKE_PASSWORD, use key-pair auth/.test(e.message));
  assert.throws(() => snowflakeSettings(profile({ user: 'ana', authenticator: 'okta' }), { env: {}, home: dir }), /authenticator 'okta' is not one flowbench supports/);
  assert.throws(() => snowflakeSettings(profile({ user: 'ana' }), { env: { SNOWFLAKE_PRIVATE_KEY_PATH: path.join(dir, 'missing.p8') }, home: dir }), /private key file .*missing\.p8 \(env SNOWFLAKE_PRIVATE_KEY_PATH\) does not exist/);
  const browser = snowflakeSettings(profile({ user: 'ana', authenticator: 'externalbrowser' }), { env: {}, home: dir });
  assert.equal(browser.authenticator, 'EXTERNALBROWSER');
});
