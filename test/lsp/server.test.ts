// Drives the built language server over a real LSP connection (stdio JSON-RPC), as an editor does.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, CodeLens, CompletionItem, Diagnostic, DocumentSymbol, Hover, Location, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { LspClient, positionOf, uri } from './client';
import { FEATURES_SQL, FLOW, makeProject, SUMMARY_SQL, type Project } from './fixture';

const codes = (d: Diagnostic[]) => d.map((x) => x.code);
const message = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);

describe('language server over LSP', () => {
  let p: Project;
  let c: LspClient;
  before(async () => {
    p = makeProject();
    c = await LspClient.start([p.root]);
    c.open(p.flow);
    await c.waitForDiagnostics(p.flow);
  });
  after(async () => {
    await c.stop();
    p.cleanup();
  });

  const at = (file: string, text: string, needle: string, delta = 0, nth = 0) => ({ textDocument: { uri: uri(file) }, position: positionOf(text, needle, delta, nth) });

  test('flow diagnostics follow unsaved edits, with did-you-mean quick fixes', async () => {
    const broken = FLOW.replace('needs: [train]', 'needs: [trian]');
    c.change(p.flow, broken);
    const diagnostics = await c.waitForDiagnostics(p.flow, (d) => codes(d).includes('FB020'));
    const unknown = diagnostics.find((d) => d.code === 'FB020')!;
    assert.deepEqual(unknown.range.start, positionOf(broken, 'trian'));
    assert.equal(unknown.range.end.character - unknown.range.start.character, 'trian'.length);
    assert.match(message(unknown), /Did you mean 'train'/);

    const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uri(p.flow) },
      range: unknown.range,
      context: { diagnostics: [unknown] },
    });
    assert.equal(actions.length, 1);
    assert.equal(actions[0]!.kind, 'quickfix');
    const edits = (actions[0]!.edit!.documentChanges as TextDocumentEdit[])[0]!;
    assert.equal(edits.textDocument.uri, uri(p.flow));
    assert.deepEqual(edits.edits, [{ range: unknown.range, newText: 'train' }]);

    c.change(p.flow, FLOW);
    await c.waitForDiagnostics(p.flow, (d) => !codes(d).includes('FB020'));
  });

  /** The fixes offered for the first FB021 after writing `\${params.epoch}`, and a way to apply one to the text. */
  async function unknownParamFixes() {
    const broken = FLOW.replace('${params.epochs}', '${params.epoch}');
    c.change(p.flow, broken);
    const d = (await c.waitForDiagnostics(p.flow, (x) => codes(x).includes('FB021'))).find((x) => x.code === 'FB021')!;
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uri(p.flow) }, range: d.range, context: { diagnostics: [d] } });
    const apply = (a: CodeAction) => {
      let text = broken;
      for (const e of (a.edit!.documentChanges as TextDocumentEdit[]).flatMap((x) => x.edits)) {
        const lines = text.split('\n');
        const offset = (pos: { line: number; character: number }) => lines.slice(0, pos.line).reduce((n, l) => n + l.length + 1, 0) + pos.character;
        text = text.slice(0, offset(e.range.start)) + ('newText' in e ? e.newText : '') + text.slice(offset(e.range.end));
      }
      return text;
    };
    return { actions, apply };
  }

  test('unknown param: add-missing-param quick fix', async () => {
    const { actions, apply } = await unknownParamFixes();
    const add = actions.find((a) => /Add param 'epoch'/.test(a.title));
    assert.ok(add, JSON.stringify(actions.map((a) => a.title)));
    assert.match(apply(add), /\n {2}epoch: .*\n/);
    c.change(p.flow, FLOW);
    await c.waitForDiagnostics(p.flow, (x) => !codes(x).includes('FB021'));
  });

  test('unknown param: did-you-mean quick fix keeps the ${params.…} syntax', async () => {
    const { actions, apply } = await unknownParamFixes();
    const rename = actions.find((a) => /epochs/.test(a.title))!;
    try {
      assert.equal(apply(rename), FLOW);
    } finally {
      c.change(p.flow, FLOW);
      await c.waitForDiagnostics(p.flow, (x) => !codes(x).includes('FB021'));
    }
  });

  test('a cycle is reported on each of its edges with the path', async () => {
    const cyclic = FLOW.replace('    materialize: table\n', '    materialize: table\n    needs: [evaluate]\n');
    c.change(p.flow, cyclic);
    const diagnostics = await c.waitForDiagnostics(p.flow, (d) => codes(d).includes('FB030'));
    const cycle = diagnostics.filter((d) => d.code === 'FB030');
    const cyclePath = 'Cycle: features → train → evaluate → features. Steps must form a DAG; remove one of these dependencies';
    assert.deepEqual(cycle.map((d) => message(d)).sort(), [
      `${cyclePath} (evaluate depends on an out of train).`,
      `${cyclePath} (evaluate needs train).`,
      `${cyclePath} (features needs evaluate).`,
      `${cyclePath} (train has features in inputs).`,
    ]);
    c.change(p.flow, FLOW);
    await c.waitForDiagnostics(p.flow, (d) => !codes(d).includes('FB030'));
  });

  test('SQL syntax errors map to UTF-16 positions past astral characters and masked templates', async () => {
    const sql = "-- 😀 ünïcode 🚀\nSELECT '🎉🎉' AS party, origin\nFROM {{ ref('features') }} WHER delay > 1\n";
    c.open(p.summary, sql);
    const diagnostics = await c.waitForDiagnostics(p.summary, (d) => codes(d).includes('FB601'));
    const syntax = diagnostics.find((d) => d.code === 'FB601')!;
    assert.deepEqual(syntax.range, { start: positionOf(sql, 'delay'), end: positionOf(sql, 'delay', 5) });
    assert.equal(syntax.source, 'flowbench (duckdb)');
    assert.match(message(syntax), /DuckDB parser/);
    c.change(p.summary, SUMMARY_SQL);
    await c.waitForDiagnostics(p.summary, (d) => d.length === 0);
  });

  test('editing SQL moves validator diagnostics with the template call they point into', async () => {
    const broken = SUMMARY_SQL.replace("ref('features')", "ref('featurs')");
    c.open(p.summary, broken);
    const first = (await c.waitForDiagnostics(p.summary, (d) => codes(d).includes('FB020'))).find((d) => d.code === 'FB020')!;
    assert.deepEqual(first.range.start, positionOf(broken, 'featurs'));
    // Typing before the call: the unknown ref must follow its text, at once and after re-validation.
    const shifted = '-- 🦆 comment\n' + broken.replace('SELECT origin', 'SELECT  origin');
    c.change(p.summary, shifted);
    const moved = (await c.waitForDiagnostics(p.summary, (d) => d.some((x) => x.code === 'FB020' && x.range.start.line === 2))).find((d) => d.code === 'FB020')!;
    assert.deepEqual(moved.range, { start: positionOf(shifted, 'featurs'), end: positionOf(shifted, 'featurs', 7) });
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(c.diagnostics.get(uri(p.summary))!.find((d) => d.code === 'FB020')!.range, moved.range);
    c.change(p.summary, SUMMARY_SQL);
    await c.waitForDiagnostics(p.summary, (d) => d.length === 0);
  });

  test('SQL diagnostics are republished when the flow changes, and back', async () => {
    c.open(p.summary, SUMMARY_SQL);
    const renamed = FLOW.replace('  features:\n', '  base:\n').replace('inputs: [features]', 'inputs: [base]');
    c.change(p.flow, renamed);
    const diagnostics = await c.waitForDiagnostics(p.summary, (d) => codes(d).includes('FB020'));
    assert.deepEqual(diagnostics.find((d) => d.code === 'FB020')!.range.start, positionOf(SUMMARY_SQL, 'features'));
    c.change(p.flow, FLOW);
    await c.waitForDiagnostics(p.summary, (d) => d.length === 0);
  });

  test('a SQL file is read again after it changes on disk, while open in an editor, and once closed', async () => {
    const fb020 = (d: Diagnostic[]) => d.filter((x) => x.code === 'FB020').map(message);
    // Earlier tests leave the file open with its original text, which is also on disk.
    c.close(p.summary);
    const onDisk = (text: string) => {
      fs.writeFileSync(p.summary, text);
      c.filesChanged([{ uri: uri(p.summary), type: 2 }]);
    };
    onDisk(SUMMARY_SQL.replace("ref('features')", "ref('featurs')"));
    assert.match(fb020(await c.waitForDiagnostics(p.summary, (d) => fb020(d).length > 0)).join(), /Unknown step 'featurs'/);
    // The open buffer wins over the disk; the disk changing meanwhile is seen once the editor closes.
    c.open(p.summary, SUMMARY_SQL);
    await c.waitForDiagnostics(p.summary, (d) => d.length === 0);
    onDisk(SUMMARY_SQL.replace("ref('features')", "ref('featres')"));
    c.change(p.flow, FLOW.replace('epochs: 20', 'epochs: 21'));
    await c.waitForDiagnostics(p.flow);
    assert.deepEqual(fb020(c.diagnostics.get(uri(p.summary)) ?? []), []);
    c.close(p.summary);
    assert.match(fb020(await c.waitForDiagnostics(p.summary, (d) => fb020(d).length > 0)).join(), /Unknown step 'featres'/);
    onDisk(SUMMARY_SQL);
    await c.waitForDiagnostics(p.summary, (d) => d.length === 0);
    // Back as the tests below expect it: open, with the flow as written.
    c.open(p.summary, SUMMARY_SQL);
    c.change(p.flow, FLOW);
    await c.waitForDiagnostics(p.flow);
  });

  test('completion: schema keys with docs, step names, params, ref(), source() and file paths', async () => {
    const keyText = FLOW.replace('    materialize: table\n', '    materialize: table\n    mat\n');
    c.change(p.flow, keyText);
    const keys = await c.request<CompletionItem[]>('textDocument/completion', at(p.flow, keyText, '    mat\n', 7));
    const deps = keys.find((k) => k.label === 'deps');
    assert.ok(deps, `step keys offered, got ${keys.map((k) => k.label)}`);
    assert.match(JSON.stringify(deps.documentation), /Files or folders the step reads/);
    assert.ok(!keys.some((k) => k.label === 'flow'), 'top-level keys are not offered inside a step');

    const top = await c.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: uri(p.flow) }, position: { line: 1, character: 0 } });
    assert.ok(['flow', 'params', 'steps', 'sources', 'warehouses', 'model'].every((k) => top.some((i) => i.label === k)));

    const needsText = FLOW.replace('needs: [train]', 'needs: [train, ]');
    c.change(p.flow, needsText);
    const steps = await c.request<CompletionItem[]>('textDocument/completion', at(p.flow, needsText, 'train, ]', 7));
    assert.deepEqual(steps.map((s) => s.label).sort(), ['features', 'summary', 'train']);

    const paramText = FLOW.replace('node steps/evaluate.mjs', 'node steps/evaluate.mjs ${params.');
    c.change(p.flow, paramText);
    const params = await c.request<CompletionItem[]>('textDocument/completion', at(p.flow, paramText, '${params.', 9));
    assert.deepEqual(params.map((s) => s.label).sort(), ['epochs', 'learning_rate', 'unused_knob']);

    const depText = FLOW.replace('deps: [steps/train.mjs]', 'deps: [steps/]');
    c.change(p.flow, depText);
    const files = await c.request<CompletionItem[]>('textDocument/completion', at(p.flow, depText, 'steps/]', 6));
    assert.deepEqual(files.map((s) => s.label).sort(), ['evaluate.mjs', 'train.mjs']);
    c.change(p.flow, FLOW);

    const sql = "SELECT * FROM {{ ref('') }} JOIN {{ source('raw', '') }}\n";
    c.open(p.summary, sql);
    await c.waitForDiagnostics(p.summary);
    const refs = await c.request<CompletionItem[]>('textDocument/completion', at(p.summary, sql, "ref('", 5));
    assert.deepEqual(refs.map((s) => s.label).sort(), ['evaluate', 'features', 'summary', 'train']);
    const tables = await c.request<CompletionItem[]>('textDocument/completion', at(p.summary, sql, "'raw', '", 8));
    assert.deepEqual(tables.map((s) => s.label), ['flights']);
    c.change(p.summary, SUMMARY_SQL);
  });

  test('hover: step details, param value, ref() target, key docs', async () => {
    const step = await c.request<Hover>('textDocument/hover', at(p.flow, FLOW, 'train:', 1));
    const text = JSON.stringify(step.contents);
    assert.match(text, /node steps\/train.mjs/);
    assert.match(text, /outs: `models\/model.onnx`/);
    assert.match(text, /last run: none recorded/);

    const param = await c.request<Hover>('textDocument/hover', at(p.flow, FLOW, 'params.learning_rate', 8));
    assert.match(JSON.stringify(param.contents), /learning_rate.*0\.1/);

    c.open(p.summary, SUMMARY_SQL);
    const ref = await c.request<Hover>('textDocument/hover', at(p.summary, SUMMARY_SQL, 'features', 2));
    assert.match(JSON.stringify(ref.contents), /step\*\* `features` \(sql\).*sql\/features.sql/);

    const key = await c.request<Hover>('textDocument/hover', at(p.flow, FLOW, 'materialize', 2));
    assert.match(JSON.stringify(key.contents), /How a SQL step's result is kept/);
  });

  test('definition and references: needs, inputs, ref(), params, paths', async () => {
    const trainDecl = positionOf(FLOW, 'train:');
    const fromNeeds = await c.request<Location[]>('textDocument/definition', at(p.flow, FLOW, 'needs: [train]', 9));
    assert.deepEqual(fromNeeds, [{ uri: uri(p.flow), range: { start: trainDecl, end: positionOf(FLOW, 'train:', 5) } }]);

    const fromRef = await c.request<Location[]>('textDocument/definition', at(p.summary, SUMMARY_SQL, 'features', 1));
    assert.deepEqual(fromRef.map((l) => [l.uri, l.range.start]), [[uri(p.flow), positionOf(FLOW, 'features:')]]);

    const fromParam = await c.request<Location[]>('textDocument/definition', at(p.flow, FLOW, 'params.epochs', 9));
    assert.deepEqual(fromParam[0]!.range.start, positionOf(FLOW, 'epochs:'));

    const fromPath = await c.request<Location[]>('textDocument/definition', at(p.flow, FLOW, 'sql/features.sql', 3));
    assert.deepEqual(fromPath.map((l) => l.uri), [uri(p.features)]);

    const refs = await c.request<Location[]>('textDocument/references', { ...at(p.flow, FLOW, 'features:'), context: { includeDeclaration: true } });
    const where = refs.map((l) => `${path.basename(new URL(l.uri).pathname)}:${l.range.start.line}`).sort();
    assert.deepEqual(where, [`demo.flow.yaml:${positionOf(FLOW, 'features:').line}`, `demo.flow.yaml:${positionOf(FLOW, 'inputs: [features]').line}`, 'summary.sql:1']);
  });

  test('rename a step across the flow and its SQL files', async () => {
    const prepared = await c.request<{ range: unknown; placeholder: string }>('textDocument/prepareRename', at(p.flow, FLOW, 'features:', 2));
    assert.equal(prepared.placeholder, 'features');
    const edit = await c.request<WorkspaceEdit>('textDocument/rename', { ...at(p.summary, SUMMARY_SQL, 'features', 3), newName: 'base_features' });
    const byFile = new Map((edit.documentChanges as TextDocumentEdit[]).map((e) => [e.textDocument.uri, e.edits]));
    assert.equal(byFile.get(uri(p.flow))!.length, 2, 'declaration and inputs entry');
    assert.deepEqual(byFile.get(uri(p.summary)), [{ range: { start: positionOf(SUMMARY_SQL, 'features'), end: positionOf(SUMMARY_SQL, 'features', 8) }, newText: 'base_features' }]);
    assert.ok(byFile.get(uri(p.flow))!.every((e) => 'newText' in e && e.newText === 'base_features'));

    await assert.rejects(c.request('textDocument/rename', { ...at(p.flow, FLOW, 'features:', 2), newName: '9bad name' }), /not a valid step name/);
  });

  test('document symbols and code lenses', async () => {
    const symbols = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uri(p.flow) } });
    assert.deepEqual(symbols.map((s) => s.name), ['params', 'sources', 'steps']);
    assert.deepEqual(symbols[2]!.children!.map((s) => s.name), ['features', 'summary', 'train', 'evaluate']);
    assert.deepEqual(symbols[1]!.children![0]!.children!.map((s) => s.name), ['flights']);

    const lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(p.flow) } });
    const train = lenses.filter((l) => l.range.start.line === positionOf(FLOW, 'train:').line);
    assert.deepEqual(train.slice(0, 2).map((l) => [l.command!.title, l.command!.command, l.command!.arguments]), [
      ['▶ Run', 'flowbench.runStep', [p.flow, 'train']],
      ['Run upstream', 'flowbench.runUpstream', [p.flow, 'train']],
    ]);
    const features = lenses.filter((l) => l.range.start.line === positionOf(FLOW, 'features:').line);
    // a SQL step with no parents: Run, Preview (its first rows), status; no "Run upstream"
    assert.deepEqual(features.map((l) => l.command?.title).slice(0, 2), ['▶ Run', 'Preview']);
    assert.equal(features.length, 3, 'no "Run upstream" on a step with no parents');
    assert.deepEqual(features[1]!.command!.arguments, [p.flow, 'features']);
    assert.equal(features[1]!.command!.command, 'flowbench.previewSqlStep');
    // The status comes from the engine's check, computed in the background.
    let status = '';
    for (let i = 0; i < 50 && !/never run/.test(status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const again = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(p.flow) } });
      status = again.filter((l) => l.range.start.line === positionOf(FLOW, 'train:').line)[2]!.command!.title;
    }
    assert.equal(status, 'never run');
  });

  test('missing SQL file: quick fix creates it; the file appearing on disk clears the error', async () => {
    const text = FLOW.replace('sql/summary.sql', 'sql/report.sql');
    c.change(p.flow, text);
    const d = (await c.waitForDiagnostics(p.flow, (x) => codes(x).includes('FB051'))).find((x) => x.code === 'FB051')!;
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uri(p.flow) }, range: d.range, context: { diagnostics: [d] } });
    const create = actions.find((a) => (a.edit?.documentChanges ?? []).some((ch) => 'kind' in ch && ch.kind === 'create'));
    assert.ok(create, JSON.stringify(actions));
    assert.ok(JSON.stringify(create.edit).includes(uri(path.join(p.root, 'sql/report.sql'))));

    fs.writeFileSync(path.join(p.root, 'sql/report.sql'), 'SELECT 1\n');
    c.filesChanged([{ uri: uri(path.join(p.root, 'sql/report.sql')), type: 1 }]);
    await c.waitForDiagnostics(p.flow, (x) => !codes(x).includes('FB051'));
    c.change(p.flow, FLOW);
    await c.waitForDiagnostics(p.flow, (x) => !codes(x).includes('FB051'));
  });
});

describe('workspace index', () => {
  test('several flows per folder, multi-root, a SQL file shared by two flows and Snowflake dialect', async () => {
    const a = makeProject();
    const b = makeProject({
      // A second flow in the same folder uses features.sql without a `raw` source, and targets Snowflake.
      'other.flow.yaml': `flow: other
warehouse: snow
warehouses:
  snow: { type: snowflake, account: acme }
steps:
  features:
    sql: sql/features.sql
  report:
    sql: sql/report.sql
`,
      'sql/report.sql': 'SELECT * FROM {{ ref(\'features\') }} QUALIFY ROW_NUMBER() OVER (ORDER BY 1) = 1 LIMIT 1 LIMIT 2\n',
    });
    const c = await LspClient.start([a.root, b.root]);
    try {
      const other = path.join(b.root, 'other.flow.yaml');
      const shared = path.join(b.root, 'sql/features.sql');
      // Flows of both roots were indexed from disk: opening a SQL file shows what each flow says about it.
      c.open(shared);
      const sharedDiagnostics = await c.waitForDiagnostics(shared, (d) => codes(d).includes('FB022'));
      assert.equal(sharedDiagnostics.filter((d) => d.code === 'FB022').length, 1, 'unknown source, from other.flow.yaml only');

      const report = path.join(b.root, 'sql/report.sql');
      c.open(report, 'SELECT * FROM {{ ref(\'features\') }} WHER x\n');
      const snow = (await c.waitForDiagnostics(report, (d) => codes(d).includes('FB602'))).find((d) => d.code === 'FB602')!;
      assert.equal(snow.severity, 2, 'a warning, never an error, for Snowflake SQL');
      assert.match(snow.source!, /duckdb parser, snowflake target/);
      assert.match(message(snow), /targets Snowflake \(its flow's warehouse\) and was checked with the DuckDB parser/);

      const refs = await c.request<Location[]>('textDocument/definition', { textDocument: { uri: uri(shared) }, position: { line: 2, character: 20 } });
      assert.deepEqual(refs.map((l) => l.uri), [uri(b.flow)], 'source() resolves in the flow that declares it');

      c.open(a.summary);
      const ref = await c.request<Location[]>('textDocument/definition', { textDocument: { uri: uri(a.summary) }, position: positionOf(SUMMARY_SQL, 'features', 1) });
      assert.deepEqual(ref.map((l) => l.uri), [uri(a.flow)], 'each root keeps its own flows');

      // Deleting a flow clears what it said about the shared file.
      fs.rmSync(other);
      c.filesChanged([{ uri: uri(other), type: 3 }]);
      await c.waitForDiagnostics(shared, (d) => !codes(d).includes('FB022'));
      assert.equal(FEATURES_SQL.length > 0, true);
    } finally {
      await c.stop();
      a.cleanup();
      b.cleanup();
    }
  });
});
