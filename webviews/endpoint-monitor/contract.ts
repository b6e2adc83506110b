// The Endpoint Monitor panel's message contract: the only module the panel (webviews/endpoint-monitor) and
// its host (extension/panels/endpoint-monitor-controller.ts) import from each other. Pure TS; the shapes
// are core/deploy's (type-only).
import type { DeploymentRecord, FeatureDrift, MonitorSeries } from '../../core/deploy/types';
import { command, notification } from '../platform/protocol';

export type { DeploymentRecord, FeatureDrift, MonitorSeries } from '../../core/deploy/types';

/** Which deployment the panel watches; saved, so a reloaded window watches it again. */
export interface MonitorTarget {
  projectDir: string;
  name: string;
}

export interface ViewState {
  target?: MonitorTarget;
}

export interface DriftView {
  features: FeatureDrift[];
  prediction?: FeatureDrift;
  /** Successful requests the window held. */
  window: number;
  /** The threshold a feature's PSI must pass to be flagged. */
  threshold: number;
  /** Fewer observed values than this are never flagged. */
  minObserved: number;
  /** Why drift is not shown (no baseline) or partly not (features the baseline could not bin). */
  problems: string[];
}

// host → webview
/** Everything shown, from scratch: on open, on a new target, after Refresh. */
export const MonitorShown = notification<{
  target?: MonitorTarget;
  deployment?: DeploymentRecord;
  series?: MonitorSeries;
  drift?: DriftView;
  /** The deployment's metrics cannot be shown here, and why (SageMaker without CloudWatch in this build). */
  unavailable?: string;
  error?: string;
  loading?: boolean;
}>('monitor/show');
/**
 * New requests: only the buckets that changed (a bucket with the start time of one already shown replaces
 * it, later ones append) and the drift table, which is small and recomputed over the window.
 */
export const MonitorDelta = notification<{ series: MonitorSeries; drift?: DriftView; deployment?: DeploymentRecord }>('monitor/delta');

// webview → host
export const Refresh = command<Record<string, never>>('monitor/refresh');
