// "Send test request" and "Copy curl": one row of the run's model sample (`model.sample`, the evaluation
// data the checks use, as that run left it) as a request body. A model that names its features in its
// metadata gets a row by feature name, the form the request log keeps for drift: raw categories when it
// one-hot encodes them itself (`feature_encoder`), its column names otherwise (`feature_names`); any other
// model gets named tensors `{"inputs": {"<input>": [row]}}`. The curl line quotes the body for a POSIX
// shell. Native-free: the host builds it.
import { request } from 'node:http';
import { quoteWord } from '../flow/shell-quote';
import { locateArtifact, readArtifactJson } from '../model/artifacts';
import { inspectOnnx } from '../model/onnx-inspect';
import type { RunRecord } from '../runs/types';
import { featureLayout, featureValue } from './features';
import { parseSample } from '../model/model-sample';
import { openRunStore } from '../runs/store';

export async function sampleRequestBody(opts: { flowRoot: string; stateDir: string; runId: string; samplePath?: string; modelPath?: string }): Promise<{ body: string } | { problem: string }> {
  if (!opts.samplePath) return { problem: 'the flow has no `model.sample` to take a test row from (see docs/flow-format.md)' };
  const record = await openRunStore(opts.stateDir).get(opts.runId).catch(() => undefined);
  if (!record) return { problem: `run ${opts.runId} is not in the run store any more` };
  const read = await readArtifactJson(record, opts.flowRoot, opts.stateDir, opts.samplePath);
  if ('problem' in read) return read;
  const sample = parseSample(read.value, opts.samplePath);
  if ('problem' in sample) return sample;
  const metadata = opts.modelPath ? await modelMetadata(record, opts.flowRoot, opts.stateDir, opts.modelPath) : {};
  const only = sample.inputs.size === 1 ? [...sample.inputs.values()][0]! : undefined;
  if (only?.columns && metadata.feature_encoder) {
    const layout = featureLayout([{ name: [...sample.inputs.keys()][0]!, type: 'float32', width: only.columns.length, columns: only.columns }]);
    const row: Record<string, unknown> = {};
    for (const spec of layout) row[spec.name] = featureValue(spec, { [spec.input]: only.rows[0] });
    return { body: JSON.stringify([row]) };
  }
  if (only?.columns && metadata.feature_names === JSON.stringify(only.columns)) {
    return { body: JSON.stringify([Object.fromEntries(only.columns.map((c, i) => [c, only.rows[0]![i]]))]) };
  }
  const inputs = Object.fromEntries([...sample.inputs].map(([name, s]) => [name, [s.rowShape.length ? s.rows[0] : s.rows[0]![0]]]));
  return { body: JSON.stringify({ inputs }) };
}

async function modelMetadata(record: RunRecord, root: string, stateDir: string, modelPath: string): Promise<Record<string, string>> {
  const found = await locateArtifact(record, root, stateDir, modelPath);
  return 'found' in found ? (await inspectOnnx(found.found.file)).metadata : {};
}

export function curlCommand(url: string, body: string): string {
  return `curl -sS -X POST ${quoteWord(`${url}/invocations`)} -H 'Content-Type: application/json' --data ${quoteWord(body)}`;
}

export interface TestResponse {
  status: number;
  contentType: string;
  body: string;
  ms: number;
}

/** POSTs a body to `<url>/invocations` and times the answer; an unreachable endpoint rejects with why. */
export function postInvocation(url: string, body: string | Uint8Array, opts: { contentType?: string; timeoutMs?: number } = {}): Promise<TestResponse> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${url}/invocations`, { method: 'POST', headers: { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs / 1000} s`)));
    req.on('error', (err) => reject(new Error(`${url}/invocations: ${err.message}`)));
    req.end(body);
  });
}
