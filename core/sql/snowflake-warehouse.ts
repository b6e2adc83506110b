// SQL steps on Snowflake. The step's query runs there as `CREATE OR REPLACE TABLE|VIEW … AS`, with the
// query id in the step log; a table is then streamed back into the step's Parquet export (its out, what the
// cache keeps and what `inputs:` consumers read). Source tables are Snowflake tables, fingerprinted by
// their last change time, and with `at` read as of a time through Time Travel.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Flow, SourceTable } from '../flow/model';
import type { CheckOutcome, CheckRequest } from './data-tests';
import { displayPath, RenderedSqlError, SqlStepCancelled, SqlStepError } from './errors';
import { SnowflakeQueryError, SnowflakeSession } from './snowflake-client';
import { describeConnection, type SnowflakeSettings } from './snowflake-credentials';
import { explainSnowflakeError } from './snowflake-errors';
import { exportToParquet } from './snowflake-export';
import { relationParts, snowflakeIdent, snowflakeSourceKey } from './snowflake-naming';
import { previewQuery, quoteLiteral } from './sql-text';
import type { PreviewRows, PreviewRun, SqlStepResult, Warehouse, WarehouseRun } from './warehouse';

export interface SnowflakeWarehouseOptions {
  flow: Flow;
  profile: string;
  settings: SnowflakeSettings;
  /** Folder of the Parquet exports (`.flowbench/tables`). */
  tablesDir: string;
  /** Source key (see snowflakeSourceKey) → ISO time: read that source as of then (Time Travel). */
  at?: Map<string, string>;
}

export class SnowflakeWarehouse implements Warehouse {
  private session?: Promise<SnowflakeSession>;
  private readonly database: string;
  private readonly schema: string;

  constructor(private readonly opts: SnowflakeWarehouseOptions) {
    const { settings, profile } = opts;
    if (!settings.database || !settings.schema) {
      throw new SqlStepError(`Snowflake profile '${profile}' needs \`database:\` and \`schema:\` (where step tables go), in the profile, SNOWFLAKE_DATABASE/SNOWFLAKE_SCHEMA or connections.toml.`);
    }
    this.database = settings.database;
    this.schema = settings.schema;
  }

  relation(step: string): string {
    return [this.database, this.schema, step].map(snowflakeIdent).join('.');
  }

  sourceRelation(source: string, table: string): string {
    const st = this.opts.flow.sources.get(source)?.tables.get(table);
    const at = st ? this.opts.at?.get(snowflakeSourceKey(st)) : undefined;
    const name = this.tableName(st, source, table);
    return at ? `${name} AT(TIMESTAMP => ${quoteLiteral(at)}::TIMESTAMP_LTZ)` : name;
  }

  async run(run: WarehouseRun): Promise<SqlStepResult> {
    const relation = this.relation(run.step);
    const kind = run.materialize;
    const prefix = `CREATE OR REPLACE ${kind === 'view' ? 'VIEW' : 'TABLE'} ${relation} AS\n`;
    const session = await this.open(run.log, run.signal, run.step);
    const started = Date.now();
    run.log(`creating ${kind} ${relation} on Snowflake`);
    await this.statement(session, prefix + run.sql, run, prefix.length, 'query');
    if (kind === 'view') {
      run.log(`${relation}: view created in ${seconds(started)}`);
      return { relation, kind };
    }
    mkdirSync(this.opts.tablesDir, { recursive: true });
    const parquet = join(this.opts.tablesDir, `${run.step}.parquet`);
    const exportStarted = Date.now();
    const stream = await this.stream(session, `SELECT * FROM ${relation}`, run);
    let rows: number;
    try {
      rows = (await exportToParquet(stream, parquet, this.opts.tablesDir, run.signal)).rows;
    } catch (e) {
      if (run.signal.aborted) throw new SqlStepCancelled(run.step);
      throw new SqlStepError(`${run.step}: exporting ${relation} to ${displayPath(this.opts.flow.root, parquet)} failed: ${(e as Error).message}`);
    }
    run.log(`${relation}: ${rows.toLocaleString('en-US')} rows, created in ${seconds(started)}, exported in ${seconds(exportStarted)} → ${displayPath(this.opts.flow.root, parquet)}`);
    return { relation, kind: 'table', rows, parquet };
  }

  async preview(run: PreviewRun): Promise<PreviewRows> {
    const session = await this.open(run.log, run.signal, run.step);
    const { prefix, text } = previewQuery(run.sql, run.limit);
    const result = await this.statement(session, text, run, prefix.length, 'preview query');
    const columns = result.columns.map((c) => c.name);
    return { columns, rows: result.rows.map((r) => columns.map((c) => jsonValue(r[c]))) };
  }

  /** Each source table's last change time (ISO), keyed as the fingerprint keys it. */
  async lastChanged(tables: SourceTable[], log: (line: string) => void, signal: AbortSignal): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    if (!tables.length) return out;
    const session = await this.open(log, signal, 'sources');
    for (const table of tables) {
      const key = snowflakeSourceKey(table);
      const pinned = this.opts.at?.get(key);
      if (pinned) {
        out[key] = pinned;
        continue;
      }
      const [db, schema, name] = this.parts(table);
      const sql = `SELECT DATE_PART(EPOCH_MILLISECOND, LAST_ALTERED) AS T FROM ${snowflakeIdent(db)}.INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = ${quoteLiteral(plain(schema))} AND TABLE_NAME = ${quoteLiteral(plain(name))}`;
      const result = await this.statement(session, sql, { step: 'sources', log, signal }, sql.length + 1, 'source check').catch((e: unknown) => {
        throw e instanceof RenderedSqlError ? new SqlStepError(`source ${table.source}.${table.name}: cannot read its last change time: ${e.summary}`) : e;
      });
      const ms = result.rows[0]?.T;
      if (ms === undefined || ms === null) {
        throw new SqlStepError(`source ${table.source}.${table.name}: Snowflake has no table ${this.tableName(table, table.source, table.name)} (or this role cannot see it).`);
      }
      out[key] = new Date(Number(ms)).toISOString();
    }
    return out;
  }

  async restore(step: string): Promise<void> {
    throw new SqlStepError(`${step}: a Snowflake table is not restored from the local cache; the step runs again instead.`);
  }

  /** No profile on Snowflake (its queries are DuckDB's); data tests there are refused with a remedy, not skipped. */
  async check(req: CheckRequest): Promise<CheckOutcome> {
    if (!req.tests.length) return { tests: [] };
    throw new SqlStepError(`${req.table}: data tests (\`tests:\`) are not supported on Snowflake steps yet; move them to a DuckDB step that reads this table through \`inputs:\`, or remove them.`);
  }

  async close(): Promise<void> {
    const session = await this.session?.catch(() => undefined);
    this.session = undefined;
    await session?.close();
  }

  private tableName(st: SourceTable | undefined, source: string, table: string): string {
    return this.parts(st ?? ({ source, name: table } as SourceTable)).map(snowflakeIdent).join('.');
  }

  /** `relation:` as database, schema, table; without it, the source is a schema of the profile's database. */
  private parts(st: SourceTable): [string, string, string] {
    const written = st.relation ? relationParts(st.relation.value) : undefined;
    if (written?.length === 3) return written as [string, string, string];
    if (written?.length === 2) return [this.database, written[0]!, written[1]!];
    return [this.database, st.source, st.name];
  }

  private open(log: (line: string) => void, signal: AbortSignal, step: string): Promise<SnowflakeSession> {
    if (signal.aborted) return Promise.reject(new SqlStepCancelled(step));
    if (!this.session) {
      log(describeConnection(this.opts.settings));
      this.session = SnowflakeSession.open(this.opts.settings).catch((e: unknown) => {
        this.session = undefined;
        throw new SqlStepError((e as Error).message);
      });
    }
    return this.session;
  }

  private async statement(session: SnowflakeSession, sql: string, run: Pick<WarehouseRun, 'step' | 'log' | 'signal'>, prefixLength: number, what: string) {
    try {
      return await session.query({ sql, signal: run.signal, onQueryId: (id) => run.log(`snowflake ${what} id ${id}`) });
    } catch (e) {
      throw this.failure(e, sql, run, prefixLength);
    }
  }

  private async stream(session: SnowflakeSession, sql: string, run: WarehouseRun) {
    try {
      return await session.stream({ sql, signal: run.signal, onQueryId: (id) => run.log(`snowflake export query id ${id}`) });
    } catch (e) {
      throw this.failure(e, sql, run, sql.length + 1);
    }
  }

  private failure(e: unknown, sql: string, run: Pick<WarehouseRun, 'step' | 'signal'>, prefixLength: number): Error {
    if (run.signal.aborted || (e instanceof SnowflakeQueryError && e.cancelled)) return new SqlStepCancelled(run.step);
    if (!(e instanceof SnowflakeQueryError)) return e as Error;
    const { summary, offset } = explainSnowflakeError(e.message, e.code, sql);
    const withId = e.queryId ? `${summary} [query id ${e.queryId}]` : summary;
    return new RenderedSqlError(withId, offset !== undefined && offset >= prefixLength ? offset - prefixLength : undefined);
  }
}

function jsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
}

/** A name as Snowflake stores it, for comparing with INFORMATION_SCHEMA. */
function plain(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name.toUpperCase() : name;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(2)} s`;
}
