// flowbench card RUN [FLOW] [--check] [--format md|html|json|mct] [-o FILE]: the model card of a run.
// Without --format, a summary for the terminal; with --check, exit 1 when a check fails or cannot be
// evaluated (for CI). Perturbation checks run the model with ONNX Runtime in its worker process.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildCard, failedChecks } from '../../model/card';
import type { ModelCard } from '../../model/card-types';
import { formatDelta, formatNumber } from '../../model/export-format';
import { CARD_FORMATS, renderCard, type CardFormat } from '../../model/export';
import { inspectOnnx } from '../../model/onnx-inspect';
import { ortRunner } from '../../model/ort-runner';
import { writeFileAtomic } from '../../runs/atomic';
import { AmbiguousRunIdError } from '../../runs/store';
import { parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { loadFlowOrExplain } from '../load';
import { line, paint, type Output } from '../output';
import { openStoreFor } from '../run-store';

export async function cardCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('card', args, {
    check: { type: 'boolean' },
    format: { type: 'string' },
    output: { type: 'string', short: 'o' },
  }, 2);
  const [runId, flowArg] = positionals;
  if (!runId) throw new UsageError('which run? RUN is missing', 'list runs with flowbench runs, then flowbench card ID (a unique prefix is enough)', 'card');
  const format = values.format as CardFormat | undefined;
  if (format !== undefined && !CARD_FORMATS.includes(format)) throw new UsageError(`unknown format '${format}'`, `use one of ${CARD_FORMATS.join(', ')}`, 'card');
  if (values.output && !format) throw new UsageError('-o needs --format', 'e.g. flowbench card RUN --format md -o README.md', 'card');
  const flowFile = resolveFlowFile(flowArg);
  const { store, stateDir } = await openStoreFor(dirname(flowFile), o);
  let record;
  try {
    record = await store.get(runId);
  } catch (err) {
    if (err instanceof AmbiguousRunIdError) throw new UsageError(err.message, 'type more of the id', 'card');
    throw err;
  }
  if (!record) throw new UsageError(`no run '${runId}' is recorded for this flow`, 'list runs with flowbench runs', 'card');
  // Several flows may share a folder's store: the card follows the run's own flow file.
  const analysis = loadFlowOrExplain(existsSync(record.flowFile) ? record.flowFile : flowFile, o, { allowErrors: true });
  const card = await buildCard({ analysis, record, stateDir, store, inspect: inspectOnnx, runner: ortRunner() });
  if (format) {
    const text = renderCard(card, format);
    if (values.output) {
      const target = resolve(values.output);
      writeFileAtomic(target, text);
      line(o.err, `Wrote the ${format} card of run ${card.details.run} to ${values.output}`);
    } else o.out.write(text);
  } else printSummary(o, card);
  if (!values.check) return EXIT.ok;
  const failed = failedChecks(card);
  if (format) for (const ch of failed) line(o.err, `check ${ch.status === 'fail' ? 'failed' : 'not evaluated'}: ${ch.name}: ${ch.message}`);
  if (card.checks.length === 0) line(o.err, 'flowbench card --check: the flow declares no model.checks');
  return failed.length ? EXIT.failed : EXIT.ok;
}

function printSummary(o: Output, card: ModelCard): void {
  const d = card.details;
  line(o.out, `${paint(o, 'bold', `Model card: ${d.name}`)}  run ${d.run} (${d.runStatus})`);
  line(o.out, `  model ${d.path ?? 'n/a'}  sha256 ${d.sha256?.slice(0, 12) ?? 'n/a'}…  ${d.previous ? `compared with run ${d.previous.run}` : 'no previous model'}`);
  for (const p of card.problems) line(o.out, paint(o, 'yellow', `  ! ${p}`));
  if (card.metrics.overall.length) {
    line(o.out, '\n' + paint(o, 'bold', 'Metrics'));
    for (const m of card.metrics.overall) line(o.out, `  ${m.name.padEnd(24)} ${formatNumber(m.value).padStart(10)}  ${formatDelta(m)}`);
  }
  for (const t of card.metrics.slices) line(o.out, `  by ${t.name}: ${t.rows.length} slices (${t.metrics.join(', ')})`);
  if (card.checks.length) {
    line(o.out, '\n' + paint(o, 'bold', 'Checks'));
    for (const ch of card.checks) {
      const mark = ch.status === 'pass' ? paint(o, 'green', '✔ pass ') : ch.status === 'fail' ? paint(o, 'red', '✘ fail ') : paint(o, 'yellow', '! error');
      const where = ch.line !== undefined ? paint(o, 'gray', ` (line ${ch.line + 1}${ch.code ? `, ${ch.code}` : ''})`) : '';
      line(o.out, `  ${mark} ${ch.name}: ${ch.message}${where}`);
    }
  }
}
