// `--set` values reach a step's command as the words they are, never as shell syntax.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, flowbench, outcomes, parseEvents, project } from './harness';

before(() => ensureBuilt());

const FLOW = `flow: quoting
params: { msg: hello, tags: [a, b] }
steps:
  say:
    run: node -e "require('fs').writeFileSync('argv.json', JSON.stringify(process.argv.slice(1)))" \${params.msg} "<\${params.msg}>" \${params.tags}
    outs: [argv.json]
`;

test('--set msg with spaces and a ; arrives as one word and runs nothing', (t) => {
  const dir = project(t, { 'q.flow.yaml': FLOW });
  const res = flowbench(dir, ['run', '--events', '--set', 'msg=a b; touch pwned']);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(outcomes(parseEvents(res.stdout)), { say: 'succeeded' });
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'argv.json'), 'utf8')), ['a b; touch pwned', '<a b; touch pwned>', 'a', 'b']);
  assert.equal(existsSync(join(dir, 'pwned')), false);
});

test('a param inside backquotes is refused before anything runs, with its position', (t) => {
  const dir = project(t, { 'q.flow.yaml': 'flow: q\nparams: { msg: hi }\nsteps:\n  say:\n    run: echo `echo ${params.msg}`\n' });
  const res = flowbench(dir, ['validate']);
  assert.notEqual(res.code, 0);
  assert.match(res.stdout + res.stderr, /q\.flow\.yaml:5:21: error FB026 \$\{params\.msg\} stands inside backquotes/);
});
