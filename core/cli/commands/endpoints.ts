// flowbench endpoints [FLOW] [--json]: every deployment of the project with its status now (local: the
// process alive and answering /ping; SageMaker: as DescribeEndpoint says), URL, model version, uptime and
// request count. flowbench undeploy NAME [FLOW]: stops one (local: SIGTERM, which drains; SageMaker:
// deletes endpoint, configuration and model) and records it as stopped.
import { dirname, join } from 'node:path';
import { stopLocalEndpoint } from '../../deploy/local-deploy';
import { countRequests } from '../../deploy/local-log';
import { deploymentNameProblem, listDeployments, readDeployment, requestLogPath, writeDeployment } from '../../deploy/records';
import type { DeploymentRecord } from '../../deploy/types';
import { parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { table } from '../format';
import { formatDuration } from '../../time-text';
import { resolveFlowFile } from '../flow-file';
import { line, type Output } from '../output';

function stateDirOf(flowArg: string | undefined): { projectDir: string; stateDir: string } {
  const projectDir = dirname(resolveFlowFile(flowArg));
  return { projectDir, stateDir: join(projectDir, '.flowbench') };
}

export interface EndpointRow extends DeploymentRecord {
  /** Since it last went up (running only). */
  uptimeMs?: number;
  /** Local: requests in its log. */
  requests?: number;
}

export async function endpointRows(stateDir: string, warn: (m: string) => void): Promise<EndpointRow[]> {
  const rows: EndpointRow[] = [];
  for (let record of await listDeployments(stateDir)) {
    if (record.target === 'sagemaker' && record.status !== 'stopped') {
      record = await (await import('../../aws/services')).refreshSageMaker(record, stateDir).catch((err: Error) => {
        warn(`${record.name}: cannot ask SageMaker for its status (${err.message}); showing the last one recorded`);
        return record;
      });
    }
    const row: EndpointRow = { ...record };
    if (record.status === 'running') row.uptimeMs = Math.max(0, Date.now() - Date.parse(record.updatedAt));
    if (record.target === 'local') row.requests = await countRequests(requestLogPath(stateDir, record.name));
    rows.push(row);
  }
  return rows;
}

export async function endpointsCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('endpoints', args, { json: { type: 'boolean' } }, 1);
  const { stateDir } = stateDirOf(positionals[0]);
  const rows = await endpointRows(stateDir, (m) => line(o.err, `flowbench endpoints: warning: ${m}`));
  if (values.json) {
    line(o.out, JSON.stringify(rows));
    return EXIT.ok;
  }
  if (rows.length === 0) {
    line(o.out, 'No deployments yet: flowbench deploy latest');
    return EXIT.ok;
  }
  const cells = rows.map((r) => [
    r.name, r.status, r.target, r.url ?? '', `${r.modelSha256.slice(0, 12)} (run ${r.runId})`,
    r.uptimeMs === undefined ? '' : formatDuration(r.uptimeMs), r.requests === undefined ? '' : String(r.requests),
  ]);
  for (const l of table([['NAME', 'STATUS', 'TARGET', 'URL', 'MODEL', 'UPTIME', 'REQUESTS'], ...cells])) line(o.out, l);
  for (const r of rows) if (r.failureReason && r.status === 'failed') line(o.out, `${r.name}: ${r.failureReason}`);
  return EXIT.ok;
}

export async function undeployCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('undeploy', args, { json: { type: 'boolean' } }, 2);
  const [name, flowArg] = positionals;
  if (!name) throw new UsageError('which deployment? NAME is missing', 'list them with flowbench endpoints', 'undeploy');
  const problem = deploymentNameProblem(name);
  if (problem) throw new UsageError(problem, 'list deployments with flowbench endpoints', 'undeploy');
  const { projectDir, stateDir } = stateDirOf(flowArg);
  const record = readDeployment(stateDir, name);
  if (!record) throw new UsageError(`no deployment '${name}'`, 'list them with flowbench endpoints', 'undeploy');
  let stopped: DeploymentRecord;
  if (record.target === 'sagemaker') {
    stopped = await (await import('../../aws/services')).undeploySageMaker(record, { projectDir, stateDir }, (m) => line(o.err, m));
  } else {
    const how = await stopLocalEndpoint(record);
    if (how === 'killed') line(o.err, `flowbench undeploy: ${name} did not finish its requests in time and was killed`);
    stopped = { ...record, status: 'stopped', updatedAt: new Date().toISOString() };
    writeDeployment(stateDir, stopped);
  }
  if (values.json) line(o.out, JSON.stringify(stopped));
  else line(o.out, `Stopped ${name}${record.url && record.target === 'local' ? ` (${record.url})` : ''}`);
  return EXIT.ok;
}
