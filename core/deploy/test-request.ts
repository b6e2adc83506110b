// "Send test request" and "Copy curl": one row of the run's model sample (`model.sample`, the evaluation
// data the checks use, as that run left it) as a named-tensor body `{"inputs": {"<input>": [row]}}`, the
// form every endpoint target takes without knowing column names; the curl line quotes it for a POSIX shell.
// Native-free: the host builds it.
import { request } from 'node:http';
import { quoteWord } from '../flow/shell-quote';
import { readArtifactJson } from '../model/artifacts';
import { parseSample } from '../model/model-sample';
import { openRunStore } from '../runs/store';

export async function sampleRequestBody(opts: { flowRoot: string; stateDir: string; runId: string; samplePath?: string }): Promise<{ body: string } | { problem: string }> {
  if (!opts.samplePath) return { problem: 'the flow has no `model.sample` to take a test row from (see docs/flow-format.md)' };
  const record = await openRunStore(opts.stateDir).get(opts.runId).catch(() => undefined);
  if (!record) return { problem: `run ${opts.runId} is not in the run store any more` };
  const read = await readArtifactJson(record, opts.flowRoot, opts.stateDir, opts.samplePath);
  if ('problem' in read) return read;
  const sample = parseSample(read.value, opts.samplePath);
  if ('problem' in sample) return sample;
  const inputs = Object.fromEntries([...sample.inputs].map(([name, s]) => [name, [s.rowShape.length ? s.rows[0] : s.rows[0]![0]]]));
  return { body: JSON.stringify({ inputs }) };
}

export function curlCommand(url: string, body: string): string {
  return `curl -sS -X POST ${quoteWord(`${url}/invocations`)} -H 'Content-Type: application/json' --data ${quoteWord(body)}`;
}

export interface TestResponse {
  status: number;
  body: string;
  ms: number;
}

/** POSTs a body to `<url>/invocations` and times the answer; an unreachable endpoint rejects with why. */
export function postInvocation(url: string, body: string, timeoutMs = 10_000): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs / 1000} s`)));
    req.on('error', (err) => reject(new Error(`${url}/invocations: ${err.message}`)));
    req.end(body);
  });
}
