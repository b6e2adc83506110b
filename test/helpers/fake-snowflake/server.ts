// A local stand-in for Snowflake that speaks the REST protocol of Snowflake's Node driver on 127.0.0.1, so
// the real snowflake-sdk talks to it unchanged (pointed at it by host, port and protocol):
// - `POST /session/v1/login-request`: password, or a key-pair JWT checked against the user's public key;
// - `POST /queries/v1/query-request`: the SQL runs on a real in-memory DuckDB (one catalog per Snowflake
//   database), the result comes back as a JSON `rowset` + `rowtype`, large results split into chunks the
//   driver fetches separately (`GET /chunks/…`, gzipped);
// - queries held on purpose answer 333334 (still running) and the driver polls `getResultUrl` until the
//   test releases them or the driver aborts them (`POST /queries/v1/abort-request`);
// - `failNext` fails a query with a Snowflake-style error code and message ("line N at position M").
// Request bodies arrive gzipped; every call is recorded so tests assert the sequence and payloads.
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { verifyLoginJwt } from './jwt';
import { rowTypes, snowflakeRow, type RowType } from './rowset';
import { rewriteForDuckDb, type TableClock } from './dialect';

export interface FakeSnowflakeCall {
  /** `login`, `query`, `result`, `chunk`, `abort`, `close`, or `other`. */
  kind: string;
  path: string;
  /** The parsed JSON body, when there was one. */
  body?: Record<string, unknown>;
  authorization?: string;
}

export interface FakeUser {
  password?: string;
  /** PEM public key whose private half signs the user's login JWT. */
  publicKey?: string;
}

export interface SnowflakeErrorSpec {
  code: string;
  message: string;
  sqlState?: string;
}

export interface HeldQuery {
  queryId: string;
  sql: string;
  /** Resolves once the driver asked to abort it. */
  aborted: Promise<void>;
  release(): void;
}

export interface FakeSnowflake {
  host: string;
  port: number;
  /** Options for snowflake-sdk's createConnection that point it here. */
  connectionOptions: { host: string; port: number; protocol: 'http'; account: string };
  calls: FakeSnowflakeCall[];
  /** The SQL texts the driver sent, in order. */
  queries(): string[];
  addUser(name: string, user: FakeUser): void;
  /** Runs SQL directly on the backing DuckDB (to set up source tables). Tables' change times are kept by `touch`. */
  exec(sql: string): Promise<void>;
  /** Sets a table's LAST_ALTERED (`DB.SCHEMA.TABLE`, upper case), as a write to it would. */
  touch(table: string, at?: Date): void;
  /** The next query whose text matches fails with this error. */
  failNext(match: RegExp, error: SnowflakeErrorSpec): void;
  /** The next query whose text matches stays "running" until released or aborted. */
  holdNext(match: RegExp): Promise<HeldQuery>;
  close(): Promise<void>;
}

export interface FakeSnowflakeOptions {
  account?: string;
  /** Rows in the first response; the rest go in chunks of `chunkRows`. */
  firstRows?: number;
  chunkRows?: number;
}

interface Session {
  user: string;
}

interface PendingQuery {
  id: string;
  requestId: string;
  sql: string;
  done?: unknown;
  aborted: boolean;
  onAbort: () => void;
}

export async function startFakeSnowflake(opts: FakeSnowflakeOptions = {}): Promise<FakeSnowflake> {
  const account = (opts.account ?? 'fakeacct').toUpperCase();
  const firstRows = opts.firstRows ?? 1000;
  const chunkRows = opts.chunkRows ?? 1000;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance: DuckDBInstance = await DuckDBInstance.create(':memory:');
  const db: DuckDBConnection = await instance.connect();
  const users = new Map<string, FakeUser>();
  const sessions = new Map<string, Session>();
  const calls: FakeSnowflakeCall[] = [];
  const chunks = new Map<string, string>();
  const pending = new Map<string, PendingQuery>();
  const failures: { match: RegExp; error: SnowflakeErrorSpec }[] = [];
  const holds: { match: RegExp; found: (q: HeldQuery) => void }[] = [];
  const clock: TableClock = new Map();
  const attached = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();

  /** DuckDB runs one statement at a time here, like a warehouse's single session would. */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };

  async function attach(sql: string): Promise<void> {
    for (const m of sql.matchAll(/"([A-Za-z_][\w$]*)"\."([A-Za-z_][\w$]*)"\."/g)) {
      const [, catalog, schema] = m;
      if (!attached.has(catalog!.toUpperCase())) {
        await db.run(`ATTACH ':memory:' AS "${catalog}"`);
        attached.add(catalog!.toUpperCase());
      }
      await db.run(`CREATE SCHEMA IF NOT EXISTS "${catalog}"."${schema}"`);
    }
  }

  async function execute(sql: string, requestId: string): Promise<unknown> {
    const queryId = randomUUID();
    const failure = failures.findIndex((f) => f.match.test(sql));
    if (failure >= 0) return errorBody(queryId, failures.splice(failure, 1)[0]!.error);
    const hold = holds.findIndex((h) => h.match.test(sql));
    if (hold >= 0) {
      const { found } = holds.splice(hold, 1)[0]!;
      let onAbort = () => undefined as void;
      const aborted = new Promise<void>((resolve) => (onAbort = resolve));
      const q: PendingQuery = { id: queryId, requestId, sql, aborted: false, onAbort };
      pending.set(queryId, q);
      found({ queryId, sql, aborted, release: () => void run(sql, queryId).then((r) => (q.done = r)) });
      return running(queryId);
    }
    return run(sql, queryId);
  }

  async function run(sql: string, queryId: string): Promise<unknown> {
    return serial(async () => {
      try {
        const rewritten = rewriteForDuckDb(sql, clock);
        await attach(rewritten.sql);
        const result = await db.run(rewritten.sql);
        for (const table of rewritten.writes) clock.set(table, new Date());
        const types = rowTypes(result);
        const rows = (await result.getRows()).map((r) => snowflakeRow(r.map((v) => (v === null ? null : String(v))), types));
        return resultBody(queryId, types, rows);
      } catch (e) {
        return errorBody(queryId, duckDbToSnowflake(sql, (e as Error).message));
      }
    });
  }

  function resultBody(queryId: string, rowtype: RowType[], rows: (string | null)[][]): unknown {
    const rest = rows.slice(firstRows);
    const chunkList = [];
    for (let i = 0; i < rest.length; i += chunkRows) {
      const part = rest.slice(i, i + chunkRows);
      const path = `/chunks/${queryId}/${i / chunkRows}`;
      chunks.set(path, part.map((r) => JSON.stringify(r)).join(','));
      chunkList.push({ url: `http://127.0.0.1:${port}${path}`, rowCount: part.length, uncompressedSize: 1, compressedSize: 1 });
    }
    return {
      success: true,
      code: null,
      message: null,
      data: {
        parameters: [],
        rowtype,
        rowset: rows.slice(0, firstRows),
        total: rows.length,
        returned: rows.length,
        queryId,
        ...(chunkList.length && { chunks: chunkList, chunkHeaders: {}, qrmk: 'fake' }),
        queryResultFormat: 'json',
        statementTypeId: 4096,
        version: 1,
      },
    };
  }

  function running(queryId: string): unknown {
    return { success: true, code: '333334', message: null, data: { queryId, getResultUrl: `/queries/${queryId}/result` } };
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((e) => send(res, 500, { success: false, message: String(e) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const text = raw.length && req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    const authorization = req.headers.authorization;
    const record = (kind: string) => calls.push({ kind, path: url.pathname, ...(body && { body }), ...(authorization && { authorization }) });
    if (url.pathname === '/session/v1/login-request') {
      record('login');
      return send(res, 200, login(body?.data as Record<string, unknown>));
    }
    if (url.pathname.startsWith('/chunks/')) {
      record('chunk');
      const chunk = chunks.get(url.pathname);
      if (chunk === undefined) return send(res, 404, { message: 'no such chunk' });
      // cloud storage serves chunks as bytes: a JSON content type would make the driver parse the bare rows itself
      res.writeHead(200, { 'Content-Type': 'binary/octet-stream', 'Content-Encoding': 'gzip' });
      res.end(gzipSync(chunk));
      return;
    }
    const session = sessionOf(authorization);
    if (!session) {
      record('unauthenticated');
      return send(res, 200, { success: false, code: '390104', message: 'Incorrect username or password was specified.', data: null });
    }
    if (url.pathname === '/queries/v1/query-request') {
      record('query');
      return send(res, 200, await execute(String(body?.sqlText ?? ''), url.searchParams.get('requestId') ?? ''));
    }
    const result = /^\/queries\/([^/]+)\/result$/.exec(url.pathname);
    if (result) {
      record('result');
      const q = pending.get(result[1]!);
      if (!q) return send(res, 200, errorBody(result[1]!, { code: '000709', message: `Statement ${result[1]} not found` }));
      if (q.aborted) {
        pending.delete(q.id);
        return send(res, 200, errorBody(q.id, { code: '000604', message: 'SQL execution canceled', sqlState: '57014' }));
      }
      if (q.done === undefined) return send(res, 200, running(q.id));
      pending.delete(q.id);
      return send(res, 200, q.done);
    }
    if (url.pathname === '/queries/v1/abort-request' || /^\/queries\/[^/]+\/abort-request$/.test(url.pathname)) {
      record('abort');
      const requestId = String(body?.requestId ?? '');
      for (const q of pending.values()) {
        if (url.pathname.includes(q.id) || (requestId !== '' && q.requestId === requestId)) {
          q.aborted = true;
          q.onAbort();
        }
      }
      return send(res, 200, { success: true, code: null, message: null, data: null });
    }
    if (url.pathname === '/session' && url.searchParams.get('delete') === 'true') {
      record('close');
      sessions.delete(tokenOf(authorization) ?? '');
      return send(res, 200, { success: true, code: null, message: null, data: null });
    }
    record('other');
    return send(res, 200, { success: true, code: null, message: null, data: null });
  }

  function login(data: Record<string, unknown> | undefined): unknown {
    const name = String(data?.LOGIN_NAME ?? '');
    const user = users.get(name.toUpperCase());
    const denied = { success: false, code: '390100', message: 'Incorrect username or password was specified.', data: { nextAction: 'RETRY_LOGIN', authnMethod: 'USERNAME_PASSWORD' } };
    if (!user || String(data?.ACCOUNT_NAME ?? '').toUpperCase() !== account) return denied;
    const authenticator = String(data?.AUTHENTICATOR ?? 'SNOWFLAKE').toUpperCase();
    if (authenticator === 'SNOWFLAKE_JWT') {
      if (!user.publicKey) return { ...denied, code: '390144', message: 'JWT token is invalid.' };
      const problem = verifyLoginJwt(String(data?.TOKEN ?? ''), user.publicKey, account, name.toUpperCase());
      if (problem) return { ...denied, code: '390144', message: `JWT token is invalid: ${problem}` };
    } else if (user.password === undefined || data?.PASSWORD !== user.password) return denied;
    const token = `session-${randomUUID()}`;
    sessions.set(token, { user: name });
    return {
      success: true,
      code: null,
      message: null,
      data: { token, masterToken: `master-${randomUUID()}`, validityInSeconds: 3600, masterValidityInSeconds: 14400, sessionId: Date.now(), parameters: [], sessionInfo: {} },
    };
  }

  function sessionOf(authorization: string | undefined): Session | undefined {
    const token = tokenOf(authorization);
    return token === undefined ? undefined : sessions.get(token);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    connectionOptions: { host: '127.0.0.1', port, protocol: 'http', account: account.toLowerCase() },
    calls,
    queries: () => calls.filter((c) => c.kind === 'query').map((c) => String(c.body?.sqlText)),
    addUser: (name, user) => users.set(name.toUpperCase(), user),
    exec: (sql) =>
      serial(async () => {
        await attach(sql);
        await db.run(sql);
      }),
    touch: (table, at = new Date()) => clock.set(table.toUpperCase(), at),
    failNext: (match, error) => failures.push({ match, error }),
    holdNext: (match) => new Promise((found) => holds.push({ match, found })),
    async close() {
      for (const q of pending.values()) q.onAbort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.closeSync();
      instance.closeSync();
    },
  };
}

function tokenOf(authorization: string | undefined): string | undefined {
  return /^Snowflake Token="([^"]*)"$/.exec(authorization ?? '')?.[1];
}

function errorBody(queryId: string, error: SnowflakeErrorSpec): unknown {
  return {
    success: false,
    code: error.code,
    message: error.message,
    data: { queryId, errorCode: error.code, sqlState: error.sqlState ?? '42000', internalError: false, age: 0, line: -1, pos: -1 },
  };
}

/** A DuckDB error as Snowflake words it: compilation errors carry `line N at position M` (position 0-based). */
function duckDbToSnowflake(sql: string, message: string): SnowflakeErrorSpec {
  const excerpt = /\nLINE (\d+): ([^\n]*)\n( *)\^/.exec(message);
  const summary = message.split('\n')[0]!.replace(/^\w+ Error: /, '');
  if (!excerpt) return { code: '002003', message: `SQL compilation error:\n${summary}` };
  const line = Number(excerpt[1]);
  let shown = excerpt[2]!;
  let caret = excerpt[3]!.length - `LINE ${excerpt[1]}: `.length;
  if (shown.startsWith('...')) {
    shown = shown.slice(3);
    caret -= 3;
  }
  const text = sql.split('\n')[line - 1] ?? '';
  const at = Math.max(0, text.indexOf(shown.replace(/\.\.\.$/, '').trimEnd())) + caret;
  return { code: '001003', message: `SQL compilation error:\nsyntax error line ${line} at position ${at} unexpected '${summary}'.` };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
