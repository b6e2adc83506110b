// The model as SageMaker's Triton image loads it: a one-model Triton repository in `model.tar.gz`,
//   <name>/config.pbtxt   platform "onnxruntime_onnx", inputs/outputs from the ONNX signature
//   <name>/1/model.onnx   (plus any external-data files beside it)
// The archive's S3 key is content-addressed by the model's sha256 and the config text, so deploying an
// unchanged model again uploads nothing.
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { create as createTar } from 'tar';
import { AwsProblem } from '../aws/errors';
import { inspectOnnx } from '../model/onnx-inspect';
import type { OnnxInspection, OnnxTensorInfo } from '../model/onnx-types';

const TRITON_TYPES: Record<string, string> = {
  bool: 'TYPE_BOOL',
  uint8: 'TYPE_UINT8',
  uint16: 'TYPE_UINT16',
  uint32: 'TYPE_UINT32',
  uint64: 'TYPE_UINT64',
  int8: 'TYPE_INT8',
  int16: 'TYPE_INT16',
  int32: 'TYPE_INT32',
  int64: 'TYPE_INT64',
  float16: 'TYPE_FP16',
  bfloat16: 'TYPE_BF16',
  float32: 'TYPE_FP32',
  float64: 'TYPE_FP64',
  string: 'TYPE_STRING',
};

/** Triton's largest batch when the model's first dimension is dynamic: requests are batched up to it. */
export const TRITON_MAX_BATCH = 64;

/** The model cannot be packaged for the serving image; an AwsProblem, so the deploy command prints it plainly. */
export class PackageError extends AwsProblem {}

export interface TritonConfig {
  text: string;
  /** Outputs left out because Triton serves tensors only (e.g. scikit-learn's ZipMap probabilities). */
  skippedOutputs: string[];
}

/** A model name Triton and SageMaker both accept: letters, digits, hyphens, underscores. */
export function tritonModelName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 63) || 'model';
}

const dynamic = (d: number | string | null) => typeof d !== 'number' || d < 0;
const dims = (shape: (number | string | null)[]) => `[ ${shape.map((d) => (dynamic(d) ? -1 : d)).join(', ')} ]`;
const quote = (s: string) => JSON.stringify(s);

/** config.pbtxt for the ONNX signature; batching is declared only when every tensor's first dim is dynamic. */
export function tritonConfig(name: string, inspection: Pick<OnnxInspection, 'inputs' | 'outputs'>): TritonConfig {
  const tensor = (t: OnnxTensorInfo) => TRITON_TYPES[t.type] !== undefined;
  const skippedOutputs = inspection.outputs.filter((t) => !tensor(t)).map((t) => t.name);
  const outputs = inspection.outputs.filter(tensor);
  const badInput = inspection.inputs.find((t) => !tensor(t));
  if (badInput) throw new PackageError(`input '${badInput.name}' is of type ${badInput.type}, which Triton cannot take: export the model with tensor inputs, or deploy with --image and your own server`);
  if (!outputs.length) throw new PackageError(`no output of the model is a tensor (${inspection.outputs.map((t) => `${t.name}: ${t.type}`).join(', ')}); Triton serves tensors only — for scikit-learn, convert with options={'zipmap': False}`);
  const unknownRank = [...inspection.inputs, ...outputs].find((t) => t.shape === null);
  if (unknownRank) throw new PackageError(`'${unknownRank.name}' has no known rank, which config.pbtxt needs: give the ONNX graph a shape for it`);
  const all = [...inspection.inputs, ...outputs];
  const batched = all.every((t) => t.shape!.length > 0 && dynamic(t.shape![0]!));
  // A batched tensor that is only the batch dimension is declared [1] and reshaped to [], as Triton asks.
  const shape = (t: OnnxTensorInfo) => {
    const rest = batched ? t.shape!.slice(1) : t.shape!;
    return batched && !rest.length ? 'dims: [ 1 ]\n    reshape: { shape: [ ] }' : `dims: ${dims(rest)}`;
  };
  const section = (kind: string, list: OnnxTensorInfo[]) =>
    `${kind} [\n${list.map((t) => `  {\n    name: ${quote(t.name)}\n    data_type: ${TRITON_TYPES[t.type]}\n    ${shape(t)}\n  }`).join(',\n')}\n]\n`;
  const text = [
    `name: ${quote(name)}\n`,
    `platform: "onnxruntime_onnx"\n`,
    `max_batch_size: ${batched ? TRITON_MAX_BATCH : 0}\n`,
    section('input', inspection.inputs),
    section('output', outputs),
    batched ? 'dynamic_batching { }\n' : '',
    'instance_group [ { kind: KIND_AUTO } ]\n',
  ].join('');
  return { text, skippedOutputs };
}

/**
 * `triton`: the Triton repository above, for SageMaker's Triton image. `plain`: model.onnx (and its external
 * data) at the archive's root, which SageMaker unpacks to /opt/ml/model for a user-given image.
 */
export type PackageLayout = 'triton' | 'plain';

export interface PackagePlan {
  layout: PackageLayout;
  inspection: OnnxInspection;
  /** The Triton model name (also SAGEMAKER_TRITON_DEFAULT_MODEL_NAME). */
  modelName: string;
  config?: TritonConfig;
  /** Content address: sha256 over the layout, the model's sha256, its external data names and the config. */
  digest: string;
}

export interface ModelPackage {
  /** The staged model.tar.gz inside `dir`; remove `dir` when done. */
  file: string;
  dir: string;
  size: number;
}

/** What the package will hold, without building it: the digest alone finds an earlier upload. */
export async function planPackage(modelFile: string, name: string, modelSha256: string, layout: PackageLayout): Promise<PackagePlan> {
  const inspection = await inspectOnnx(modelFile);
  const error = inspection.problems.find((p) => p.severity === 'error');
  if (error) throw new PackageError(`${modelFile}: ${error.message}`);
  const missing = inspection.externalData.find((x) => x.missing);
  if (missing) throw new PackageError(`${modelFile}: external data file '${missing.location}' of tensor '${missing.tensor}' is missing`);
  for (const { location } of inspection.externalData) {
    if (isAbsolute(location) || location.split(/[\\/]/).includes('..')) throw new PackageError(`${modelFile}: external data location '${location}' leaves the model's folder`);
  }
  const modelName = tritonModelName(name);
  const config = layout === 'triton' ? tritonConfig(modelName, inspection) : undefined;
  const digest = createHash('sha256').update(`${layout}\n${modelSha256}\n${externalFiles(inspection).join('\n')}\n${config?.text ?? ''}`).digest('hex');
  return { layout, inspection, modelName, digest, ...(config && { config }) };
}

const externalFiles = (inspection: OnnxInspection) => [...new Set(inspection.externalData.map((x) => x.location))].sort();

export async function buildPackage(modelFile: string, plan: PackagePlan): Promise<ModelPackage> {
  const dir = await mkdtemp(join(tmpdir(), 'flowbench-package-'));
  try {
    const root = join(dir, 'root');
    const versionRel = plan.layout === 'triton' ? `${plan.modelName}/1` : '';
    const version = join(root, versionRel);
    await mkdir(version, { recursive: true });
    if (plan.config) await writeFile(join(root, plan.modelName, 'config.pbtxt'), plan.config.text);
    // Links, not copies: tar follows them, so a large model is read once, straight into the archive.
    await symlink(modelFile, join(version, 'model.onnx'));
    for (const location of externalFiles(plan.inspection)) {
      await mkdir(dirname(join(version, location)), { recursive: true });
      await symlink(join(dirname(modelFile), location), join(version, location));
    }
    const inVersion = (f: string) => (versionRel ? `${versionRel}/${f}` : f);
    const entries = [
      ...(plan.config ? [plan.modelName, `${plan.modelName}/config.pbtxt`, versionRel] : []),
      inVersion('model.onnx'),
      ...externalFiles(plan.inspection).map(inVersion),
    ];
    const file = join(dir, 'model.tar.gz');
    await createTar({ gzip: true, file, cwd: root, portable: true, follow: true, noDirRecurse: true, mtime: new Date(0) }, entries);
    return { file, dir, size: (await stat(file)).size };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/** `<prefix>/models/<digest>/model.tar.gz`: the same model and config always land on the same key. */
export function packageKey(prefix: string, digest: string): string {
  return [prefix, 'models', digest, 'model.tar.gz'].filter(Boolean).join('/');
}
