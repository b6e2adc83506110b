// flowbench test [STEP|SOURCE.TABLE]... [FLOW]: runs data tests on what is materialized now, without
// running any step. Results also update .flowbench/checks/<step>.json, as a run's checks do.
import { existsSync } from 'node:fs';
import { checkStep } from '../../engine/data-checks';
import { StepStateStore, stateDirOf } from '../../engine/state';
import type { SourceTable, Step } from '../../flow/model';
import { createSqlExecutor } from '../../sql/execute';
import type { TestResult } from '../../runs/types';
import { parseCommandArgs } from '../args';
import { printTests } from '../data-report';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { loadFlowOrExplain } from '../load';
import { line, paint, type Output } from '../output';

export async function testCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('test', args, { json: { type: 'boolean' } }, 100);
  const flowArg = positionals.find((p) => /\.ya?ml$/.test(p) || (p.includes('/') && existsSync(p)));
  const names = positionals.filter((p) => p !== flowArg);
  const analysis = loadFlowOrExplain(resolveFlowFile(flowArg), o);
  const { flow } = analysis;
  const targets: (Step | SourceTable)[] = [];
  for (const name of names) {
    const step = flow.steps.get(name);
    const [source, tableName] = name.split('.');
    const table = tableName === undefined ? undefined : flow.sources.get(source!)?.tables.get(tableName);
    if (step?.kind === 'sql') targets.push(step);
    else if (table) targets.push(table);
    else throw new UsageError(`'${name}' is ${step ? 'a command step, which has no table' : 'neither a SQL step nor a source table'}`, 'name a SQL step or a source table (source.table); without names every test runs', 'test');
  }
  if (!names.length) {
    for (const step of flow.steps.values()) if (step.kind === 'sql' && step.tests?.tests.length) targets.push(step);
    for (const source of flow.sources.values()) for (const t of source.tables.values()) if (t.tests?.tests.length) targets.push(t);
  }
  const states = new StepStateStore(flow);
  const executor = createSqlExecutor({ flow, stateDir: stateDirOf(flow) });
  const results: TestResult[] = [];
  let missing = 0;
  const signal = new AbortController().signal;
  try {
    for (const target of targets) {
      if ('source' in target) {
        results.push(...(await executor.check(target, () => undefined, signal)).tests);
        continue;
      }
      const state = states.read(target.name);
      if (!state) {
        missing++;
        line(o.err, paint(o, 'yellow', `${target.name}: not materialized yet (or it changed since): run flowbench run --step ${target.name} first`));
        continue;
      }
      const own = await checkStep({ analysis, step: target, executor, tableFingerprint: state.fingerprint, reuse: false, log: () => undefined, signal });
      // source tables a step reads are tested on their own above when named, or below when not
      results.push(...own.tests.filter((t) => t.table === target.name || names.length > 0));
    }
    if (!names.length) {
      // sources read by tested steps were checked with them; keep one result per test
      const seen = new Set<string>();
      for (let i = results.length - 1; i >= 0; i--) {
        const key = `${results[i]!.table} ${results[i]!.name} ${results[i]!.location?.line}:${results[i]!.location?.column}`;
        if (seen.has(key)) results.splice(i, 1);
        else seen.add(key);
      }
    }
  } finally {
    await executor.close();
    states.close();
  }
  if (values.json) line(o.out, JSON.stringify(results, null, 2));
  else {
    printTests(o, results, '');
    const failed = results.filter((t) => t.status !== 'pass' && t.severity === 'error').length;
    const warned = results.filter((t) => t.status !== 'pass' && t.severity === 'warn').length;
    line(o.out, `${results.length} tests: ${results.length - failed - warned} passed, ${warned} warned, ${failed} failed`);
  }
  const failed = results.some((t) => t.status !== 'pass' && t.severity === 'error');
  return failed || missing ? EXIT.failed : EXIT.ok;
}
