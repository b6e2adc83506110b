// Builds dist/example/: the flight-delays example as a project that runs on its own, which the extension's
// "Flowbench: Create Example Project" copies into a folder the user picks. It differs from
// examples/flight-delays/ (which `npm run example` runs unchanged) in three ways:
// - data: data/flights-sample.parquet (150,000 of the 3M flights, see data/README.md) instead of the 13 MB file;
// - steps: train.mjs and evaluate.mjs are bundled with esbuild, so their pure-JS dependencies (onnx-proto,
//   the step library) are inlined. A project outside the repository has no node_modules, and ESM ignores
//   NODE_PATH, so the native packages (DuckDB, ONNX Runtime, which the VSIX ships) are loaded with a require
//   rooted at FLOWBENCH_NODE_MODULES, the folder the CLI loads them from (or a node_modules beside the project);
// - the flow file: the sample's path, all of the sample used, no deps on the step library.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'flight-delays');
const FLOW = 'flight-delays.flow.yaml';
const NATIVE = /^(@duckdb\/node-api|onnxruntime-node)$/;

/** Native imports become CommonJS requires, resolved at run time by the banner's `require`. */
const nativePackages = {
  name: 'native-packages',
  setup(b) {
    // The stand-in's own require stays a run-time call.
    b.onResolve({ filter: NATIVE }, (args) => (args.namespace === 'native' ? { path: args.path, external: true } : { path: args.path, namespace: 'native' }));
    b.onLoad({ filter: /.*/, namespace: 'native' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

const BANNER = `// Bundled from the Flowbench repository's examples/flight-delays/steps (see scripts/example-project.mjs).
import { createRequire as __createRequire } from 'node:module';
const require = __createRequire(process.env.FLOWBENCH_NODE_MODULES ? process.env.FLOWBENCH_NODE_MODULES + '/' : import.meta.url);`;

function exampleFlow(text) {
  const doc = parseDocument(text);
  doc.set('description', 'Predict whether a US domestic flight arrives more than 15 minutes late, from what is known before it departs. ' +
    '150,000 real 2001 flights (a sample of the US Bureau of Transportation Statistics data in vega-datasets).');
  doc.setIn(['params', 'sample_per_mille'], 1000);
  doc.getIn(['params', 'sample_per_mille'], true).comment = ' share of the 150,000 flights used for features, in thousandths';
  doc.setIn(['sources', 'raw', 'flights', 'path'], 'data/flights-sample.parquet');
  doc.setIn(['sources', 'raw', 'flights', 'description'], '150,000 US domestic flights from Jan-Jun 2001, every 20th of the 3 million');
  for (const step of ['train', 'evaluate']) {
    const deps = doc.getIn(['steps', step, 'deps']);
    deps.items = deps.items.filter((item) => String(item.value ?? item) !== 'steps/lib');
  }
  doc.setIn(['model', 'card', 'training_data'], '150,000 flights from January to June 2001 (every 20th of the 3 million in the US Bureau of ' +
    'Transportation Statistics on-time data as packaged by vega-datasets), joined with the airports list. 70% trains, 10% picks ' +
    'the best epoch, 20% is held out for evaluation; the split hashes each flight.');
  return doc.toString({ lineWidth: 110, flowCollectionPadding: false });
}

const README = `# Flight delays: a Flowbench example

Predicts whether a US domestic flight arrives more than 15 minutes late, from real 2001 flights
(\`data/\`, US Bureau of Transportation Statistics via vega-datasets). Open the Flowbench view in the activity
bar and press Run Flow on \`flight-delays\`, or run \`flowbench run\` in this folder.

- \`staging\`, \`features\` (SQL on DuckDB, \`sql/\`): clean the flights, build pre-departure features and a split.
- \`train\` (\`node steps/train.mjs\`): a small network in plain JS, written as \`models/model.onnx\`.
- \`evaluate\` (\`node steps/evaluate.mjs\`): scores the held-out flights with ONNX Runtime; fails unless the model
  beats a base-rate baseline.
- Data tests (\`tests:\` in the flow file, \`tests/\`) check the sources and both tables after they materialize:
  no null labels, known splits, every airport known, no rows lost or duplicated by the joins.

The steps are bundles; their sources are in the Flowbench repository, examples/flight-delays/steps.
`;

/** Writes the example project into `out` (replacing it). */
export async function buildExampleProject(out, production) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'steps'), { recursive: true });
  await build({
    entryPoints: ['train', 'evaluate'].map((step) => join(SOURCE, 'steps', `${step}.mjs`)),
    outdir: join(out, 'steps'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: production,
    plugins: [nativePackages],
    banner: { js: BANNER },
    logLevel: 'error',
  });
  cpSync(join(SOURCE, 'steps', 'feature-spec.json'), join(out, 'steps', 'feature-spec.json'));
  cpSync(join(SOURCE, 'sql'), join(out, 'sql'), { recursive: true });
  cpSync(join(SOURCE, 'tests'), join(out, 'tests'), { recursive: true });
  mkdirSync(join(out, 'data'));
  for (const file of ['flights-sample.parquet', 'airports.csv', 'README.md']) cpSync(join(SOURCE, 'data', file), join(out, 'data', file));
  writeFileSync(join(out, FLOW), exampleFlow(readFileSync(join(SOURCE, FLOW), 'utf8')));
  writeFileSync(join(out, 'README.md'), README);
}
