// Paths a flow names stay in its project: outs inside the flow's folder and away from what Flowbench,
// git and the flow itself keep; reads inside the git work tree (or the folder when there is none).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFlow } from '../../core/flow/analyze';
import { tempProject } from '../helpers/project';

const project = tempProject({ 'flow/sql/a.sql': 'select 1\n', 'flow/data/x.csv': 'a\n1\n', 'shared/lib.py': '' });
const outside = mkdtempSync(join(tmpdir(), 'flowbench-outside-'));
symlinkSync(outside, project.path('flow/away'));
mkdirSync(project.path('flow/real'));
symlinkSync(project.path('flow/real'), project.path('flow/near'));
after(() => {
  project.remove();
  rmSync(outside, { recursive: true, force: true });
});

function problems(step: string, files: Record<string, string> = {}) {
  for (const [rel, text] of Object.entries(files)) project.write(rel, text);
  const text = `flow: c\nsteps:\n  a:\n    sql: sql/a.sql\n  s:\n${step}`;
  const a = analyzeFlow(project.path('flow/c.flow.yaml'), text);
  return a.problems.filter((p) => /^FB04[345]$/.test(p.code)).map((p) => ({ code: p.code, line: p.range.start.line, col: p.range.start.character, message: p.message }));
}

test('outs that leave the flow folder, are absolute or lead out through a symlink are FB043 at the out', () => {
  for (const out of ['../x', '/tmp/x', 'sub/../../x', 'away/model.onnx']) {
    const found = problems(`    run: echo\n    outs: [${out}]\n`);
    assert.equal(found.length, 1, `${out}: ${JSON.stringify(found)}`);
    assert.deepEqual({ ...found[0], message: undefined }, { code: 'FB043', line: 6, col: 11, message: undefined }, out);
    assert.match(found[0]!.message, new RegExp(`Out '${out.replace(/[.*/]/g, '\\$&')}' of step 's' cannot be written: .*outside|absolute`));
  }
  assert.deepEqual(problems('    run: echo\n    outs: [near/model.onnx, real/x]\n'), [], 'a symlink within the folder is fine');
});

test('the flow folder itself, .flowbench/, .git/, the flow file and folders holding SQL files are FB044', () => {
  const cases: [string, RegExp][] = [
    ['.', /is the flow's folder itself/],
    ['./', /is the flow's folder itself/],
    ['.flowbench/tables', /lies in \.flowbench\//],
    ['.git', /lies in \.git\//],
    ['c.flow.yaml', /is c\.flow\.yaml, a file of the flow/],
    ['sql', /holds sql\/a\.sql, a file of the flow/],
  ];
  for (const [out, why] of cases) {
    const found = problems(`    run: echo\n    metrics: [${out}]\n`);
    assert.equal(found.length, 1, `${out}: ${JSON.stringify(found)}`);
    assert.equal(found[0]!.code, 'FB044', out);
    assert.equal(found[0]!.line, 6);
    assert.match(found[0]!.message, why);
  }
});

test('deps, SQL files and cwd outside the project are FB045; a git work tree above widens the project', () => {
  const found = problems('    run: echo\n    cwd: ..\n    deps: [../shared/lib.py, data/x.csv]\n');
  assert.deepEqual(found.map((p) => [p.code, p.line, p.col]), [['FB045', 6, 9], ['FB045', 7, 11]]);
  assert.match(found[1]!.message, /Dep '\.\.\/shared\/lib\.py' of step 's' lies outside the flow's folder \(no git work tree holds it\)/);
  mkdirSync(project.path('.git'));
  try {
    assert.deepEqual(problems('    run: echo\n    cwd: ..\n    deps: [../shared/lib.py]\n'), []);
    assert.deepEqual(problems('    run: echo\n    deps: [../../x]\n').map((p) => p.code), ['FB045']);
    assert.deepEqual(problems('    run: echo\n    outs: [../shared/out]\n').map((p) => p.code), ['FB043'], 'outs stay in the flow folder');
  } finally {
    rmSync(project.path('.git'), { recursive: true });
  }
});
