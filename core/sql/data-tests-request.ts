// Turns a step's or source table's `tests:` into a CheckRequest for its warehouse: the relation tested,
// what each `to:` / ratio `of` name renders to, and each custom test's SQL rendered like a step's.
// Everything is resolved up front, so the source views the checks read are known before they run.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Flow, SourceTable, Step } from '../flow/model';
import type { CheckRequest } from './data-tests';
import type { RenderedSql } from './render';
import type { Warehouse } from './warehouse';

export interface CheckRequestInput {
  flow: Flow;
  target: Step | SourceTable;
  warehouse: Warehouse;
  /** The warehouse profile the target lives in. */
  from: string;
  /** Filled with the source tables the checks read. */
  sources: SourceTable[];
  render(file: string, text: string): RenderedSql;
  profileOf(step: Step): string;
}

export function checkRequest(input: CheckRequestInput): CheckRequest {
  const { flow, target, warehouse, sources } = input;
  const isSource = 'source' in target;
  const table = isSource ? `${target.source}.${target.name}` : target.name;
  const tests = target.tests?.tests ?? [];
  if (isSource && !sources.includes(target)) sources.push(target);

  const relations = new Map<string, string | Error>();
  const resolveName = (name: string): string | Error => {
    const step = flow.steps.get(name);
    if (step) {
      if (step.kind !== 'sql') return new Error(`'${name}' is a command step, which has no table to test against`);
      if (input.profileOf(step) !== input.from) return new Error(`'${name}' runs on warehouse '${input.profileOf(step)}', ${table} on '${input.from}'`);
      return warehouse.relation(name);
    }
    const [source, tableName] = name.split('.');
    const src = tableName === undefined ? undefined : flow.sources.get(source!)?.tables.get(tableName);
    if (!src) return new Error(`'${name}' is neither a SQL step nor a source table`);
    if (!sources.includes(src)) sources.push(src);
    return warehouse.sourceRelation(src.source, src.name);
  };
  const custom = new Map<object, string | Error>();
  for (const t of tests) {
    for (const name of [t.to?.value, t.rowsMin?.of?.value, t.rowsMax?.of?.value]) if (name && !relations.has(name)) relations.set(name, resolveName(name));
    if (t.file) {
      const file = resolve(flow.root, t.file.value);
      try {
        custom.set(t, input.render(file, readFileSync(file, 'utf8')).text.replace(/;\s*$/, ''));
      } catch (e) {
        custom.set(t, e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
  const value = (v: string | Error | undefined, what: string): string => {
    if (v === undefined) throw new Error(`${what} is unknown`);
    if (v instanceof Error) throw v;
    return v;
  };
  return {
    table,
    relation: isSource ? warehouse.sourceRelation(target.source, target.name) : warehouse.relation(target.name),
    tests,
    profile: !isSource,
    flowFile: flow.file,
    relationOf: (name) => value(relations.get(name), `table '${name}'`),
    customSql: (t) => value(custom.get(t), 'the test query'),
  };
}
