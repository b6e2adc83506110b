// Semantic checks over a parsed flow and its SQL files: references, the graph, paths on disk,
// compute and warehouse settings. Structural checks (syntax, keys, types) live in parse.ts.
import { relative, resolve } from 'node:path';
import { FolderLinks, isUrl, keptPaths, outViolation, projectRoot, readViolation } from './confine';
import { cachedMatches, globBase, isGlob } from './source-files';
import type { Fix, Flow, Located, Problem, Range, SageMakerCompute, Severity, Step } from './model';
import type { FileHost } from './host';
import { firstUnquotable, interpolate, unquotableMessage } from './interpolate';
import { isWithin, type FlowGraph, type OutputIndex, type SqlFileInfo } from './graph';
import { replaceFix } from './parse';
import { closest } from './suggest';
import { resolveIn } from './resolve-in';
import { isSnowflakeStep, relationParts } from '../sql/snowflake-naming';

const AUTHENTICATORS = ['snowflake', 'snowflake_jwt', 'externalbrowser'];
import { validateTests } from './validate-tests';

export const BUILTIN_WAREHOUSE = 'local';
const SCRIPT_EXTENSIONS = /\.(py|mjs|cjs|js|ts|sh|bash|r|R|jl|rb|pl)$/;

export interface ValidationInput {
  flow: Flow;
  graph: FlowGraph;
  sql: Map<string, SqlFileInfo>;
  host: FileHost;
}

export function validateFlow(input: ValidationInput): Problem[] {
  const v = new Validator(input);
  v.run();
  return v.problems;
}

class Validator {
  readonly problems: Problem[] = [];
  private readonly flow: Flow;
  private readonly outputs: OutputIndex;
  private readonly usedParams = new Set<string>();
  /** Where the paths steps read must stay (see confine.ts). */
  private readonly project: string;

  private readonly availability = new Map<string, boolean>();
  /** Each run step's command after interpolation, computed once. */
  private readonly commands = new Map<string, string>();
  /** Param values by name: what a command holds once interpolated (formatting a whole Param is slow, and wrong). */
  private readonly paramValues: Map<string, unknown>;

  constructor(private readonly input: ValidationInput) {
    this.flow = input.flow;
    this.outputs = input.graph.outputs;
    this.paramValues = new Map([...input.flow.params].map(([name, p]) => [name, p.value]));
    this.project = projectRoot(this.flow.root, (p) => input.host.exists(p));
  }

  /**
   * A path the flow can count on: produced by a step, or already on disk. Answered once per path and
   * analysis: hundreds of steps often run the same script or read the same file.
   */
  private available(path: string): boolean {
    let known = this.availability.get(path);
    if (known === undefined) {
      known = this.isProduced(path) || this.input.host.exists(path);
      this.availability.set(path, known);
    }
    return known;
  }

  run(): void {
    for (const step of this.flow.steps.values()) {
      this.stepReferences(step);
      this.stepParams(step);
      this.stepFiles(step);
      this.compute(step);
      this.sqlTemplate(step);
    }
    this.warehouses();
    this.cycles();
    this.outs();
    this.sources();
    this.isolatedSteps();
    this.unusedParams();
    this.model();
    this.problems.push(...validateTests(this.flow, this.input.host, this.project));
  }

  // ---- references -----------------------------------------------------------------------------

  private stepReferences(step: Step): void {
    for (const [list, what] of [[step.needs, 'needs'], [step.inputs, 'inputs']] as const) {
      for (const ref of list) {
        const target = this.flow.steps.get(ref.value);
        if (!target) {
          this.unknownStep(ref.value, ref.range, this.flow.file, `\`${what}:\` of step '${step.name}'`);
        } else if (what === 'inputs' && (target.kind !== 'sql' || target.materialize?.value === 'view')) {
          const why = target.kind !== 'sql' ? 'a command step' : 'a view';
          this.report('FB025', 'error', `\`inputs:\` takes SQL steps materialized as tables; '${ref.value}' is ${why}. Use \`needs: [${ref.value}]\` and \`deps:\` on its outs instead.`, ref.range);
        }
      }
    }
  }

  private unknownStep(name: string, range: Range, file: string, where: string): void {
    const guess = closest(name, this.flow.steps.keys());
    const known = [...this.flow.steps.keys()];
    const hint = guess ? ` Did you mean '${guess}'?` : known.length ? ` Steps: ${known.join(', ')}.` : '';
    this.report('FB020', 'error', `Unknown step '${name}' in ${where}.${hint}`, range, guess ? [withFile(replaceFix(guess, range), file)] : undefined, file);
  }

  private stepParams(step: Step): void {
    const texts: Located<string>[] = [...(step.run ? [step.run] : []), ...step.env.values(), ...(step.cwd ? [step.cwd] : [])];
    for (const text of texts) {
      const result = interpolate(text.value, this.paramValues);
      if (text === step.run) {
        this.commands.set(step.name, result.text);
        // The first is enough: the runner stops at it too, and a generated command may hold thousands.
        const ref = firstUnquotable(text.value);
        if (ref) this.report('FB026', 'error', unquotableMessage(ref), subRange(text, ref.start, ref.end));
      }
      result.used.forEach((name) => this.usedParams.add(name));
      for (const unknown of result.unknown) {
        const range = subRange(text, unknown.start, unknown.end);
        this.unknownParam(unknown.name, range, this.flow.file, (guess) => `\${params.${guess}}`);
      }
    }
    for (const p of step.params) {
      if (this.flow.params.has(p.value)) this.usedParams.add(p.value);
      else this.unknownParam(p.value, p.range, this.flow.file);
    }
  }

  /** `written` turns a param name into the text that stands at `range` (e.g. `${params.name}`). */
  private unknownParam(name: string, range: Range, file: string, written: (name: string) => string = (n) => n): void {
    const guess = closest(name, this.flow.params.keys());
    const fixes: Fix[] = guess ? [withFile({ ...replaceFix(written(guess), range), title: `Change to '${guess}'` }, file)] : [];
    fixes.push(this.addParamFix(name));
    const hint = guess ? ` Did you mean '${guess}'?` : ' Add it under `params:`.';
    this.report('FB021', 'error', `Unknown param '${name}'.${hint}`, range, fixes, file);
  }

  private addParamFix(name: string): Fix {
    const existing = [...this.flow.params.values()];
    const last = existing.filter((p) => !p.name.includes('.')).at(-1);
    if (last && last.keyRange.start.line !== last.valueRange.end.line) {
      // Block-style params: add a line after the last top-level one, at its indentation.
      const at = { line: last.valueRange.end.line + 1, character: 0 };
      return { title: `Add param '${name}'`, edits: [{ range: { start: at, end: at }, newText: `${' '.repeat(last.keyRange.start.character)}${name}: 0\n` }] };
    }
    if (last && last.keyRange.start.line === last.valueRange.end.line && existing.every((p) => p.keyRange.start.line === last.keyRange.start.line)) {
      // Flow-style `params: { a: 1 }` on one line: append inside the braces.
      const at = last.valueRange.end;
      return { title: `Add param '${name}'`, edits: [{ range: { start: at, end: at }, newText: `, ${name}: 0` }] };
    }
    if (last) {
      const at = { line: last.valueRange.end.line + 1, character: 0 };
      return { title: `Add param '${name}'`, edits: [{ range: { start: at, end: at }, newText: `${' '.repeat(last.keyRange.start.character)}${name}: 0\n` }] };
    }
    const top = { line: 0, character: 0 };
    const after = this.flow.name ? { line: this.flow.name.range.end.line + 1, character: 0 } : top;
    return { title: `Add param '${name}'`, edits: [{ range: { start: after, end: after }, newText: `params:\n  ${name}: 0\n` }] };
  }

  // ---- SQL templates --------------------------------------------------------------------------

  private sqlTemplate(step: Step): void {
    const info = this.input.sql.get(step.name);
    if (!info) return;
    const at = (start: number, end: number) => info.lines.range(start, end);
    for (const p of info.template.problems) this.report('FB024', 'error', p.message, at(p.start, p.end), undefined, info.file);
    for (const call of info.template.calls) {
      const [first, second] = call.argRanges;
      if (call.fn === 'ref' && call.args.length === 1 && first) {
        const name = call.args[0]!;
        if (name === step.name) {
          this.report('FB030', 'error', `Step '${name}' refers to itself with ref('${name}'): a step cannot read its own table.`, at(first.start, first.end), undefined, info.file);
        } else if (!this.flow.steps.has(name)) {
          this.unknownStep(name, at(first.start, first.end), info.file, `ref() in ${relativeName(info.file)}`);
        } else if (this.flow.steps.get(name)!.kind !== 'sql') {
          this.report('FB023', 'error', `ref('${name}') names a command step; ref() takes SQL steps. Read files from command steps with a source instead.`, at(first.start, first.end), undefined, info.file);
        }
      } else if (call.fn === 'source' && call.args.length === 2 && first && second) {
        const [srcName, tableName] = call.args as [string, string];
        const source = this.flow.sources.get(srcName);
        if (!source) {
          const guess = closest(srcName, this.flow.sources.keys());
          const known = [...this.flow.sources.keys()];
          const hint = guess ? ` Did you mean '${guess}'?` : known.length ? ` Sources: ${known.join(', ')}.` : ' Declare it under `sources:` in the flow file.';
          this.report('FB022', 'error', `Unknown source '${srcName}'.${hint}`, at(first.start, first.end), guess ? [withFile(replaceFix(guess, at(first.start, first.end)), info.file)] : undefined, info.file);
        } else if (!source.tables.has(tableName)) {
          const guess = closest(tableName, source.tables.keys());
          const hint = guess ? ` Did you mean '${guess}'?` : ` Tables: ${[...source.tables.keys()].join(', ') || 'none'}.`;
          this.report('FB022', 'error', `Source '${srcName}' has no table '${tableName}'.${hint}`, at(second.start, second.end), guess ? [withFile(replaceFix(guess, at(second.start, second.end)), info.file)] : undefined, info.file);
        } else {
          const table = source.tables.get(tableName)!;
          const onSnowflake = isSnowflakeStep(this.flow, step);
          if (onSnowflake && !table.relation) {
            this.report('FB141', 'error', `Step '${step.name}' runs on Snowflake, which cannot read the local file of source '${srcName}.${tableName}': give the table \`relation: DATABASE.SCHEMA.TABLE\` (a Snowflake table).`, at(call.start, call.end), undefined, info.file);
          } else if (!onSnowflake && !table.path) {
            this.report('FB142', 'error', `Step '${step.name}' runs on DuckDB, but source '${srcName}.${tableName}' is a Snowflake table (\`relation:\`) with no \`path:\`: run the step on a Snowflake warehouse, or read the table through \`inputs:\` of a Snowflake step.`, at(call.start, call.end), undefined, info.file);
          }
        }
      } else if (call.fn === 'param' && first) {
        const name = call.args[0]!;
        if (this.flow.params.has(name)) this.usedParams.add(name);
        else this.unknownParam(name, at(first.start, first.end), info.file);
      }
    }
  }

  // ---- files ----------------------------------------------------------------------------------

  /** A path a step reads must stay in the project: its absolute path when it does (or is a URL). */
  private confinedRead(raw: string, range: Range, kind: string, owner: string): string | undefined {
    const abs = this.path(raw);
    const violation = readViolation(raw, abs, this.flow.root, this.project);
    if (!violation) return abs;
    this.report('FB045', 'error', `${kind} '${raw}' of ${owner} ${violation}: paths a flow names never escape its project. Move it inside, or link it in with a symlink inside the project.`, range);
    return undefined;
  }

  private stepFiles(step: Step): void {
    const cwd = step.cwd && this.confinedRead(interpolate(step.cwd.value, this.paramValues).text, step.cwd.range, 'cwd', `step '${step.name}'`);
    const sqlPath = step.sql && this.confinedRead(step.sql.value, step.sql.range, 'SQL file', `step '${step.name}'`);
    // A SQL file the analysis could read exists: no second lookup for each of a large flow's SQL steps.
    if (step.sql && sqlPath && !this.input.sql.has(step.name) && !this.available(sqlPath)) {
      this.report('FB051', 'error', `SQL file '${step.sql.value}' of step '${step.name}' does not exist. Create it or fix the path.`, step.sql.range, [
        { title: `Create ${step.sql.value}`, createFile: { path: sqlPath, content: `-- ${step.name}\nSELECT 1 AS placeholder\n` } },
      ]);
    }
    for (const [key, paths] of [['deps', step.deps], ['outs', step.outs], ['metrics', step.metrics]] as const) {
      for (const p of paths) {
        if (!p.value.includes('${')) continue;
        this.report('FB027', 'warning', `'${p.value}' in \`${key}:\` of step '${step.name}' is taken literally: paths in deps, outs and metrics are not interpolated, so the fingerprint and the cache would watch a file of that name. Write the path itself; a param the step reads belongs in its \`params:\`.`, p.range);
      }
    }
    for (const dep of step.deps) {
      if (dep.value.includes('${')) continue;
      const path = this.confinedRead(dep.value, dep.range, 'Dep', `step '${step.name}'`);
      if (!path) continue;
      const clash = this.outputs.overlapping(path).find((o) => o.step === step.name);
      if (clash) {
        this.report('FB042', 'error', `'${dep.value}' is both a dep and an out of step '${step.name}': a step cannot read what it writes. Remove it from one list.`, dep.range, undefined, undefined, [
          { file: this.flow.file, range: clash.range, message: 'declared as an out here' },
        ]);
      } else if (!this.available(path)) {
        this.report('FB050', 'error', `Dep '${dep.value}' of step '${step.name}' does not exist and no step produces it. Create it, fix the path, or add it to the \`outs:\` of the step that writes it.`, dep.range);
      }
    }
    // A cwd outside the project was reported: where the script would be is no question worth asking.
    if (step.run && (cwd || !step.cwd)) this.script(step, step.run, cwd ?? this.flow.root);
  }

  /** The script a command runs (`python train.py`, `node steps/x.mjs`, `./run.sh`) must exist. */
  private script(step: Step, run: Located<string>, base: string): void {
    const command = this.commands.get(step.name) ?? run.value;
    // Only the first three words can name the script: a generated command may hold thousands.
    const token = command.trimStart().split(/\s+/, 3).find((t) => SCRIPT_EXTENSIONS.test(t) && !t.startsWith('-') && !/[$`*?]/.test(t));
    if (!token) return;
    const path = base === this.flow.root ? this.path(token) : resolve(base, token);
    if (this.available(path)) return;
    const offset = run.value.indexOf(token);
    const range = offset >= 0 ? subRange(run, offset, offset + token.length) : run.range;
    this.report('FB052', 'error', `Script '${token}' run by step '${step.name}' does not exist. Create it or fix the command.`, range, [
      { title: `Create ${token}`, createFile: { path, content: '' } },
    ]);
  }

  private isProduced(path: string): boolean {
    return this.outputs.containing(path).length > 0;
  }

  /** Each overlap is reported once, on the later (exact duplicate) or the inner (nested) declaration. */
  private outs(): void {
    const kept = keptPaths(this.flow.root, [this.flow.file, ...[...this.flow.steps.values()].flatMap((s) => (s.sql ? [this.path(s.sql.value)] : []))]);
    const links = new FolderLinks(this.flow.root);
    for (const out of this.outputs.all) {
      const violation = outViolation(this.flow.root, out.raw, out.path, kept);
      const linked = !violation && links.leadOutside(out.path);
      if (violation || linked) {
        const why = violation?.why ?? 'a folder on its path is a symlink leading outside the flow\'s folder';
        this.report(violation?.code ?? 'FB043', 'error', `Out '${out.raw}' of step '${out.step}' cannot be written: ${why}. Restoring an out replaces it, so outs must be new paths inside the flow's folder, outside .flowbench/ and .git/; write e.g. 'out/${out.step}'.`, out.range);
        continue;
      }
      const same = this.outputs.at(out.path);
      const first = same[0]!;
      if (first !== out) {
        const who = first.step === out.step ? 'this step already' : `step '${first.step}'`;
        this.report('FB040', 'error', `'${out.raw}' is written by ${who}: each file has one producer. Give one of them another path.`, out.range, undefined, undefined, [
          { file: this.flow.file, range: first.range, message: `also declared by '${first.step}'` },
        ]);
      }
      const outer = this.outputs.containing(out.path).find((o) => o.path !== out.path);
      if (outer) {
        this.report('FB041', 'error', `Outs overlap: '${out.raw}' (step '${out.step}') lies inside '${outer.raw}' (step '${outer.step}'). Outs must not contain each other.`, out.range, undefined, undefined, [
          { file: this.flow.file, range: outer.range, message: `'${outer.raw}' declared by '${outer.step}'` },
        ]);
      }
    }
  }

  /** A source path may use `${params.x}` (resolved with the flow's own values) and be a glob. */
  private sources(): void {
    for (const src of this.flow.sources.values()) {
      for (const table of src.tables.values()) {
        if (!table.path) continue;
        const located = table.path;
        const { text, used, unknown } = interpolate(located.value, this.paramValues);
        used.forEach((name) => this.usedParams.add(name));
        for (const u of unknown) this.unknownParam(u.name, subRange(located, u.start, u.end), this.flow.file, (guess) => `\${params.${guess}}`);
        if (unknown.length || isUrl(text)) continue;
        const key = `${src.name}.${table.name}`;
        const abs = this.confinedRead(text, located.range, 'Data file', `source '${key}'`);
        if (!abs) continue;
        const shown = text === located.value ? `'${text}'` : `'${located.value}' (${text} with the flow's params)`;
        if (!isGlob(this.flow.root, text)) {
          if (!this.available(abs)) this.report('FB053', 'error', `Data file ${shown} of source '${key}' does not exist. Fix the path or add the file.`, located.range);
          continue;
        }
        const matches = cachedMatches(this.flow.root, text);
        const away = matches.find((f) => !isWithin(f, this.project));
        if (away) {
          this.report('FB045', 'error', `Glob ${shown} of source '${key}' matches ${away}, outside the project: paths a flow names never escape its project. Narrow the pattern.`, located.range);
        } else if (!matches.length && !this.outputs.overlapping(globBase(this.flow.root, text)).length) {
          this.report('FB053', 'error', `Glob ${shown} of source '${key}' matches no file (and no step writes into ${relative(this.flow.root, globBase(this.flow.root, text)) || '.'}/). Fix the pattern or add the files.`, located.range);
        }
      }
    }
  }

  // ---- graph ----------------------------------------------------------------------------------

  private cycles(): void {
    for (const cycle of this.input.graph.cycles) {
      if (cycle.length === 1) continue; // a self ref is reported where it is written
      const path = [...cycle, cycle[0]!].join(' → ');
      const edges = cycle.flatMap((from, i) => {
        const to = cycle[(i + 1) % cycle.length]!;
        return this.input.graph.edges.filter((e) => e.from === from && e.to === to);
      });
      for (const edge of edges) {
        const related = edges
          .filter((other) => other !== edge)
          .map((other) => ({ file: other.file, range: other.range, message: `also in the cycle: ${describeEdge(other.kind, other.from, other.to)}` }));
        this.report('FB030', 'error', `Cycle: ${path}. Steps must form a DAG; remove one of these dependencies (${describeEdge(edge.kind, edge.from, edge.to)}).`, edge.range, undefined, edge.file, related);
      }
    }
  }

  private isolatedSteps(): void {
    const { graph } = this.input;
    if (this.flow.steps.size < 2) return;
    for (const step of this.flow.steps.values()) {
      if (graph.parents(step.name).length || graph.children(step.name).length) continue;
      if (this.modelStep() === step.name) continue;
      this.report('FB060', 'warning', `Step '${step.name}' is not connected to any other step: nothing it needs comes from the flow and nothing reads what it writes. Connect it with \`needs:\`, \`inputs:\`, ref() or deps, or move it to its own flow.`, step.nameRange);
    }
  }

  private unusedParams(): void {
    const used = [...this.usedParams];
    for (const param of this.flow.params.values()) {
      if (typeof param.value === 'object' && param.value !== null && !Array.isArray(param.value)) continue; // a group, judged by its leaves
      const isUsed = used.some((u) => u === param.name || param.name.startsWith(`${u}.`));
      if (!isUsed) {
        this.report('FB061', 'hint', `Param '${param.name}' is not used by any step. Use it as \${params.${param.name}}, list it in a step's \`params:\`, or remove it.`, param.keyRange);
      }
    }
  }

  // ---- compute, warehouses, model -------------------------------------------------------------

  private compute(step: Step): void {
    const c = step.compute;
    if (c.target !== 'sagemaker') return;
    if (step.kind === 'sql') {
      this.report('FB070', 'error', `Step '${step.name}' is a SQL step: SQL runs on its warehouse, not on SageMaker. Remove \`compute:\` or use a Snowflake warehouse profile to scale SQL.`, c.range);
      return;
    }
    if (!c.instanceType) this.report('FB070', 'error', `SageMaker compute of step '${step.name}' needs \`instance_type:\` (e.g. ml.m5.xlarge).`, c.range);
    if (!c.image) this.report('FB070', 'error', `SageMaker compute of step '${step.name}' needs \`image:\`, the container image URI the job runs.`, c.range);
    if (c.instanceType && !/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(c.instanceType.value)) {
      this.report('FB070', 'error', `'${c.instanceType.value}' is not a SageMaker instance type: they look like ml.m5.xlarge or ml.g5.2xlarge.`, c.instanceType.range);
    }
    this.spot(c);
  }

  /** What SageMaker itself would refuse at CreateTrainingJob, said while the flow is edited. */
  private spot(c: SageMakerCompute): void {
    if (c.spot?.value && c.job?.value === 'processing') {
      this.report('FB130', 'error', 'Managed spot capacity is for training jobs only: remove `spot:` or use `job: training`.', c.spot.range);
    }
    if (c.maxWaitSeconds && !c.spot?.value) {
      this.report('FB131', 'error', '`max_wait_seconds:` only applies to spot jobs (the wait for spot capacity): add `spot: true` or remove it.', c.maxWaitSeconds.range);
      return;
    }
    const runtime = c.maxRuntimeSeconds?.value;
    if (c.maxWaitSeconds && runtime !== undefined && c.maxWaitSeconds.value < runtime) {
      this.report('FB132', 'error', `\`max_wait_seconds:\` (${c.maxWaitSeconds.value}) must be at least \`max_runtime_seconds:\` (${runtime}): it counts the job's run time plus the wait for spot capacity.`, c.maxWaitSeconds.range);
    }
  }

  private warehouses(): void {
    const names = [BUILTIN_WAREHOUSE, ...this.flow.warehouses.keys()];
    const check = (ref: Located<string> | undefined) => {
      if (!ref || names.includes(ref.value)) return;
      const guess = closest(ref.value, names);
      this.report('FB072', 'error', `Unknown warehouse profile '${ref.value}'.${guess ? ` Did you mean '${guess}'?` : ''} Use \`local\` (embedded DuckDB) or a profile under \`warehouses:\`.`, ref.range, guess ? [replaceFix(guess, ref.range)] : undefined);
    };
    check(this.flow.warehouse);
    for (const step of this.flow.steps.values()) check(step.warehouse);
    for (const profile of this.flow.warehouses.values()) {
      if (profile.type.value === 'snowflake' && !profile.account) {
        this.report('FB073', 'error', `Snowflake profile '${profile.name}' needs \`account:\`. Credentials come from SNOWFLAKE_USER / SNOWFLAKE_PASSWORD (or a key file), never from the flow file.`, profile.nameRange);
      }
      const auth = profile.authenticator;
      if (auth && !AUTHENTICATORS.includes(auth.value.toLowerCase())) {
        const guess = closest(auth.value.toLowerCase(), AUTHENTICATORS);
        this.report('FB140', 'error', `Unknown Snowflake authenticator '${auth.value}'.${guess ? ` Did you mean '${guess}'?` : ''} Use snowflake (password), snowflake_jwt (key pair) or externalbrowser.`, auth.range, guess ? [replaceFix(guess, auth.range)] : undefined);
      }
      if (profile.type.value === 'duckdb') {
        for (const key of ['account', 'user', 'database', 'warehouse', 'role', 'authenticator', 'connection'] as const) {
          const v = profile[key];
          if (v) this.report('FB144', 'warning', `\`${key}:\` only applies to Snowflake profiles; DuckDB profile '${profile.name}' ignores it.`, v.range);
        }
      }
    }
    for (const source of this.flow.sources.values()) {
      for (const table of source.tables.values()) {
        if (table.relation && !relationParts(table.relation.value)) {
          this.report('FB143', 'error', `\`relation: ${table.relation.value}\` of source '${source.name}.${table.name}' is not a Snowflake table name: write DATABASE.SCHEMA.TABLE or SCHEMA.TABLE.`, table.relation.range);
        }
      }
    }
    for (const step of this.flow.steps.values()) {
      if (step.tests?.tests.length && isSnowflakeStep(this.flow, step)) {
        this.report('FB145', 'warning', `Data tests do not run on Snowflake steps yet: '${step.name}' will fail when its tests are checked. Move them to a DuckDB step that reads this table through \`inputs:\`, or remove them.`, step.nameRange);
      }
    }
  }

  private modelStep(): string | undefined {
    const model = this.flow.model;
    if (model?.step) return model.step.value;
    if (!model?.path) return undefined;
    return this.outputs.containing(this.path(model.path.value))[0]?.step;
  }

  private model(): void {
    const model = this.flow.model;
    if (!model) return;
    if (model.step && !this.flow.steps.has(model.step.value)) this.unknownStep(model.step.value, model.step.range, this.flow.file, '`model.step`');
    if (model.path && !this.modelStep()) {
      this.report('FB080', 'warning', `Model '${model.path.value}' is not an out of any step, so no run records it. Add it to the \`outs:\` of the step that trains it.`, model.path.range);
    }
    const behavioural = model.checks.find((c) => c.kind === 'perturb' || c.kind === 'swap');
    if (behavioural && !model.sample) {
      this.report('FB086', 'error', 'Perturbation and swap checks run the model on a sample of the evaluation data: add `sample:` under `model:`, a JSON out of the evaluation step (see docs/flow-format.md).', behavioural.range);
    }
    if (model.sample && this.outputs.containing(this.path(model.sample.value)).length === 0) {
      this.report('FB086', 'warning', `Sample '${model.sample.value}' is not an out of any step, so no run records it and checks cannot use it. Add it to the \`outs:\` of the evaluation step.`, model.sample.range);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private path(p: string): string {
    return resolveIn(this.flow.root, p);
  }

  private report(code: string, severity: Severity, message: string, range: Range, fixes?: Fix[], file?: string, related?: Problem['related']): void {
    this.problems.push({ code, severity, message, file: file ?? this.flow.file, range, ...(fixes?.length && { fixes }), ...(related && { related }) });
  }
}

function withFile(fix: Fix, file: string): Fix {
  return { ...fix, edits: fix.edits?.map((e) => ({ ...e, file })) };
}

function describeEdge(kind: string, from: string, to: string): string {
  switch (kind) {
    case 'ref': return `${to} reads ref('${from}')`;
    case 'inputs': return `${to} has ${from} in inputs`;
    case 'needs': return `${to} needs ${from}`;
    default: return `${to} depends on an out of ${from}`;
  }
}

function relativeName(file: string): string {
  return file.split(/[\\/]/).slice(-2).join('/');
}

/**
 * The range of `value.slice(start, end)` inside a scalar's source text. Exact for plain and
 * simply quoted one-line scalars; otherwise the whole scalar.
 */
export function subRange(located: Located<string>, start: number, end: number): Range {
  const { range, value } = located;
  if (range.start.line !== range.end.line) return range;
  const width = range.end.character - range.start.character;
  const shift = width === value.length ? 0 : width === value.length + 2 ? 1 : -1;
  if (shift < 0) return range;
  const line = range.start.line;
  return { start: { line, character: range.start.character + shift + start }, end: { line, character: range.start.character + shift + end } };
}
