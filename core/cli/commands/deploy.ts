// flowbench deploy RUN|latest [FLOW] [--target local|sagemaker] [--name N] [--port P] [--json]: serves the
// model a run produced. Local: a detached endpoint process on 127.0.0.1 (core/deploy/local-deploy.ts), ready
// when this returns; SageMaker: core/deploy/sagemaker-deploy.ts. Either way the drift baseline is written
// beside the record (core/deploy/baseline.ts) and `--json` prints the DeploymentRecord.
import { existsSync } from 'node:fs';
import { basename, dirname, relative } from 'node:path';
import { Failure } from '../../failure';
import { writeBaseline } from '../../deploy/baseline';
import { startLocalEndpoint, StartError, stopLocalEndpoint } from '../../deploy/local-deploy';
import { deploymentNameProblem, liveDeployment, readDeployment, writeDeployment } from '../../deploy/records';
import type { DeploymentRecord } from '../../deploy/types';
import type { FlowAnalysis } from '../../flow/analyze';
import { artifactOf, locateArtifact } from '../../model/artifacts';
import { AmbiguousRunIdError, type RunStore } from '../../runs/store';
import type { RunRecord } from '../../runs/types';
import { parseCommandArgs, positiveInteger } from '../args';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { loadFlowOrExplain } from '../load';
import { line, problemLines, paint, type Output } from '../output';
import { openStoreFor } from '../run-store';
import { hasSageMakerFlags, SAGEMAKER_FLAGS, sageMakerOverrides } from '../sagemaker-flags';

/** Runs looked at for `latest`. */
const LATEST_SCAN = 200;

/** The newest run of the flow that recorded the model. */
async function latestWithModel(store: RunStore, flow: string, root: string, modelPath: string): Promise<RunRecord | undefined> {
  for (const summary of await store.list({ flow, limit: LATEST_SCAN })) {
    const record = await store.get(summary.id).catch(() => undefined);
    if (record && artifactOf(record, root, modelPath)) return record;
  }
  return undefined;
}

async function findRun(store: RunStore, runArg: string, analysis: FlowAnalysis, modelPath: string): Promise<RunRecord> {
  if (runArg === 'latest') {
    const flowName = flowNameOf(analysis);
    const record = await latestWithModel(store, flowName, analysis.flow.root, modelPath);
    if (!record) throw new UsageError(`no run of flow '${flowName}' has produced ${modelPath} yet`, 'run the flow first: flowbench run', 'deploy');
    return record;
  }
  try {
    const record = await store.get(runArg);
    if (!record) throw new UsageError(`no run '${runArg}' is recorded for this flow`, 'list runs with flowbench runs, or deploy latest', 'deploy');
    return record;
  } catch (err) {
    if (err instanceof AmbiguousRunIdError) throw new UsageError(err.message, 'type more of the id', 'deploy');
    throw err;
  }
}

/** The name runs record for the flow (the runner's rule). */
const flowNameOf = (analysis: FlowAnalysis) => analysis.flow.name?.value ?? basename(analysis.flow.file);

/** A deployment name from the flow's name: SageMaker's alphabet, at most 63 characters. */
export function defaultDeploymentName(flowName: string): string {
  const slug = flowName.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return slug || 'model';
}

function nonNegativeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} expects a number ≥ 0, got '${value}'`, `e.g. ${flag} 1`, 'deploy');
  return n;
}

export async function deployCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('deploy', args, {
    target: { type: 'string', default: 'local' },
    name: { type: 'string' },
    port: { type: 'string' },
    json: { type: 'boolean' },
    'no-batching': { type: 'boolean' },
    'max-batch': { type: 'string' },
    'batch-window-ms': { type: 'string' },
    recreate: { type: 'boolean' },
    ...SAGEMAKER_FLAGS,
  }, 2);
  const [runArg, flowArg] = positionals;
  if (!runArg) throw new UsageError('which run? RUN is missing', 'flowbench deploy latest, or a run id from flowbench runs', 'deploy');
  const target = values.target;
  if (target !== 'local' && target !== 'sagemaker') throw new UsageError(`unknown target '${target}'`, 'use --target local or --target sagemaker', 'deploy');
  if (target === 'local' && values.recreate) throw new UsageError('--recreate replaces a Failed SageMaker endpoint', 'add --target sagemaker; a local deployment is replaced by deploying it again', 'deploy');
  if (target === 'local' && hasSageMakerFlags(values)) throw new UsageError('SageMaker flags (--region, --role, …) need --target sagemaker', 'add --target sagemaker, or leave them out for a local endpoint', 'deploy');
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port expects a port number (0–65535), got '${values.port}'`, 'e.g. --port 8080, or --port 0 for any free port', 'deploy');
  if (target === 'sagemaker' && port !== undefined) throw new UsageError('--port is for local endpoints', 'leave it out with --target sagemaker', 'deploy');

  const flowFile = resolveFlowFile(flowArg);
  const analysis = loadFlowOrExplain(flowFile, o, { allowErrors: true });
  const modelPath = analysis.flow.model?.path?.value;
  if (!modelPath) throw new UsageError(`the flow ${relative(process.cwd(), flowFile) || flowFile} has no model: block with a path`, 'add model: { path: models/model.onnx, step: train } (see docs/flow-format.md)', 'deploy');
  const name = values.name ?? defaultDeploymentName(flowNameOf(analysis));
  const nameProblem = deploymentNameProblem(name);
  if (nameProblem) throw new UsageError(nameProblem, 'e.g. --name fraud-v2', 'deploy');

  const projectDir = dirname(flowFile);
  const { store, stateDir } = await openStoreFor(projectDir, o);
  const run = await findRun(store, runArg, analysis, modelPath);
  const located = await locateArtifact(run, analysis.flow.root, stateDir, modelPath);
  if ('problem' in located) {
    line(o.err, `flowbench deploy: ${located.problem}`);
    return EXIT.failed;
  }
  const now = new Date().toISOString();
  const previous = readDeployment(stateDir, name);
  const base = {
    name, flow: relative(projectDir, existsSync(run.flowFile) ? run.flowFile : flowFile), model: modelPath,
    modelSha256: located.found.artifact.sha256, runId: run.id, createdAt: previous?.createdAt ?? now, updatedAt: now,
  };

  let record: DeploymentRecord;
  if (target === 'sagemaker') {
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      record = await (await import('../../aws/services')).deploySageMaker({ projectDir, stateDir, ...base, overrides: sageMakerOverrides(values, 'deploy'), recreate: values.recreate }, (msg) => line(o.err, msg), abort.signal);
    } catch (err) {
      // Cancelled: said like any failure, but with the exit code of an interrupted command.
      if (!abort.signal.aborted || !(err instanceof Failure)) throw err;
      problemLines(o.err, 'flowbench deploy', err);
      return EXIT.cancelled;
    } finally {
      process.off('SIGINT', onSigint);
    }
  } else {
    const replaced = previous?.target === 'local' ? await liveDeployment(previous) : undefined;
    if (replaced && replaced.status !== 'stopped' && replaced.status !== 'failed') {
      if (!values.json) line(o.err, `Stopping the running ${name} (run ${replaced.runId}) to replace it…`);
      await stopLocalEndpoint(replaced);
    }
    try {
      const started = await startLocalEndpoint({
        stateDir, name, modelFile: located.found.file,
        // A redeploy keeps its address unless told otherwise, so clients need not change.
        port: port ?? (replaced?.port && replaced.status !== 'failed' ? replaced.port : 0),
        batching: !values['no-batching'],
        maxBatch: positiveInteger(values['max-batch'], '--max-batch', 'deploy'),
        batchWindowMs: nonNegativeNumber(values['batch-window-ms'], '--batch-window-ms'),
      });
      record = { ...base, target: 'local', status: 'running', url: started.url, pid: started.pid, port: started.port, writer: started.writer };
    } catch (err) {
      if (!(err instanceof StartError)) throw err;
      writeDeployment(stateDir, { ...base, target: 'local', status: 'failed', failureReason: err.message });
      line(o.err, `flowbench deploy: ${err.message}`);
      return EXIT.failed;
    }
    writeDeployment(stateDir, record);
  }
  try {
    await writeBaseline({ projectDir, stateDir, name, flow: analysis.flow, runId: run.id });
  } catch (err) {
    line(o.err, `flowbench deploy: warning: no drift baseline (${(err as Error).message}); the monitor shows traffic but not drift`);
  }
  if (values.json) {
    line(o.out, JSON.stringify(record));
    return EXIT.ok;
  }
  line(o.out, `${paint(o, 'green', '✓')} Deployed run ${run.id} (model ${base.modelSha256.slice(0, 12)}) as ${name} → ${record.url}`);
  if (record.target === 'local') {
    line(o.out, `  pid ${record.pid}; stop it with flowbench undeploy ${name}`);
    line(o.out, `  curl -s ${record.url}/invocations -H 'Content-Type: application/json' -d '[{…one row by feature name…}]'`);
  }
  return EXIT.ok;
}
