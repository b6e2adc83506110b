// The classes several bundles each carry a copy of answer `instanceof` across copies, as the CLI's main sees a
// failure thrown by a command's or the AWS code's own bundle. The copy here is a real esbuild bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { Failure } from '../../core/failure';
import { AwsProblem } from '../../core/aws/errors';
import { MlflowError } from '../../core/mlflow/model';
import { ReportedFailure, UsageError } from '../../core/cli/errors';

type Copies = { Failure: typeof Failure; AwsProblem: typeof AwsProblem; MlflowError: typeof MlflowError; UsageError: typeof UsageError; ReportedFailure: typeof ReportedFailure };

async function bundledCopies(): Promise<Copies> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-brand-'));
  try {
    const root = resolve(__dirname, '..', '..', 'core');
    writeFileSync(join(dir, 'entry.ts'), [
      `export { Failure } from ${JSON.stringify(join(root, 'failure'))};`,
      `export { AwsProblem } from ${JSON.stringify(join(root, 'aws', 'errors'))};`,
      `export { MlflowError } from ${JSON.stringify(join(root, 'mlflow', 'model'))};`,
      `export { ReportedFailure, UsageError } from ${JSON.stringify(join(root, 'cli', 'errors'))};`,
    ].join('\n'));
    await build({ entryPoints: [join(dir, 'entry.ts')], outfile: join(dir, 'copy.mjs'), bundle: true, format: 'esm', platform: 'node', logLevel: 'silent' });
    return (await import(pathToFileURL(join(dir, 'copy.mjs')).href)) as Copies;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a failure from another bundle is a Failure here, and each subclass still tells its own kind', async () => {
  const copy = await bundledCopies();
  assert.notEqual(copy.Failure, Failure, 'the bundle has its own class');

  const aws = new copy.AwsProblem('no credentials', 'run aws configure', 'ExpiredToken');
  const mlflow = new copy.MlflowError('cannot read mlruns', 'pass --mlflow');
  for (const failure of [aws, mlflow, new copy.Failure('plain')]) assert.ok(failure instanceof Failure, failure.message);
  assert.ok(aws instanceof AwsProblem, 'AwsProblem answers by its brand across bundles');
  assert.ok(!(mlflow instanceof AwsProblem));
  assert.ok(!(new Failure('plain') instanceof AwsProblem));
  assert.ok(new MlflowError('here') instanceof MlflowError);
  assert.ok(!(new AwsProblem('here') instanceof MlflowError), 'a subclass keeps the prototype test');
  assert.ok(!(new Error('plain') instanceof Failure));
  for (const other of [null, 'text', { message: 'look-alike' }] as unknown[]) assert.ok(!(other instanceof Failure));

  assert.ok(new copy.UsageError('unknown command') instanceof UsageError);
  assert.ok(new copy.ReportedFailure(1) instanceof ReportedFailure);
  assert.ok(!(new copy.UsageError('unknown command') instanceof ReportedFailure));
  assert.ok(!(new copy.UsageError('unknown command') instanceof Failure), 'a usage error is not a service failure');
});
