// flowbench invoke NAME [FLOW] [--row JSON | --body FILE] [--content-type T] [--json]: one timed request to
// a deployment, what "Send Test Request" in the editor runs for SageMaker endpoints. Local: a POST to its
// 127.0.0.1 URL; SageMaker: DescribeEndpoint (it must be InService, or Updating, which still serves), then
// SageMaker Runtime's InvokeEndpoint. Without --row or --body the body is the sample row of the run's
// evaluation data (core/deploy/test-request.ts). The payload limit is checked before any AWS call.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { Failure } from '../../failure';
import { deploymentNameProblem, liveDeployment, readDeployment } from '../../deploy/records';
import { postInvocation, sampleRequestBody } from '../../deploy/test-request';
import type { DeploymentRecord } from '../../deploy/types';
import { loadFlow } from '../../flow/analyze';
import { parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { line, type Output } from '../output';

interface Request {
  body: string | Uint8Array;
  contentType: string;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
  ms: number;
}

const JSON_TYPE = /^application\/json\b/i;

function rowBody(text: string, contentType: string | undefined): Request {
  if (contentType !== undefined && !JSON_TYPE.test(contentType)) throw new UsageError(`--row is JSON; --content-type ${contentType} goes with --body FILE`, 'leave --content-type out, or put the body in a file', 'invoke');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--row is not JSON: ${(err as Error).message}`, `e.g. --row '{"x": 1.5, "group": "a"}'`, 'invoke');
  }
  if (typeof value !== 'object' || value === null) throw new UsageError('--row must be a JSON object (one row by feature name), a list of rows, or {"inputs": …}', `e.g. --row '{"x": 1.5, "group": "a"}'`, 'invoke');
  // One row by feature name becomes the one-row list the endpoints take; a list or named tensors go as given.
  const body = Array.isArray(value) || 'inputs' in value || 'instances' in value ? value : [value];
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

function fileBody(file: string, contentType: string | undefined): Request {
  let body: Buffer;
  try {
    body = readFileSync(resolve(file));
  } catch (err) {
    throw new UsageError(`cannot read --body ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 'give the path of a file holding the request body', 'invoke');
  }
  return { body, contentType: contentType ?? (extname(file).toLowerCase() === '.csv' ? 'text/csv' : 'application/json') };
}

async function sampleBody(record: DeploymentRecord, projectDir: string, flowFile: string): Promise<Request> {
  const recorded = resolve(projectDir, record.flow);
  const flow = loadFlow(existsSync(recorded) ? recorded : flowFile).flow;
  const sample = await sampleRequestBody({ flowRoot: projectDir, stateDir: join(projectDir, '.flowbench'), runId: record.runId, samplePath: flow.model?.sample?.value, modelPath: record.model });
  if ('problem' in sample) throw new Failure(`no test row: ${sample.problem}`, 'give the request with --row JSON or --body FILE');
  return { body: sample.body, contentType: 'application/json' };
}

async function invokeLocal(record: DeploymentRecord, request: Request): Promise<Answer> {
  const live = await liveDeployment(record);
  if (live.status !== 'running' || !live.url) {
    throw new Failure(`${record.name} is ${live.status}${live.failureReason ? ` (${live.failureReason})` : ''}, so it cannot answer`, `deploy it again: flowbench deploy ${record.runId} --name ${record.name}`);
  }
  try {
    return await postInvocation(live.url, request.body, { contentType: request.contentType });
  } catch (err) {
    throw new Failure((err as Error).message, 'flowbench endpoints shows whether it is still running');
  }
}

async function invokeSageMaker(record: DeploymentRecord, request: Request, projectDir: string, stateDir: string): Promise<Answer> {
  const name = record.endpointName ?? record.name;
  const undeployed = () => new Failure(`${record.name} is not deployed: SageMaker has no endpoint ${name}`, `deploy it: flowbench deploy ${record.runId} --target sagemaker --name ${record.name}`);
  if (record.status === 'stopped') throw undeployed();
  const aws = await import('../../aws/services');
  const payload = await aws.sageMakerPayload(record, request.body, request.contentType, { projectDir });
  const now = await aws.refreshSageMaker(record, stateDir);
  if (now.status === 'stopped') throw undeployed();
  if (now.status === 'starting') throw new Failure(`endpoint ${name} is not InService yet (Creating)`, 'wait until flowbench endpoints shows it running, then try again');
  if (now.status === 'failed') {
    throw new Failure(`endpoint ${name} is not InService: it failed${now.failureReason ? ` (${now.failureReason})` : ''}`, `remove it with flowbench undeploy ${record.name}, or replace it: flowbench deploy ${record.runId} --target sagemaker --name ${record.name} --recreate`);
  }
  // Updating: the endpoint serves the previous model until the update is done.
  return aws.invokeSageMaker(now, payload.body, payload.contentType);
}

export async function invokeCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('invoke', args, {
    row: { type: 'string' },
    body: { type: 'string' },
    'content-type': { type: 'string' },
    json: { type: 'boolean' },
  }, 2);
  const [name, flowArg] = positionals;
  if (!name) throw new UsageError('which deployment? NAME is missing', 'list them with flowbench endpoints', 'invoke');
  const nameProblem = deploymentNameProblem(name);
  if (nameProblem) throw new UsageError(nameProblem, 'list deployments with flowbench endpoints', 'invoke');
  if (values.row !== undefined && values.body !== undefined) throw new UsageError('--row and --body both give the request: use one', 'see flowbench invoke --help', 'invoke');
  if (values['content-type'] !== undefined && values.row === undefined && values.body === undefined) throw new UsageError('--content-type goes with --body FILE', 'the sample row is JSON; leave --content-type out', 'invoke');
  const flowFile = resolveFlowFile(flowArg);
  const projectDir = dirname(flowFile);
  const stateDir = join(projectDir, '.flowbench');
  const record = readDeployment(stateDir, name);
  if (!record) throw new UsageError(`no deployment '${name}'`, 'list them with flowbench endpoints', 'invoke');
  const contentType = values['content-type'];

  const request = values.row !== undefined ? rowBody(values.row, contentType) : values.body !== undefined ? fileBody(values.body, contentType) : await sampleBody(record, projectDir, flowFile);
  const answer = record.target === 'sagemaker' ? await invokeSageMaker(record, request, projectDir, stateDir) : await invokeLocal(record, request);

  const ok = answer.status < 400;
  if (values.json) {
    line(o.out, JSON.stringify({ name, target: record.target, status: answer.status, ms: answer.ms, contentType: answer.contentType, body: parsed(answer.body) }));
  } else if (ok) {
    line(o.out, `${answer.status} in ${answer.ms.toFixed(1)} ms`);
    line(o.out, answer.body);
  }
  if (!ok) line(o.err, `flowbench invoke: ${name} answered ${answer.status} in ${answer.ms.toFixed(1)} ms: ${answer.body}`);
  return ok ? EXIT.ok : EXIT.failed;
}

function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
