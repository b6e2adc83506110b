// Usage text for each command, shown by --help and after a usage error.
import { SAGEMAKER_USAGE } from './sagemaker-flags';

export const USAGE: Record<string, string> = {
  validate: 'flowbench validate [FLOW]            check a flow file and its SQL; print every problem as file:line:col',
  run: 'flowbench run [FLOW] [--step S]... [--upstream|--downstream] [--set name=value]... [-j N] [--force] [--events] [--no-wait] [--attach] [--snowflake-at TIME]',
  status: 'flowbench status [FLOW] [--set name=value]... [--json]   which steps are up to date, and why the others are not',
  runs: [
    'flowbench runs [FLOW] [--filter EXPR] [--sort KEYS] [--columns KEYS] [--starred] [--status S] [--limit N] [--json]   list recorded runs, newest first',
    '  flowbench runs star|unstar RUN [FLOW]   mark a run (RUN may be a unique prefix of its id)',
    '  flowbench runs delete RUN [FLOW] [--yes]   delete a run\'s record, histories and logs (cached outputs stay)',
    '  flowbench runs --source mlflow [--mlflow URI] [--filter …] [--sort …] [--columns …] [--json]   MLflow\'s runs, read-only',
    '  flowbench runs export --mlflow URL|DIR [RUN...] [--flow FLOW] [--json]   log runs to an MLflow server or mlruns/ folder (again: no duplicates)',
  ].join('\n'),
  show: 'flowbench show RUN [FLOW] [--json] [--mlflow URI]     one run in full (RUN may be a unique prefix of its id, or mlflow:ID; several mlflow:IDs at once)',
  sweep: 'flowbench sweep [NAME] [FLOW] [--grid k=v,v]... [--random k=a..b[:log]]... [--count N] [--seed N] [--set k=v]... [-w N] [--resume [--id ID]] [--events]',
  apply: 'flowbench apply RUN [FLOW]             put a run\'s outs (e.g. a sweep variant\'s) into the working tree from the cache',
  test: 'flowbench test [STEP|SOURCE.TABLE]... [FLOW] [--json]   run data tests on the tables as materialized now',
  model: [
    'flowbench model inspect FILE [--json] [--no-runtime]   what an ONNX model declares, cross-checked with ONNX Runtime',
    '  flowbench model try FILE [--input JSON|@FILE] [--fill random|zeros] [--seed N] [--json]   one inference on generated or given inputs',
  ].join('\n'),
  preview: 'flowbench preview STEP [FLOW] [--limit N] [--json]   a SQL step\'s compiled SQL and its first 100 rows on its warehouse',
  deploy: 'flowbench deploy RUN|latest [FLOW] [--target local|sagemaker] [--name N] [--port P] [--recreate] [--json]   serve the model a run produced',
  endpoints: 'flowbench endpoints [FLOW] [--json]   deployments with their status now, URL, model version, uptime and request count',
  undeploy: 'flowbench undeploy NAME [FLOW] [--json]   stop a deployment (local: drains in-flight requests; SageMaker: deletes endpoint, config, model)',
  invoke: 'flowbench invoke NAME [FLOW] [--row JSON | --body FILE] [--content-type T] [--json]   send one request to a deployment; print the answer and its latency',
  metrics: 'flowbench metrics NAME [FLOW] [--minutes N]   a SageMaker deployment\'s requests, latency and errors from CloudWatch, as JSON',
  card: 'flowbench card RUN [FLOW] [--check] [--format md|html|json|mct] [-o FILE]   the model card of a run; --check exits 1 when a model check fails',
};

const RUN_OPTIONS = `
  --step S           run only step S (repeatable); with --upstream/--downstream, S and what it depends on / feeds
  --upstream         with --step: also every step the selected steps depend on
  --downstream       with --step: also every step that depends on the selected steps
  --set name=value   override a param for this run (repeatable; value is a YAML scalar: 0.2, true, text)
  -j, --jobs N       run at most N steps at once (default: number of CPU cores)
  --force            run the selected steps even if they are up to date
  --events           print every run event as one JSON line on stdout (human output goes to stderr)
  --no-wait          if another run is using this folder, exit with code 75 instead of waiting for it
  --attach           follow a SageMaker job a runner that died left for a step (same fingerprint) instead of refusing
  --snowflake-at T   read Snowflake sources as of time T (ISO; Time Travel), to replay a recorded run`;

const RUNS_OPTIONS = `
  --filter EXPR      e.g. 'metrics.auc > 0.7 and params.lr < 0.01 and status = succeeded' (see docs/cli.md, Filters)
  --sort KEYS        e.g. 'metrics.auc desc, start'; ties keep newest first
  --columns KEYS     show these columns, e.g. 'params.lr, metrics.auc, duration'
  --starred          only starred runs
  --status S         only runs with this status (same as --filter 'status = S')
  --limit N          at most N runs (default 20; --json prints all)
  --json             the matching summaries as JSON (with --columns: just those columns)
  --source mlflow    MLflow's runs instead: --mlflow URI, else MLFLOW_TRACKING_URI, else ./mlruns and ./mlflow.db
  --mlflow URI       http(s)://server, an mlruns/ folder, or sqlite:///mlflow.db (token: MLFLOW_TRACKING_TOKEN)`;

const SWEEP_OPTIONS = `
  NAME               a sweep declared under \`sweeps:\` in the flow file
  --grid k=v1,v2     ad hoc: every value of param k (repeatable; variants are every combination)
  --random k=a..b    ad hoc: draw k uniformly in [a, b); a..b:log draws in log space; k=x,y,z draws one of them
  --count N          random draws per grid point (with --random; overrides a declared sweep's count)
  --seed N           seed of the draws (default 0): the same seed gives the same variants
  --set k=v          a value every variant shares (repeatable)
  --name NAME        name of an ad hoc sweep in run records (default ad-hoc)
  -w, --workers N    variants at once (default: number of CPU cores)
  --resume           continue the newest unfinished sweep (of NAME if given; --id ID for a given one):
                     variants with a final run record are not run again
  --events           print sweep and run events as JSON lines on stdout (human output goes to stderr)
  --no-wait          if a run is using this folder, exit with code 75 instead of waiting`;

const DEPLOY_OPTIONS = `
  --target T                  local (default: an ONNX Runtime endpoint on 127.0.0.1) or sagemaker
  --name N                    deployment name (default: the flow's name); deploying a name again replaces it
  --port P                    local: the port (default: the one it had, else any free port)
  --no-batching               local: run every request on its own (default: dynamic batching)
  --max-batch N               local: rows per batched run at most (default 256)
  --batch-window-ms MS        local: how long a request waits for others to batch with (default 0: only while busy)
  --json                      print the deployment record as JSON
  --recreate                  SageMaker: a Failed endpoint of this name is deleted and created again (else refused)
${SAGEMAKER_USAGE.map((l) => '  ' + l).join('\n')}`;

const INVOKE_OPTIONS = `
  (neither)          the sample row of the run's evaluation data (the flow's model.sample), as Send Test Request sends it
  --row JSON         one row by feature name, e.g. '{"x": 1.5, "group": "a"}'; a list of rows or {"inputs": …} goes as given
  --body FILE        the request body from FILE (.csv: text/csv, else application/json unless --content-type says)
  --content-type T   with --body: the body's content type
  --json             print {name, target, status, ms, contentType, body} (also when the endpoint answers an error)
  SageMaker: the endpoint must be InService (or Updating); the body must fit InvokeEndpoint's limit, 6 MB real-time
  or 4 MB serverless, checked before any call. Exit 0 when the endpoint answered 2xx, 1 otherwise, 2 usage error.`;

const MODEL_OPTIONS = `
  --json             the inspection (or the inference's inputs and outputs) as JSON
  --no-runtime       inspect only: skip the ONNX Runtime cross-check (which loads the model in a child process)
  --input JSON       try: values by input name, e.g. '{"features": [[0.5, 1, 2]]}' or {"x": {"dims": [2], "data": [1, 2]}};
                     @FILE reads the JSON from FILE; inputs not given are generated (symbolic dims = 1)
  --fill random|zeros   try: how generated inputs are filled (default random: floats in [0, 1), integers 0 or 1)
  --seed N           try: seed of the random fill (default 1)
  --timeout S        stop ONNX Runtime after S seconds (default 60)`;

export function generalUsage(): string {
  return [
    'Usage:',
    ...Object.values(USAGE).map((u) => '  ' + u),
    '',
    'FLOW defaults to the single *.flow.yaml file in the current folder.',
    'Exit codes: 0 ok, 1 step failed or validation errors, 2 usage error, 75 busy (--no-wait), 130 cancelled. See docs/cli.md.',
  ].join('\n');
}

export function commandUsage(command: string): string {
  const usage = USAGE[command];
  if (!usage) return generalUsage();
  const options = { run: RUN_OPTIONS, runs: RUNS_OPTIONS, sweep: SWEEP_OPTIONS, model: MODEL_OPTIONS, deploy: DEPLOY_OPTIONS, invoke: INVOKE_OPTIONS }[command];
  return `Usage: ${usage}${options ? '\n' + options : ''}`;
}
