// Runs SQL steps for the engine: resolves the step's warehouse profile, renders its template
// (`ref`, `source`, `params`), hands the query to the warehouse and maps whatever the warehouse
// says about the rendered SQL back to a line and column of the SQL file the user wrote.
import { basename, join, resolve } from 'node:path';
import type { SqlFileInfo } from '../flow/analyze';
import { diskHost } from '../flow/host';
import type { Flow, Located, SourceTable, Step } from '../flow/model';
import { DuckDbWarehouse } from './duckdb-warehouse';
import { SnowflakeConfigError, snowflakeSettings } from './snowflake-credentials';
import { snowflakeSourceKey, snowflakeSources } from './snowflake-naming';
import { SnowflakeWarehouse } from './snowflake-warehouse';
import { errorAt, errorIn, RenderedSqlError, SqlStepError } from './errors';
import { renderSql, type RenderedSql } from './render';
import { paramLiteral } from './sql-text';
import { scanTemplate, type TemplateCall } from './template';
import { LineIndex } from '../flow/positions';
import type { PreviewRows, SqlStepResult, Warehouse } from './warehouse';
import type { CheckOutcome } from './data-tests';
import { checkRequest } from './data-tests-request';

export type { SqlStepResult } from './warehouse';
export { SqlStepCancelled, SqlStepError } from './errors';

export interface SqlStepRequest {
  step: Step;
  sql: SqlFileInfo;
  log: (line: string) => void;
  signal: AbortSignal;
}

export interface SqlExecutor {
  run(req: SqlStepRequest): Promise<SqlStepResult>;
  /** The step's compiled SQL and the first `limit` rows it returns, creating nothing. */
  preview(req: Omit<SqlStepRequest, 'signal'> & { signal: AbortSignal; limit: number }): Promise<SqlPreview>;
  /** Re-creates a table step's table from its Parquet export (restored from the cache by the engine). */
  restore(step: Step, parquetPath: string): Promise<void>;
  /** Runs the data tests and the profile of a step's relation, or the tests of a source table. */
  check(target: Step | SourceTable, log: (line: string) => void, signal: AbortSignal): Promise<CheckOutcome>;
  /** Last change times of the Snowflake source tables a step reads (see snowflakeSourceKey); none for DuckDB steps. */
  sourceStamps(step: Step, calls: TemplateCall[], log: (line: string) => void, signal: AbortSignal): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface SqlPreview extends PreviewRows {
  step: string;
  /** The warehouse profile (`local` for the embedded DuckDB) and its engine. */
  warehouse: string;
  dialect: 'duckdb' | 'snowflake';
  /** The SQL as sent: templates rendered. */
  sql: string;
}

export interface SqlExecutorOptions {
  flow: Flow;
  /** `<flow root>/.flowbench`. */
  stateDir: string;
  /** Param values after `--set` overrides, dotted names; defaults to the flow's own values. */
  params?: Map<string, unknown>;
  /** Where Snowflake credentials are looked up; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Read every Snowflake source as of this time (ISO; Time Travel), e.g. to replay a recorded run. */
  snowflakeAt?: string;
}

const LOCAL_WAREHOUSE = 'local';

export function createSqlExecutor(opts: SqlExecutorOptions): SqlExecutor {
  const { flow, stateDir } = opts;
  const params = opts.params ?? new Map([...flow.params].map(([name, p]) => [name, p.value]));
  const warehouses = new Map<string, Warehouse>();

  function flowError(at: Located<unknown>, message: string): SqlStepError {
    return errorAt(flow.root, flow.file, diskHost.readText(flow.file), at.range.start, message);
  }

  function warehouseFor(step: Step): Warehouse {
    const { name, at } = profileOf(flow, step);
    const known = warehouses.get(name);
    if (known) return known;
    const profile = flow.warehouses.get(name);
    if (!profile && name !== LOCAL_WAREHOUSE) {
      const message = `unknown warehouse '${name}': define it under \`warehouses:\` or use '${LOCAL_WAREHOUSE}' (embedded DuckDB).`;
      throw at ? flowError(at, message) : new SqlStepError(message);
    }
    if (profile?.type.value === 'snowflake') {
      const warehouse = snowflakeWarehouse(name);
      warehouses.set(name, warehouse);
      return warehouse;
    }
    const warehouse = new DuckDbWarehouse({
      flow,
      params,
      database: profile?.path ? resolve(flow.root, profile.path.value) : join(stateDir, 'warehouse.duckdb'),
      tablesDir: join(stateDir, 'tables'),
      schema: profile?.schema?.value ?? 'main',
    });
    warehouses.set(name, warehouse);
    return warehouse;
  }

  function snowflakeWarehouse(name: string): SnowflakeWarehouse {
    const profile = flow.warehouses.get(name)!;
    try {
      const settings = snowflakeSettings(profile, { env: opts.env ?? process.env });
      const at = opts.snowflakeAt;
      const pinned = at ? new Map([...flow.sources.values()].flatMap((s) => [...s.tables.values()]).map((t) => [snowflakeSourceKey(t), at])) : undefined;
      return new SnowflakeWarehouse({ flow, profile: name, settings, tablesDir: join(stateDir, 'tables'), ...(pinned && { at: pinned }) });
    } catch (e) {
      if (e instanceof SnowflakeConfigError || e instanceof SqlStepError) throw flowError(profile.type, e.message);
      throw e;
    }
  }

  return {
    async sourceStamps(step, calls, log, signal) {
      const tables = snowflakeSources(flow, step, calls);
      if (!tables.length) return {};
      const warehouse = warehouseFor(step) as SnowflakeWarehouse;
      return warehouse.lastChanged(tables, log, signal);
    },
    async run({ step, sql, log, signal }) {
      if (basename(step.name) !== step.name || step.name.startsWith('.')) {
        throw new SqlStepError(`step name '${step.name}' cannot name a table file; use letters, digits, '_' and '-'.`);
      }
      const warehouse = warehouseFor(step);
      const sources: SourceTable[] = [];
      const rendered = renderStep(flow, profileOf(flow, step).name, sql, params, warehouse, sources, log);
      try {
        return await warehouse.run({
          step: step.name,
          materialize: step.materialize?.value ?? 'table',
          sql: rendered.text,
          sources,
          log,
          signal,
        });
      } catch (e) {
        throw e instanceof RenderedSqlError ? locate(flow, sql, rendered, e) : e;
      }
    },
    async preview({ step, sql, log, signal, limit }) {
      const warehouse = warehouseFor(step);
      const name = profileOf(flow, step).name;
      const sources: SourceTable[] = [];
      const rendered = renderStep(flow, name, sql, params, warehouse, sources, log);
      const dialect = flow.warehouses.get(name)?.type.value === 'snowflake' ? 'snowflake' : 'duckdb';
      try {
        const rows = await warehouse.preview({ step: step.name, sql: rendered.text, sources, log, signal, limit });
        return { step: step.name, warehouse: name, dialect, sql: rendered.text, ...rows };
      } catch (e) {
        throw e instanceof RenderedSqlError ? locate(flow, sql, rendered, e) : e;
      }
    },
    async restore(step, parquetPath) {
      await warehouseFor(step).restore(step.name, parquetPath);
    },
    async check(target, log, signal) {
      // source tables live in the default profile's warehouse
      const step = 'source' in target ? undefined : target;
      const warehouse = step ? warehouseFor(step) : warehouseFor({ name: '' } as Step);
      const from = step ? profileOf(flow, step).name : (flow.warehouse?.value ?? LOCAL_WAREHOUSE);
      const sources: SourceTable[] = [];
      const render = (file: string, text: string) => renderStep(flow, from, { step: target.name, file, text, template: scanTemplate(text), lines: new LineIndex(text) }, params, warehouse, sources, () => undefined);
      const req = checkRequest({ flow, target, warehouse, from, sources, render, profileOf: (s) => profileOf(flow, s).name });
      return warehouse.check(req, sources, log, signal);
    },
    async close() {
      await Promise.all([...warehouses.values()].map((w) => w.close()));
      warehouses.clear();
    },
  };
}

function profileOf(flow: Flow, step: Step): { name: string; at?: Located<string> } {
  const at = step.warehouse ?? flow.warehouse;
  return { name: at?.value ?? LOCAL_WAREHOUSE, at };
}

/** Renders the template, collecting the source tables it reads; a call that cannot be resolved is an error at its position. */
export function renderStep(
  flow: Flow,
  from: string,
  sql: SqlFileInfo,
  params: Map<string, unknown>,
  warehouse: Warehouse,
  sources: SourceTable[],
  log: (line: string) => void,
): RenderedSql {
  const fail = (offset: number, message: string) => errorAt(flow.root, sql.file, sql.text, sql.lines.position(offset), message);
  const problem = sql.template.problems[0];
  if (problem) throw fail(problem.start, problem.message);
  const resolveCall = (call: TemplateCall): string => {
    const argAt = (i: number) => call.argRanges[i]?.start ?? call.start;
    if (call.fn === 'ref') {
      const name = call.args[0]!;
      const target = flow.steps.get(name);
      if (!target) throw fail(argAt(0), `ref('${name}'): no step is named '${name}'.`);
      if (!target.sql) throw fail(argAt(0), `ref('${name}'): '${name}' is a run step and has no table; only SQL steps can be referenced (run steps can write a source file instead).`);
      const to = profileOf(flow, target).name;
      if (from !== to) throw fail(argAt(0), `ref('${name}'): '${name}' runs on warehouse '${to}', this step on '${from}'; a step can only reference tables in its own warehouse.`);
      return warehouse.relation(name);
    }
    if (call.fn === 'source') {
      const [source, name] = call.args as [string, string];
      const src = flow.sources.get(source);
      if (!src) throw fail(argAt(0), `source('${source}', '${name}'): no source is named '${source}' under \`sources:\`.`);
      const table = src.tables.get(name);
      if (!table) throw fail(argAt(1), `source('${source}', '${name}'): source '${source}' has no table '${name}'.`);
      if (!sources.includes(table)) sources.push(table);
      return warehouse.sourceRelation(source, name);
    }
    if (call.fn === 'param') {
      const name = call.args[0]!;
      if (!params.has(name)) throw fail(argAt(0), `params.${name}: no such param; declare it under \`params:\`.`);
      try {
        return paramLiteral(params.get(name));
      } catch (e) {
        throw fail(argAt(0), `params.${name}: ${(e as Error).message}`);
      }
    }
    throw fail(call.start, `unknown template function '${call.fn}': use ref('step'), source('src', 'table') or params.name.`);
  };
  return renderSql(sql.text, sql.template, (call) => {
    const out = resolveCall(call);
    log(`${sql.text.slice(call.start, call.end)} → ${out}`);
    return out;
  });
}

function locate(flow: Flow, sql: SqlFileInfo, rendered: RenderedSql, e: RenderedSqlError): SqlStepError {
  if (e.offset === undefined) return errorIn(flow.root, sql.file, e.summary);
  const pos = sql.lines.position(rendered.sourceOffset(e.offset));
  return errorAt(flow.root, sql.file, sql.text, pos, e.summary);
}
