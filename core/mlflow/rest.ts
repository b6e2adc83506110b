// A tracking server over MLflow's REST API (/api/2.0/mlflow/…), on Node's own fetch: every call has a
// timeout, paging follows next_page_token with a bound, and what goes wrong becomes one clear MlflowError
// (unreachable, timed out, unauthorised with where the token goes, or the server's own error_code).
import { MlflowError, parseNumber, isStatus, isLater, type MlflowPoint, type MlflowReader, type MlflowRun } from './model';

export interface RestOptions {
  /** Sent as `Authorization: Bearer …` (MLflow's MLFLOW_TRACKING_TOKEN). */
  token?: string;
  /** Per request; default 15 s. */
  timeoutMs?: number;
  /** Where the user puts a token, said when the server answers 401/403. */
  tokenHint?: string;
}

export const CLI_TOKEN_HINT = 'set MLFLOW_TRACKING_TOKEN to an access token for this server';

/** Pages followed at most in one listing: a server that keeps answering with a token cannot loop us forever. */
const MAX_PAGES = 10_000;

export class MlflowApiError extends MlflowError {
  constructor(message: string, readonly status: number, readonly errorCode: string | undefined, remedy?: string) {
    super(message, remedy);
  }
}

interface KeyValue { key: string; value: unknown }
interface ApiMetric { key: string; value: unknown; timestamp?: unknown; step?: unknown }
export interface ApiRun {
  info: { run_id?: string; run_uuid?: string; experiment_id: string; run_name?: string; status?: string; start_time?: unknown; end_time?: unknown; lifecycle_stage?: string };
  data?: { metrics?: ApiMetric[]; params?: KeyValue[]; tags?: KeyValue[] };
}

export class MlflowRest {
  readonly base: string;
  constructor(base: string, private readonly options: RestOptions = {}) {
    this.base = base.replace(/\/+$/, '');
  }

  async call<T>(method: 'GET' | 'POST', endpoint: string, body: Record<string, unknown> = {}): Promise<T> {
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    let url = `${this.base}/api/2.0/mlflow/${endpoint}`;
    if (method === 'GET') {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) if (v !== undefined && v !== '') query.set(k, String(v));
      url += `?${query}`;
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
        ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const where = `the MLflow tracking server at ${this.base}`;
      const remedy = 'start it (e.g. mlflow server --host 127.0.0.1 --port 5000) or fix the address in --mlflow, MLFLOW_TRACKING_URI or the flowbench.mlflow.trackingUri setting';
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new MlflowError(`${where} did not answer ${endpoint} within ${Math.round(timeoutMs / 1000)} s`, remedy);
      throw new MlflowError(`cannot reach ${where} (${e.cause?.code ?? e.message})`, remedy);
    }
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      throw new MlflowApiError(
        `the MLflow tracking server at ${this.base} refused ${endpoint} (${response.status} ${response.status === 401 ? 'Unauthorized' : 'Forbidden'})${this.options.token ? ': the token was not accepted' : ': it needs a token'}`,
        response.status, undefined, this.options.tokenHint ?? CLI_TOKEN_HINT,
      );
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new MlflowApiError(`the server at ${this.base} answered ${endpoint} with ${response.status} and no JSON; is it an MLflow tracking server?`, response.status, undefined);
    }
    if (!response.ok) {
      const { error_code: code, message } = (json ?? {}) as { error_code?: string; message?: string };
      throw new MlflowApiError(`MLflow ${endpoint} failed (${response.status}${code ? ` ${code}` : ''}): ${message ?? text.slice(0, 200)}`, response.status, code);
    }
    return json as T;
  }

  /** Every page of a listing; `pick` takes one page's items. */
  async *pages<T>(method: 'GET' | 'POST', endpoint: string, body: Record<string, unknown>, pick: (page: Record<string, unknown>) => T[] | undefined): AsyncGenerator<T[]> {
    let token: string | undefined;
    const seen = new Set<string>();
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await this.call<Record<string, unknown>>(method, endpoint, { ...body, ...(token ? { page_token: token } : {}) });
      yield pick(answer) ?? [];
      token = typeof answer.next_page_token === 'string' && answer.next_page_token ? answer.next_page_token : undefined;
      if (!token || seen.has(token)) return;
      seen.add(token);
    }
  }
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? parseNumber(value) : undefined;
}

/** A run as runs/search returns it; undefined (with why) when it lacks what every run has. */
export function fromApiRun(run: ApiRun, experiment: string): MlflowRun | string {
  const info = run.info ?? ({} as ApiRun['info']);
  const runId = info.run_id ?? info.run_uuid;
  const start = num(info.start_time);
  if (!runId) return 'a run without run_id';
  if (!isStatus(info.status) || start === undefined) return `run ${runId} has ${!isStatus(info.status) ? `an unknown status '${String(info.status)}'` : 'no start_time'}`;
  const end = num(info.end_time);
  const metrics: Record<string, number> = {};
  const latest = new Map<string, MlflowPoint>();
  for (const m of run.data?.metrics ?? []) {
    const point = { step: num(m.step) ?? 0, timestamp: num(m.timestamp) ?? 0, value: num(m.value) ?? NaN };
    if (isLater(point, latest.get(m.key))) latest.set(m.key, point);
  }
  for (const [key, p] of latest) metrics[key] = p.value;
  const pairs = (list: KeyValue[] | undefined) => Object.fromEntries((list ?? []).map((kv) => [kv.key, String(kv.value ?? '')]));
  const tags = pairs(run.data?.tags);
  const name = info.run_name || tags['mlflow.runName'];
  return {
    runId, experimentId: String(info.experiment_id), experiment, ...(name ? { name } : {}), status: info.status, start,
    ...(end !== undefined && end > 0 ? { end } : {}), params: pairs(run.data?.params), metrics, tags,
  };
}

export function restReader(base: string, options: RestOptions = {}): MlflowReader {
  const api = new MlflowRest(base, options);
  return {
    uri: api.base,
    async list() {
      const notes: string[] = [];
      const experiments = new Map<string, string>();
      for await (const page of api.pages('POST', 'experiments/search', { max_results: 1000, view_type: 'ACTIVE_ONLY' }, (p) => p.experiments as { experiment_id: string; name: string }[] | undefined)) {
        for (const e of page) experiments.set(String(e.experiment_id), e.name);
      }
      const runs: MlflowRun[] = [];
      if (experiments.size === 0) return { runs, notes };
      const body = { experiment_ids: [...experiments.keys()], max_results: 1000, run_view_type: 'ACTIVE_ONLY', order_by: ['attributes.start_time DESC'] };
      for await (const page of api.pages('POST', 'runs/search', body, (p) => p.runs as ApiRun[] | undefined)) {
        for (const r of page) {
          const run = fromApiRun(r, experiments.get(String(r.info?.experiment_id)) ?? String(r.info?.experiment_id));
          if (typeof run === 'string') notes.push(`${api.base}: ${run}; skipped`);
          else runs.push(run);
        }
      }
      return { runs, notes };
    },
    async history(runId, key) {
      const points: MlflowPoint[] = [];
      for await (const page of api.pages('GET', 'metrics/get-history', { run_id: runId, metric_key: key, max_results: 25_000 }, (p) => p.metrics as ApiMetric[] | undefined)) {
        for (const m of page) points.push({ step: num(m.step) ?? 0, timestamp: num(m.timestamp) ?? 0, value: num(m.value) ?? NaN });
      }
      return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    },
  };
}
