// Names on Snowflake, without loading the driver (the engine's fingerprints and the validator use these too).
// Snowflake folds unquoted names to upper case, so a name users would write unquoted (`features`,
// `raw.flights`) is quoted in upper case and means the same table; any other name keeps its case.
import type { Flow, SourceTable, Step } from '../flow/model';
import { quoteIdent } from './sql-text';

const PLAIN = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export function snowflakeIdent(name: string): string {
  return quoteIdent(PLAIN.test(name) ? name.toUpperCase() : name);
}

/** `DB.SCHEMA.TABLE` or `SCHEMA.TABLE` as written in `relation:`, split; undefined when it is neither. */
export function relationParts(relation: string): string[] | undefined {
  const parts = relation.split('.').map((p) => p.trim().replace(/^"(.*)"$/, '$1'));
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return undefined;
  return parts;
}

/** The profile a step runs on; `local` when neither the step nor the flow names one. */
export function profileName(flow: Flow, step: Step | undefined): string {
  return (step?.warehouse ?? flow.warehouse)?.value ?? 'local';
}

export function isSnowflakeStep(flow: Flow, step: Step): boolean {
  return step.kind === 'sql' && flow.warehouses.get(profileName(flow, step))?.type.value === 'snowflake';
}

/** How a Snowflake source table is keyed among a step's fingerprinted sources. */
export function snowflakeSourceKey(table: SourceTable): string {
  return `snowflake:${table.source}.${table.name}`;
}

/** The Snowflake source tables a step's SQL reads (by its template calls), each once. */
export function snowflakeSources(flow: Flow, step: Step, calls: { fn: string; args: string[] }[]): SourceTable[] {
  if (!isSnowflakeStep(flow, step)) return [];
  const out: SourceTable[] = [];
  for (const call of calls) {
    if (call.fn !== 'source') continue;
    const table = flow.sources.get(call.args[0] ?? '')?.tables.get(call.args[1] ?? '');
    if (table && !out.includes(table)) out.push(table);
  }
  return out;
}
