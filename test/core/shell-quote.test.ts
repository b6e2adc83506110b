// Interpolated commands run through the real /bin/sh: hostile values must come back as the same words,
// in every quoting context the command puts them in, and never run anything.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { firstUnquotable, interpolateCommand } from '../../core/flow/interpolate';
import { tempProject } from '../helpers/project';

const dir = tempProject();
after(() => dir.remove());

const HOSTILE = [
  'a b; touch pwned',
  '$(touch pwned)',
  '`touch pwned`',
  "'; touch pwned; '",
  '"; touch pwned; "',
  'it\'s "quoted" $HOME \\ \\\\ ` *',
  'line1\ntouch pwned',
  '*',
  '',
  '# not a comment',
  ')',
  '}',
];

/** Runs `command` with `${params.v}` = value in /bin/sh and returns the words printf saw. */
function words(command: string, params: Record<string, unknown>): string[] {
  const { text, unquotable, unknown } = interpolateCommand(command, params);
  assert.deepEqual(unquotable, []);
  assert.deepEqual(unknown, []);
  const res = spawnSync('/bin/sh', ['-c', text], { cwd: dir.root, encoding: 'utf8' });
  assert.equal(res.status, 0, `${text}\n${res.stderr}`);
  assert.deepEqual(readdirSync(dir.root), [], `the command ran something: ${text}`);
  return res.stdout.split('\0').slice(0, -1);
}

const P = "printf '%s\\0'";
const CONTEXTS: [string, (v: string) => string[]][] = [
  [`${P} \${params.v}`, (v) => [v]],
  [`${P} "x \${params.v} y"`, (v) => [`x ${v} y`]],
  [`${P} 'x \${params.v} y'`, (v) => [`x ${v} y`]],
  [`${P} x\${params.v}y`, (v) => [`x${v}y`]],
  [`${P} "$(printf '%s' \${params.v})"`, (v) => [v]],
  [`${P} "$(printf '%s' "\${params.v}")" after`, (v) => [v, 'after']],
  [`${P} \${HOME+"\${params.v}"}`, (v) => [v]],
  [`# don't\n${P} \${params.v}`, (v) => [v]],
  [`${P} done # \${params.v}\n${P} \${params.v}`, (v) => ['done', v]],
  [`${P} \\' "\\"" \${params.v}`, (v) => ["'", '"', v]],
  [`${P} \`echo ok\` \${params.v}`, (v) => ['ok', v]],
  [`cat <<'EOF' >/dev/null\nit's\nEOF\n${P} \${params.v}`, (v) => [v]],
  [`cat <<-EOF >/dev/null\n\tit's "\n\tEOF\n${P} \${params.v}`, (v) => [v]],
];

test('a value reads back unchanged in every quoting context and runs nothing', () => {
  for (const [command, expected] of CONTEXTS) {
    for (const v of HOSTILE) assert.deepEqual(words(command, { v }), expected(v), `${JSON.stringify(command)} with ${JSON.stringify(v)}`);
  }
});

test('a list is one word per item; inside quotes its items joined by spaces', () => {
  const list = ['a b', '; touch pwned', '', "it's"];
  assert.deepEqual(words(`${P} \${params.v}`, { v: list }), list);
  assert.deepEqual(words(`${P} "\${params.v}"`, { v: list }), [list.join(' ')]);
  assert.deepEqual(words(`${P} x \${params.v} y`, { v: [] }), ['x', 'y']);
});

test('numbers and booleans are one word as written, null is one empty word, a mapping is its JSON', () => {
  assert.deepEqual(words(`${P} \${params.a} \${params.b} \${params.c} \${params.d}`, { a: 0.05, b: true, c: null, d: { k: "v'" } }), [
    '0.05',
    'true',
    '',
    '{"k":"v\'"}',
  ]);
});

test('a placeholder after a backslash or as a here-document marker is refused; the ones after it are quoted', () => {
  for (const command of ['echo \\${params.v} ${params.w}', 'echo "\\${params.v}" ${params.w}', 'cat <<${params.v} >/dev/null\n${params.v}\necho ${params.w}']) {
    const r = interpolateCommand(command, { v: 'a', w: 'b; touch pwned' });
    assert.equal(r.unquotable[0]?.context, 'escaped', command);
    assert.ok(!r.text.includes("'a'"), r.text);
  }
  assert.ok(interpolateCommand('echo \\${params.v} ${params.w}', { v: 'a', w: 'b; touch pwned' }).text.endsWith(" 'b; touch pwned'"));
});

test('backquotes and here-document bodies are refused, not pasted', () => {
  const inBackquotes = interpolateCommand('echo `echo ${params.v}`', { v: 'x' });
  assert.deepEqual(inBackquotes.unquotable.map((u) => [u.name, u.context]), [['v', 'backquote']]);
  assert.equal(inBackquotes.text, 'echo `echo ${params.v}`');
  const inHeredoc = interpolateCommand('cat <<EOF\n${params.v}\nEOF\necho ${params.v}', { v: 'x' });
  assert.deepEqual(inHeredoc.unquotable.map((u) => u.context), ['heredoc']);
  assert.equal(inHeredoc.text, "cat <<EOF\n${params.v}\nEOF\necho 'x'");
  assert.equal(existsSync(dir.path('pwned')), false);
});

test('validation finds the same refusals as the runner', () => {
  for (const command of ['echo `echo ${params.v}`', 'cat <<EOF\n${params.v}\nEOF', 'echo \\${params.v}']) {
    assert.deepEqual(firstUnquotable(command), interpolateCommand(command, { v: 'x' }).unquotable[0], command);
    assert.ok(firstUnquotable(command), command);
  }
});

test('a placeholder swallowed by a here-document marker at the end of the command is refused', () => {
  const r = interpolateCommand('cat <<${params.v}', { v: 'x; touch pwned' });
  assert.deepEqual(r.unquotable.map((u) => u.context), ['escaped']);
  assert.equal(r.text, 'cat <<${params.v}');
});
