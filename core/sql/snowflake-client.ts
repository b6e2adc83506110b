// The one place snowflake-sdk is loaded (lazily, in the CLI and runner processes only: the extension host
// never imports this file). Wraps the driver's callbacks in promises, cancels a statement when the step's
// signal fires (the driver sends abort-request), and reports each statement's query id as soon as
// Snowflake assigned it, so the step log has it even for a query that is then cancelled or fails.
import type { Readable } from 'node:stream';
import type { Connection, ConnectionOptions, RowStatement as Statement } from 'snowflake-sdk';
import { filterNodeVersionWarning } from '../aws/clients';
import type { SnowflakeSettings } from './snowflake-credentials';

type Sdk = typeof import('snowflake-sdk');

export interface SnowflakeColumn {
  name: string;
  /** Snowflake's type name in the result metadata: fixed, real, text, boolean, date, timestamp_ntz, variant, … */
  type: string;
  precision: number;
  scale: number;
}

export interface SnowflakeQuery {
  sql: string;
  signal: AbortSignal;
  onQueryId?: (id: string) => void;
}

/** A failed statement, with what Snowflake said: its error code, SQL state and message. */
export class SnowflakeQueryError extends Error {
  override name = 'SnowflakeQueryError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly queryId: string | undefined,
    readonly cancelled: boolean,
  ) {
    super(message);
  }
}

export interface SnowflakeRows {
  columns: SnowflakeColumn[];
  rows: Record<string, unknown>[];
  queryId: string;
}

export interface SnowflakeStream {
  columns: SnowflakeColumn[];
  queryId: string;
  /** Rows as the driver fetches them chunk by chunk; numbers arrive as exact strings. */
  rows: AsyncIterable<Record<string, unknown>>;
}

let sdk: Promise<Sdk> | undefined;

async function loadSdk(): Promise<Sdk> {
  // the driver loads the AWS SDK (for stage transfers), which warns about this Node version on load
  filterNodeVersionWarning();
  const mod = (await import('snowflake-sdk')) as Sdk & { default?: Sdk };
  const sf = mod.default ?? mod;
  // The driver's own log would otherwise go to a snowflake.log file in the working folder.
  sf.configure({ logLevel: 'OFF' });
  return sf;
}

export class SnowflakeSession {
  private constructor(private readonly conn: Connection) {}

  static async open(settings: SnowflakeSettings): Promise<SnowflakeSession> {
    const sf = await (sdk ??= loadSdk());
    const conn = sf.createConnection(connectionOptions(settings));
    try {
      await (settings.authenticator === 'EXTERNALBROWSER' ? conn.connectAsync(() => undefined) : promisedConnect(conn));
    } catch (e) {
      throw new SnowflakeQueryError(`cannot sign in to Snowflake account ${settings.account} as ${settings.user}: ${errorText(e)}`, codeOf(e), undefined, false);
    }
    return new SnowflakeSession(conn);
  }

  /** Runs a statement and collects its (small) result. */
  async query(q: SnowflakeQuery): Promise<SnowflakeRows> {
    const { statement, columns, queryId } = await this.start(q, false);
    const rows = (statement as Statement & { rows?: Record<string, unknown>[] }).rows ?? [];
    return { columns, rows, queryId };
  }

  /** Runs a statement whose result is read row by row, never whole. */
  async stream(q: SnowflakeQuery): Promise<SnowflakeStream> {
    const { statement, columns, queryId } = await this.start(q, true);
    const readable: Readable = statement.streamRows();
    const onAbort = () => readable.destroy(new SnowflakeQueryError('cancelled', undefined, queryId, true));
    q.signal.addEventListener('abort', onAbort, { once: true });
    readable.once('close', () => q.signal.removeEventListener('abort', onAbort));
    return { columns, queryId, rows: readable };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.conn.destroy(() => resolve()));
  }

  private start(q: SnowflakeQuery, streamResult: boolean): Promise<{ statement: Statement; columns: SnowflakeColumn[]; queryId: string }> {
    return new Promise((resolve, reject) => {
      if (q.signal.aborted) return reject(new SnowflakeQueryError('cancelled before it started', undefined, undefined, true));
      let reported = false;
      const report = (id: string | undefined) => {
        if (!id || reported) return;
        reported = true;
        q.onQueryId?.(id);
      };
      let statement: Statement | undefined;
      const cancel = () => statement?.cancel(() => undefined);
      q.signal.addEventListener('abort', cancel, { once: true });
      const rows: Record<string, unknown>[] = [];
      statement = this.conn.execute({
        sqlText: q.sql,
        streamResult,
        fetchAsString: ['Number'],
        complete: (err, stmt, result) => {
          q.signal.removeEventListener('abort', cancel);
          const id = stmt?.getQueryId?.() ?? (err as { data?: { queryId?: string } } | undefined)?.data?.queryId;
          report(id);
          if (err) {
            return reject(new SnowflakeQueryError(errorText(err), codeOf(err), id, q.signal.aborted || codeOf(err) === '000604'));
          }
          if (!streamResult && result) rows.push(...(result as Record<string, unknown>[]));
          Object.assign(stmt, { rows });
          resolve({ statement: stmt, columns: columnsOf(stmt), queryId: id ?? '' });
        },
      });
    });
  }
}

function connectionOptions(s: SnowflakeSettings): ConnectionOptions {
  return {
    account: s.account,
    username: s.user,
    authenticator: s.authenticator,
    application: 'Flowbench',
    // numbers arrive as strings (fetchAsString) and a null one would otherwise be the text 'NULL'
    representNullAsStringNull: false,
    ...(s.password !== undefined && { password: s.password }),
    ...(s.privateKeyPath && { privateKeyPath: s.privateKeyPath }),
    ...(s.privateKeyPass !== undefined && { privateKeyPass: s.privateKeyPass }),
    ...(s.database && { database: s.database }),
    ...(s.schema && { schema: s.schema }),
    ...(s.warehouse && { warehouse: s.warehouse }),
    ...(s.role && { role: s.role }),
    ...(s.host && { host: s.host }),
    ...(s.port !== undefined && { port: s.port }),
    ...(s.protocol && { protocol: s.protocol }),
  } as ConnectionOptions;
}

function promisedConnect(conn: Connection): Promise<void> {
  return new Promise((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
}

function columnsOf(stmt: Statement): SnowflakeColumn[] {
  return (stmt.getColumns() ?? []).map((c) => ({ name: c.getName(), type: c.getType(), precision: c.getPrecision(), scale: c.getScale() }));
}

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown }).code;
  return code === undefined || code === null ? undefined : String(code);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
