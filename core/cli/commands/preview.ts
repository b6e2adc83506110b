// flowbench preview STEP: a SQL step's compiled SQL and the first rows it returns on its warehouse (DuckDB or
// Snowflake), creating nothing. The editor's "Preview SQL Step" panel shows what `--json` prints.
import { stateDirOf } from '../../engine/state';
import { createSqlExecutor, SqlStepError } from '../../sql/execute';
import { parseCommandArgs, positiveInteger } from '../args';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { formatValue, table } from '../format';
import { loadFlowOrExplain } from '../load';
import { line, paint, type Output } from '../output';

export const PREVIEW_ROWS = 100;

export async function previewCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('preview', args, { json: { type: 'boolean' }, limit: { type: 'string' } }, 2);
  const [name, flowArg] = positionals;
  if (!name) throw new UsageError('which step? STEP is missing', 'flowbench status lists the steps; preview takes a SQL step', 'preview');
  const limit = positiveInteger(values.limit, '--limit', 'preview') ?? PREVIEW_ROWS;
  const analysis = loadFlowOrExplain(resolveFlowFile(flowArg), o);
  const step = analysis.flow.steps.get(name);
  const sql = analysis.sql.get(name);
  if (!step || step.kind !== 'sql') throw new UsageError(`'${name}' is ${step ? 'a command step, which has no query' : 'not a step of this flow'}`, 'name a SQL step (one with `sql:`)', 'preview');
  if (!sql) throw new UsageError(`cannot read ${step.sql?.value ?? 'the SQL file'} of step '${name}'`, 'check the path in `sql:`', 'preview');
  const executor = createSqlExecutor({ flow: analysis.flow, stateDir: stateDirOf(analysis.flow) });
  try {
    const preview = await executor.preview({ step, sql, log: () => undefined, signal: new AbortController().signal, limit });
    if (values.json) line(o.out, JSON.stringify(preview));
    else {
      line(o.out, paint(o, 'bold', `${name} on ${preview.warehouse} (${preview.dialect}), compiled SQL:`));
      line(o.out, preview.sql.trimEnd());
      line(o.out, '');
      for (const text of table([preview.columns.map((c) => paint(o, 'bold', c)), ...preview.rows.map((r) => r.map((v) => formatValue(v)))])) line(o.out, text);
      line(o.out, paint(o, 'gray', `${preview.rows.length} row${preview.rows.length === 1 ? '' : 's'}${preview.rows.length === limit ? ` (the first ${limit})` : ''}`));
    }
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof SqlStepError)) throw e;
    if (values.json) line(o.out, JSON.stringify({ step: name, error: e.message, ...(e.location && { location: e.location }) }));
    else line(o.err, `flowbench: ${e.message}`);
    return EXIT.failed;
  } finally {
    await executor.close();
  }
}
