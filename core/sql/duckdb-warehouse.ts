// The embedded warehouse: one DuckDB database file per profile, opened on first use and shared by
// every step of the executor, each step on its own connection so independent steps run at once.
// Every change a step makes happens in one transaction and its Parquet export is written under a
// temporary name and renamed, so a failure or a kill leaves the previous table and file intact.
import type { DuckDBConnection, DuckDBExtractedStatements, DuckDBInstance, DuckDBMaterializedResult, DuckDBValue } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Flow, SourceTable } from '../flow/model';
import { runChecks, type CheckOutcome, type CheckRequest } from './data-tests';
import { explainDuckDbError, lockHolder } from './duckdb-errors';
import { sourceRelation, sourceView } from './duckdb-sources';
import { displayPath, RenderedSqlError, SqlStepCancelled, SqlStepError } from './errors';
import { qualified, quoteIdent, quoteLiteral } from './sql-text';
import { previewQuery } from './sql-text';
import type { PreviewRows, PreviewRun, SqlStepResult, Warehouse, WarehouseRun } from './warehouse';

type DuckDbModule = typeof import('@duckdb/node-api');

/** `.<step>.parquet.<pid>-<random>.tmp` */
const TEMP_EXPORT = /^\..*\.parquet\.(\d+)-[0-9a-f]+\.tmp$/;

interface OpenDatabase {
  duckdb: DuckDbModule;
  instance: DuckDBInstance;
  /** Creates schemas and source views, one statement at a time (DuckDB rejects concurrent creates of one schema). */
  setup: DuckDBConnection;
}

export interface DuckDbWarehouseOptions {
  flow: Flow;
  params: Map<string, unknown>;
  /** Absolute path of the database file. */
  database: string;
  /** Folder of the Parquet exports (`.flowbench/tables`). */
  tablesDir: string;
  /** Schema that step relations live in. */
  schema: string;
}

export class DuckDbWarehouse implements Warehouse {
  private opening?: Promise<OpenDatabase>;
  private setupQueue: Promise<unknown> = Promise.resolve();
  private readonly sourceViews = new Map<string, Promise<void>>();
  private readonly connections = new Set<DuckDBConnection>();
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly opts: DuckDbWarehouseOptions) {}

  relation(step: string): string {
    return qualified(this.opts.schema, step);
  }

  sourceRelation(source: string, table: string): string {
    return sourceRelation(source, table);
  }

  run(run: WarehouseRun): Promise<SqlStepResult> {
    return this.withConnection(run.step, run.signal, async (conn, db) => {
      await this.ensureSources(run, db);
      await checkSingleQuery(conn, run.sql, db.duckdb);
      return run.materialize === 'view' ? this.createView(conn, run) : this.createTable(conn, run);
    });
  }

  preview(run: PreviewRun): Promise<PreviewRows> {
    return this.withConnection(run.step, run.signal, async (conn, db) => {
      await this.ensureSources({ ...run, materialize: 'table' }, db);
      await checkSingleQuery(conn, run.sql, db.duckdb);
      const { prefix, text } = previewQuery(run.sql, run.limit);
      const result = await locatingErrors(text, () => conn.run(text), prefix.length);
      const rows = (await result.getRowObjectsJS()).map(jsonRow);
      const columns = result.columnNames();
      return { columns, rows: rows.map((r) => columns.map((c) => r[c] ?? null)) };
    });
  }

  check(req: CheckRequest, sources: SourceTable[], log: (line: string) => void, signal: AbortSignal): Promise<CheckOutcome> {
    return this.withConnection(req.table, signal, async (conn, db) => {
      await this.ensureSources({ step: req.table, materialize: 'table', sql: '', sources, log, signal }, db);
      return runChecks(
        {
          rows: async (sql) => (await conn.run(sql)).getRowObjectsJS(),
          json: async (sql) => (await (await conn.run(sql)).getRowObjectsJS()).map(jsonRow),
        },
        req,
      );
    });
  }

  async restore(step: string, parquet: string): Promise<void> {
    const relation = this.relation(step);
    if (!existsSync(parquet)) throw new SqlStepError(`cannot restore table ${relation}: ${this.display(parquet)} does not exist.`);
    await this.withConnection(step, new AbortController().signal, async (conn) => {
      await inTransaction(conn, async () => {
        await this.dropOtherKind(conn, step, 'table');
        const load = `CREATE OR REPLACE TABLE ${relation} AS SELECT * FROM read_parquet(${quoteLiteral(parquet)})`;
        try {
          await conn.run(load);
        } catch (e) {
          const { summary } = explainDuckDbError(errorMessage(e), load);
          throw new SqlStepError(`cannot restore table ${relation} from ${this.display(parquet)}: ${summary}`);
        }
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const conn of this.connections) conn.interrupt();
    await Promise.allSettled([...this.pending]);
    const db = await this.opening?.catch(() => undefined);
    if (db) {
      db.setup.closeSync();
      db.instance.closeSync();
    }
  }

  private async withConnection<T>(step: string, signal: AbortSignal, work: (conn: StepConnection, db: OpenDatabase) => Promise<T>): Promise<T> {
    if (this.closed) throw new SqlStepError(`${step}: the SQL executor is already closed.`);
    const task = (async () => {
      if (signal.aborted) throw new SqlStepCancelled(step);
      const db = await this.open();
      const conn = await db.instance.connect();
      const interrupt = () => conn.interrupt();
      signal.addEventListener('abort', interrupt, { once: true });
      this.connections.add(conn);
      try {
        if (this.closed) throw new Error('closed while opening');
        return await work(new StepConnection(conn, signal), db);
      } catch (e) {
        if (signal.aborted) throw new SqlStepCancelled(step);
        if (this.closed) throw new SqlStepError(`${step}: stopped because the SQL executor was closed while it ran.`);
        throw e;
      } finally {
        signal.removeEventListener('abort', interrupt);
        this.connections.delete(conn);
        conn.closeSync();
      }
    })();
    this.pending.add(task);
    try {
      return await task;
    } finally {
      this.pending.delete(task);
    }
  }

  private open(): Promise<OpenDatabase> {
    this.opening ??= this.openDatabase().catch((e: unknown) => {
      // not remembered: the run holding the lock may be gone by the next step
      this.opening = undefined;
      throw e;
    });
    return this.opening;
  }

  private async openDatabase(): Promise<OpenDatabase> {
    const { database, tablesDir, schema } = this.opts;
    mkdirSync(dirname(database), { recursive: true });
    mkdirSync(tablesDir, { recursive: true });
    const duckdb = await import('@duckdb/node-api');
    let instance: DuckDBInstance;
    try {
      // the cache shares one instance per file within this process: two instances of one file would corrupt it
      instance = await duckdb.DuckDBInstance.fromCache(database);
    } catch (e) {
      const message = errorMessage(e);
      const holder = lockHolder(message);
      if (holder) {
        const who = holder.pid ? `process ${holder.pid}${holder.program ? ` (${holder.program})` : ''} holds its lock` : 'it is locked';
        throw new SqlStepError(
          `another flowbench run is using ${this.display(database)}: ${who}. DuckDB lets one process at a time write it; wait for that run to finish or stop it, then run again.`,
        );
      }
      throw new SqlStepError(`cannot open the DuckDB warehouse ${this.display(database)}: ${explainDuckDbError(message, '').summary}`);
    }
    removeAbandonedExports(tablesDir);
    const setup = await instance.connect();
    if (schema !== 'main') await setup.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    return { duckdb, instance, setup };
  }

  /** Creates the views over the source files a step reads, once per executor. */
  private async ensureSources(run: WarehouseRun, db: OpenDatabase): Promise<void> {
    for (const table of run.sources) {
      const view = sourceView(this.opts.flow, table, this.opts.params);
      let ready = this.sourceViews.get(view.key);
      if (!ready) {
        ready = this.serializeSetup(async () => {
          await db.setup.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(view.schema)}`);
          try {
            await db.setup.run(view.create);
          } catch (e) {
            throw view.fail(explainDuckDbError(errorMessage(e), view.create).summary);
          }
          run.log(view.describe);
        });
        ready.catch(() => this.sourceViews.delete(view.key));
        this.sourceViews.set(view.key, ready);
      }
      await ready;
    }
  }

  private serializeSetup<T>(work: () => Promise<T>): Promise<T> {
    const result = this.setupQueue.then(work);
    this.setupQueue = result.catch(() => undefined);
    return result;
  }

  private async createTable(conn: StepConnection, run: WarehouseRun): Promise<SqlStepResult> {
    const relation = this.relation(run.step);
    const parquet = this.parquetPath(run.step);
    const temp = join(this.opts.tablesDir, `.${run.step}.parquet.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    const started = Date.now();
    run.log(`creating table ${relation}`);
    let rows = 0;
    try {
      await inTransaction(conn, async () => {
        await this.dropOtherKind(conn, run.step, 'table');
        await runRendered(conn, `CREATE OR REPLACE TABLE ${relation} AS\n`, run.sql);
        const copied = await conn.run(`COPY ${relation} TO ${quoteLiteral(temp)} (FORMAT parquet)`);
        rows = Number((await copied.getRows())[0]?.[0] ?? 0);
      });
      renameSync(temp, parquet);
    } catch (e) {
      rmSync(temp, { force: true });
      throw e;
    }
    const size = statSync(parquet).size;
    run.log(`${relation}: ${rows.toLocaleString('en-US')} rows in ${seconds(started)} → ${this.display(parquet)} (${megabytes(size)})`);
    return { relation, kind: 'table', rows, parquet };
  }

  private async createView(conn: StepConnection, run: WarehouseRun): Promise<SqlStepResult> {
    const relation = this.relation(run.step);
    const started = Date.now();
    run.log(`creating view ${relation}`);
    await inTransaction(conn, async () => {
      await this.dropOtherKind(conn, run.step, 'view');
      await runRendered(conn, `CREATE OR REPLACE VIEW ${relation} AS\n`, run.sql);
    });
    // a table export left from when this step was a table would hand stale rows to `inputs:` consumers
    rmSync(this.parquetPath(run.step), { force: true });
    run.log(`${relation}: view created in ${seconds(started)}`);
    return { relation, kind: 'view' };
  }

  /** CREATE OR REPLACE cannot turn a view into a table or back, so the other kind goes first. */
  private async dropOtherKind(conn: StepConnection, step: string, kind: 'table' | 'view'): Promise<void> {
    const found = await conn.run(
      'SELECT table_type FROM information_schema.tables WHERE lower(table_schema) = lower(?) AND lower(table_name) = lower(?)',
      [this.opts.schema, step],
    );
    const type = (await found.getRows())[0]?.[0];
    if (type === 'VIEW' && kind === 'table') await conn.run(`DROP VIEW ${this.relation(step)}`);
    if (type === 'BASE TABLE' && kind === 'view') await conn.run(`DROP TABLE ${this.relation(step)}`);
  }

  private parquetPath(step: string): string {
    return join(this.opts.tablesDir, `${step}.parquet`);
  }

  private display(path: string): string {
    return displayPath(this.opts.flow.root, path);
  }
}

/**
 * Temporary exports left by a process killed mid-write. Warehouses with other database files share
 * the folder, so only files of processes that no longer exist go.
 */
function removeAbandonedExports(tablesDir: string): void {
  for (const name of readdirSync(tablesDir)) {
    const pid = TEMP_EXPORT.exec(name)?.[1];
    if (pid && !isRunning(Number(pid))) rmSync(join(tablesDir, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Parses the step's SQL alone first, so syntax and binder errors point into the user's text, not our wrapper. */
async function checkSingleQuery(conn: StepConnection, sql: string, duckdb: DuckDbModule): Promise<void> {
  const start = leadingTrivia(sql);
  if (start === sql.length) throw new RenderedSqlError('the file has no SQL statement: write one SELECT query.');
  const statements = await locatingErrors(sql, () => conn.extractStatements(sql));
  if (statements.count > 1) {
    throw new RenderedSqlError(
      `the file has ${statements.count} statements, but a SQL step is exactly one query (a SELECT; flowbench creates the table or view from it). Move the others into steps of their own.`,
      secondStatement(sql),
    );
  }
  const prepared = await locatingErrors(sql, () => statements.prepare(0));
  try {
    const type = prepared.statementType;
    if (type !== duckdb.StatementType.SELECT) {
      throw new RenderedSqlError(
        `a SQL step is one SELECT query (flowbench creates the table or view from it), not a ${duckdb.StatementType[type] ?? 'different'} statement.`,
        start,
      );
    }
  } finally {
    prepared.destroySync();
  }
}

/**
 * Where the second statement starts: after the first `;` outside strings, quoted names and comments.
 * Only called once DuckDB has said there is more than one statement.
 */
function secondStatement(sql: string): number | undefined {
  const token = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$\$[\s\S]*?\$\$|;/g;
  for (let m = token.exec(sql); m; m = token.exec(sql)) {
    if (m[0] !== ';') continue;
    const next = m.index + 1 + leadingTrivia(sql.slice(m.index + 1));
    if (next < sql.length) return next;
  }
  return undefined;
}

/** Length of the whitespace, comments and semicolons a query starts with. */
function leadingTrivia(sql: string): number {
  return /^(\s|;|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/.exec(sql)![0].length;
}

/** Runs `prefix + sql`, reporting errors at offsets within `sql`. */
async function runRendered(conn: StepConnection, prefix: string, sql: string): Promise<void> {
  await locatingErrors(prefix + sql, () => conn.run(prefix + sql), prefix.length);
}

/** Turns a DuckDB error about `query` into a RenderedSqlError with an offset past `prefixLength`. */
async function locatingErrors<T>(query: string, work: () => Promise<T>, prefixLength = 0): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const { summary, offset } = explainDuckDbError(errorMessage(e), query);
    throw new RenderedSqlError(summary, offset !== undefined && offset >= prefixLength ? offset - prefixLength : undefined);
  }
}

async function inTransaction(conn: StepConnection, work: () => Promise<void>): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    await work();
    await conn.run('COMMIT');
  } catch (e) {
    await conn.rollback();
    throw e;
  }
}

/**
 * A step's connection. DuckDB forgets an interrupt that arrives between two statements, so every
 * statement also checks the step's signal before it starts and after it ends: once the step is
 * aborted nothing more runs and nothing gets committed.
 */
class StepConnection {
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly signal: AbortSignal,
  ) {}

  async run(sql: string, values?: DuckDBValue[]): Promise<DuckDBMaterializedResult> {
    this.checkSignal();
    const result = await this.conn.run(sql, values);
    this.checkSignal();
    return result;
  }

  extractStatements(sql: string): Promise<DuckDBExtractedStatements> {
    this.checkSignal();
    return this.conn.extractStatements(sql);
  }

  async rollback(): Promise<void> {
    await this.conn.run('ROLLBACK').catch(() => undefined);
  }

  private checkSignal(): void {
    if (this.signal.aborted) throw new Error('aborted');
  }
}

/** A row for a JSON record: numbers stay numbers (BIGINT too, when exact), dates and the rest become their text. */
function jsonRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'bigint') out[k] = Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    else if (v instanceof Date) out[k] = v.toISOString();
    else out[k] = v === null || typeof v !== 'object' ? v : String(v);
  }
  return out;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(2)} s`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
