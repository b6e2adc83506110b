// The model card as JSON (`flowbench card RUN --format json`, the card panel's data): what a reviewer asks
// before shipping a model, built from the run that made it (core/model/card.ts). Pure data, no native
// module, so the extension host and the webview share the type. Keep fields additive.
import type { GraphNode, LaidOutGraph } from '../analysis/graph-types';
import type { OnnxTensorInfo } from './onnx-types';

export const CARD_VERSION = 1;

export type Direction = 'higher' | 'lower' | 'unknown';

/** A metric next to the previous model of the same flow. */
export interface MetricValue {
  name: string;
  value: number;
  /** Which way is better: higher for auc/accuracy/precision/recall/f1, lower for loss/error. */
  direction: Direction;
  previous?: number;
  /** value − previous. */
  delta?: number;
  /** Whether the change is for the better; absent when unchanged, unknown or no previous model. */
  improved?: boolean;
}

export interface SliceRow {
  /** The slice's value, e.g. the origin airport `ATL`. */
  value: string;
  /** Rows in the slice, when the slice table says. */
  rows?: number;
  metrics: MetricValue[];
}

/** One slice table: `by_origin` in metrics/slices.json is the table `origin`. */
export interface SliceTable {
  name: string;
  /** The out it came from (project-relative). */
  file: string;
  metrics: string[];
  rows: SliceRow[];
}

export interface LineageSource {
  source: string;
  table: string;
  path?: string;
  format?: string;
  /** sha256 of the data file as found when the card was made (the run record keeps no source hashes). */
  fingerprint?: string;
  size?: number;
  /** Row count where cheaply known (CSV lines, Parquet footer). */
  rows?: number;
  problem?: string;
}

export interface LineageStep {
  name: string;
  kind: 'sql' | 'run';
  /** The SQL file or the command line (before interpolation). */
  definition?: string;
  state?: string;
  cached?: boolean;
  fingerprint?: string;
  durationMs?: number;
  /** Upstream steps and source tables (`source.table`). */
  upstream: string[];
  outs: string[];
  training: boolean;
  evaluation: boolean;
}

export type LineageNode = GraphNode;

export interface Lineage {
  sources: LineageSource[];
  steps: LineageStep[];
  trainingStep?: string;
  evaluationSteps: string[];
  params: Record<string, unknown>;
  overrides: Record<string, unknown>;
  /** The same graph as nodes and edges, for drawing. */
  nodes: LineageNode[];
  edges: { from: string; to: string }[];
  /** Laid out by the flow graph's layout (core/analysis/graph-layout.ts), drawn by webviews/graph/FlowGraph. */
  graph?: LaidOutGraph;
}

export type CheckStatus = 'pass' | 'fail' | 'error';

export interface CheckResult {
  name: string;
  kind: 'metric' | 'gap' | 'perturb' | 'swap';
  status: CheckStatus;
  /** One line with the numbers: "auc 0.71 ≥ 0.65", "worst slice ORD auc 0.58 < 0.65". */
  message: string;
  /** FB08x code when the check could not be evaluated (status `error`). */
  code?: string;
  observed?: number;
  threshold?: number;
  /** Per slice, for slice checks: the value and whether it passed. */
  slices?: { value: string; observed: number; pass: boolean }[];
  /** Rows the perturbation ran on. */
  rows?: number;
  /** Where the check is declared in the flow file (zero-based). */
  line?: number;
}

export interface ModelSignature {
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  irVersion?: number;
  producer?: string;
  opsets: { domain: string; version: number }[];
  parameters?: number;
  operators?: { domain: string; op: string; count: number }[];
  metadata: Record<string, string>;
}

export interface ModelCard {
  version: typeof CARD_VERSION;
  generated: number;
  details: {
    /** The flow's name. */
    name: string;
    description?: string;
    flowFile: string;
    run: string;
    runStatus: string;
    created: number;
    code: { commit?: string; dirty: boolean };
    path?: string;
    trainingStep?: string;
    sha256?: string;
    size?: number;
    /** The previous model of the same flow (a different model hash) the metrics are compared with. */
    previous?: { run: string; sha256: string; created: number };
  };
  /** From the flow's `model.card`; other fields (training_data, features, label, license…) in `other`. */
  considerations: {
    intendedUse?: string;
    outOfScope?: string;
    limitations?: string;
    ethicalConsiderations?: string;
    owners: string[];
    license?: string;
    tags: string[];
    datasets: string[];
    other: Record<string, string>;
  };
  lineage: Lineage;
  metrics: {
    /** The evaluation step's metrics (all run metrics when no step is found to evaluate the model). */
    overall: MetricValue[];
    slices: SliceTable[];
  };
  signature?: ModelSignature;
  checks: CheckResult[];
  /** What could not be shown and why (missing model file, unreadable slices…): on the card, never a crash. */
  problems: string[];
}

/** One version in the Models view: a distinct model hash, with the newest run that produced it. */
export interface ModelVersion {
  flow: string;
  flowFile: string;
  sha256: string;
  size: number;
  run: string;
  created: number;
  /** Runs that produced this same model file. */
  runs: number;
  metrics: Record<string, number>;
}
