// A tracking server on 127.0.0.1 (ephemeral port) speaking the part of MLflow's REST API Flowbench uses,
// with MLflow's state: experiments, runs RUNNING until runs/update, params that cannot change, metric
// histories, deleted runs hidden from searches. It pages every listing (a small page size forces several
// pages), refuses log-batch requests over MLflow's limits, and records each call so tests assert them.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLater, type MlflowPoint } from '../../core/mlflow/model';
import type { FixtureExperiment } from './fixtures';

export interface Call {
  method: string;
  endpoint: string;
  body: Record<string, unknown>;
}

interface ServerRun {
  info: { run_id: string; run_uuid: string; experiment_id: string; run_name: string; status: string; start_time: number; end_time?: number; lifecycle_stage: string; user_id: string };
  params: Map<string, string>;
  tags: Map<string, string>;
  metrics: Map<string, MlflowPoint[]>;
}

export interface FakeMlflow {
  url: string;
  calls: Call[];
  runs: Map<string, ServerRun>;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export async function startMlflowServer(options: { experiments?: FixtureExperiment[]; pageSize?: number; token?: string; hang?: boolean } = {}): Promise<FakeMlflow> {
  const pageSize = options.pageSize ?? 2;
  const experiments = new Map<string, { name: string; stage: string }>();
  const runs = new Map<string, ServerRun>();
  let nextId = 100;
  for (const e of options.experiments ?? []) {
    experiments.set(e.id, { name: e.name, stage: e.deleted ? 'deleted' : 'active' });
    for (const r of e.runs) {
      runs.set(r.runId, {
        info: { run_id: r.runId, run_uuid: r.runId, experiment_id: e.id, run_name: r.name ?? r.runId, status: r.status, start_time: r.start, ...(r.end !== undefined ? { end_time: r.end } : {}), lifecycle_stage: r.deleted ? 'deleted' : 'active', user_id: 'tester' },
        params: new Map(Object.entries(r.params)),
        tags: new Map(Object.entries(r.tags)),
        metrics: new Map(Object.entries(r.metrics).map(([k, v]) => [k, [...v]])),
      });
    }
  }
  const calls: Call[] = [];
  const json = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v);
  const value = (v: unknown) => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v));
  const page = <T>(items: T[], body: Record<string, unknown>) => {
    const max = Math.min(Number(body.max_results ?? 1000), pageSize);
    const offset = body.page_token ? Number(Buffer.from(String(body.page_token), 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'bad page_token');
    const next = offset + max < items.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
    return { items: items.slice(offset, offset + max), ...(next ? { next_page_token: next } : {}) };
  };
  const apiRun = (r: ServerRun) => ({
    info: r.info,
    data: {
      params: [...r.params].map(([key, v]) => ({ key, value: v })),
      tags: [...r.tags].map(([key, v]) => ({ key, value: v })),
      metrics: [...r.metrics].map(([key, points]) => {
        const last = points.reduce<MlflowPoint | undefined>((a, p) => (isLater(p, a) ? p : a), undefined)!;
        return { key, value: json(last.value), timestamp: last.timestamp, step: last.step };
      }),
    },
  });
  const runOf = (id: unknown) => {
    const r = runs.get(String(id));
    if (!r) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Run '${String(id)}' not found`);
    return r;
  };
  const handlers: Record<string, (body: Record<string, unknown>) => unknown> = {
    'POST experiments/search': (body) => {
      const list = [...experiments].filter(([, e]) => e.stage === 'active').map(([id, e]) => ({ experiment_id: id, name: e.name, lifecycle_stage: e.stage }));
      const { items, next_page_token } = page(list, body);
      return { experiments: items, ...(next_page_token ? { next_page_token } : {}) };
    },
    'GET experiments/get-by-name': (body) => {
      const found = [...experiments].find(([, e]) => e.name === body.experiment_name);
      if (!found) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${String(body.experiment_name)}'`);
      return { experiment: { experiment_id: found[0], name: found[1].name, lifecycle_stage: found[1].stage } };
    },
    'POST experiments/create': (body) => {
      if ([...experiments.values()].some((e) => e.name === body.name)) throw new ApiError(400, 'RESOURCE_ALREADY_EXISTS', 'exists');
      const id = String(nextId++);
      experiments.set(id, { name: String(body.name), stage: 'active' });
      return { experiment_id: id };
    },
    'POST runs/search': (body) => {
      const ids = new Set((body.experiment_ids as string[] | undefined) ?? []);
      if (ids.size === 0) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'experiment_ids is required');
      let list = [...runs.values()].filter((r) => ids.has(r.info.experiment_id) && r.info.lifecycle_stage === 'active');
      if (body.filter) {
        const m = /^tags\.`([^`]+)` = '((?:[^'\\]|\\.)*)'$/.exec(String(body.filter));
        if (!m) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `unsupported filter ${String(body.filter)}`);
        list = list.filter((r) => r.tags.get(m[1]!) === m[2]!.replace(/\\(.)/g, '$1'));
      }
      list.sort((a, b) => b.info.start_time - a.info.start_time);
      const { items, next_page_token } = page(list.map(apiRun), body);
      return { runs: items, ...(next_page_token ? { next_page_token } : {}) };
    },
    'GET metrics/get-history': (body) => {
      const r = runOf(body.run_id);
      const points = r.metrics.get(String(body.metric_key)) ?? [];
      const { items, next_page_token } = page(points, body);
      return { metrics: items.map((p) => ({ key: body.metric_key, value: json(p.value), timestamp: p.timestamp, step: p.step })), ...(next_page_token ? { next_page_token } : {}) };
    },
    'POST runs/create': (body) => {
      if (!experiments.has(String(body.experiment_id))) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', 'no such experiment');
      const id = `srv${String(nextId++).padStart(29, '0')}`;
      const run: ServerRun = {
        info: { run_id: id, run_uuid: id, experiment_id: String(body.experiment_id), run_name: String(body.run_name ?? id), status: 'RUNNING', start_time: Number(body.start_time), lifecycle_stage: 'active', user_id: 'tester' },
        params: new Map(), tags: new Map(((body.tags as { key: string; value: string }[]) ?? []).map((t) => [t.key, t.value])), metrics: new Map(),
      };
      runs.set(id, run);
      return { run: apiRun(run) };
    },
    'POST runs/log-batch': (body) => {
      const r = runOf(body.run_id);
      const metrics = (body.metrics as { key: string; value: unknown; timestamp: number; step: number }[]) ?? [];
      const params = (body.params as { key: string; value: string }[]) ?? [];
      const tags = (body.tags as { key: string; value: string }[]) ?? [];
      if (metrics.length > 1000 || params.length > 100 || tags.length > 100 || metrics.length + params.length + tags.length > 1000) {
        throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `A batch logging request can contain at most 1000 metrics, 100 params, 100 tags and 1000 in total; got ${metrics.length}, ${params.length}, ${tags.length}`);
      }
      for (const p of params) {
        if (r.params.has(p.key) && r.params.get(p.key) !== p.value) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Changing param values is not allowed. Param with key='${p.key}' was already logged`);
        r.params.set(p.key, p.value);
      }
      for (const t of tags) r.tags.set(t.key, t.value);
      for (const m of metrics) {
        const list = r.metrics.get(m.key) ?? [];
        list.push({ step: m.step, timestamp: m.timestamp, value: value(m.value) });
        r.metrics.set(m.key, list);
      }
      return {};
    },
    'POST runs/update': (body) => {
      const r = runOf(body.run_id);
      r.info.status = String(body.status);
      if (body.end_time !== undefined) r.info.end_time = Number(body.end_time);
      return { run_info: r.info };
    },
    'POST runs/delete': (body) => {
      runOf(body.run_id).info.lifecycle_stage = 'deleted';
      return {};
    },
  };
  const open = new Set<ServerResponse>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const endpoint = url.pathname.replace(/^\/api\/2\.0\/mlflow\//, '');
    let body: Record<string, unknown> = {};
    if (req.method === 'GET') body = Object.fromEntries(url.searchParams);
    else {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
    }
    calls.push({ method: req.method ?? '', endpoint, body });
    if (options.hang) return; // never answers: the client's timeout must end it
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return send(401, { error_code: 'UNAUTHENTICATED', message: 'Authentication required' });
    }
    const handler = handlers[`${req.method} ${endpoint}`];
    if (!handler) return send(404, { error_code: 'ENDPOINT_NOT_FOUND', message: `no ${req.method} ${endpoint}` });
    try {
      send(200, handler(body));
    } catch (err) {
      if (err instanceof ApiError) send(err.status, { error_code: err.code, message: err.message });
      else send(500, { error_code: 'INTERNAL_ERROR', message: String(err) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    runs,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.close(() => resolve());
      }),
  };
}
