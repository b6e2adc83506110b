// Where MLflow keeps runs, by MLflow's own convention: an explicit --mlflow URI (or the editor setting
// flowbench.mlflow.trackingUri) first, then MLFLOW_TRACKING_URI, then ./mlruns and ./mlflow.db in the
// folder (both when both exist). URIs as MLflow spells them: http(s)://host, file:///dir or a plain path
// (an mlruns folder), sqlite:///relative.db or sqlite:////absolute.db.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlflowError } from './model';

export type TrackingLocation =
  | { kind: 'file'; dir: string; uri: string }
  | { kind: 'sqlite'; file: string; uri: string }
  | { kind: 'rest'; url: string; uri: string };

export function parseTrackingUri(uri: string, base: string): TrackingLocation {
  const text = uri.trim();
  if (/^https?:\/\//i.test(text)) return { kind: 'rest', url: text.replace(/\/+$/, ''), uri: text };
  if (/^sqlite:/i.test(text)) {
    // SQLAlchemy's form: three slashes then the path, so a fourth slash starts an absolute one.
    const path = text.replace(/^sqlite:\/\/\//i, '');
    if (path === text || path === '') throw new MlflowError(`'${uri}' is not a sqlite URI MLflow reads`, 'write sqlite:///mlflow.db (relative) or sqlite:////abs/path/mlflow.db');
    return { kind: 'sqlite', file: isAbsolute(path) ? path : resolve(base, path), uri: text };
  }
  if (/^file:/i.test(text)) return { kind: 'file', dir: fileURLToPath(text), uri: text };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new MlflowError(`tracking URI '${uri}' uses a store Flowbench does not read`, 'use an http(s):// tracking server, an mlruns/ folder or a sqlite:/// file');
  }
  const path = resolve(base, text);
  if (/\.(db|sqlite3?)$/i.test(path) || (existsSync(path) && statSync(path).isFile())) return { kind: 'sqlite', file: path, uri: path };
  return { kind: 'file', dir: path, uri: path };
}

export interface LocateOptions {
  /** --mlflow or the editor setting: used alone when given. */
  explicit?: string;
  env?: NodeJS.ProcessEnv;
  /** Folders to look in for mlruns/ and mlflow.db (the cwd, or the workspace folders). */
  folders: string[];
}

/** The tracking locations to read; empty when there is nothing MLflow-like to look at. */
export function findTrackingLocations({ explicit, env = process.env, folders }: LocateOptions): TrackingLocation[] {
  const base = folders[0] ?? process.cwd();
  if (explicit?.trim()) return [parseTrackingUri(explicit, base)];
  if (env.MLFLOW_TRACKING_URI?.trim()) return [parseTrackingUri(env.MLFLOW_TRACKING_URI, base)];
  const found: TrackingLocation[] = [];
  for (const folder of folders) {
    const dir = join(folder, 'mlruns');
    if (existsSync(dir) && statSync(dir).isDirectory()) found.push({ kind: 'file', dir, uri: dir });
    const db = join(folder, 'mlflow.db');
    if (existsSync(db)) found.push({ kind: 'sqlite', file: db, uri: `sqlite:///${db}` });
  }
  return found;
}
