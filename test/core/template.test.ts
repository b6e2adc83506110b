import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskTemplate, renderTemplate, scanTemplate } from '../../core/sql/template';

const sql = "-- héllo 🚀\nselect * from {{ ref('a') }} join {{ source(\"raw\", 'f') }} {# note #}\nwhere x > {{ params.t }}\n";

test('scan finds calls with argument offsets', () => {
  const scan = scanTemplate(sql);
  assert.deepEqual(scan.problems, []);
  assert.deepEqual(scan.calls.map((c) => [c.fn, c.args]), [['ref', ['a']], ['source', ['raw', 'f']], ['param', ['t']]]);
  for (const call of scan.calls) {
    call.args.forEach((arg, i) => assert.equal(sql.slice(call.argRanges[i]!.start, call.argRanges[i]!.end), arg));
  }
});

test('mask keeps length and line breaks so parser offsets map back', () => {
  const masked = maskTemplate(sql);
  assert.equal(masked.length, sql.length);
  assert.equal(masked.split('\n').length, sql.split('\n').length);
  assert.ok(!masked.includes('{{') && !masked.includes('{#'));
  assert.ok(masked.includes(`from ${'_'.repeat("{{ ref('a') }}".length)} join`));
});

test('render replaces calls, drops comments', () => {
  const out = renderTemplate(sql, (c) => (c.fn === 'param' ? '15' : `"${c.args.join('"."')}"`));
  assert.equal(out, '-- héllo 🚀\nselect * from "a" join "raw"."f" \nwhere x > 15\n');
});

test('problems: unclosed, arity, unknown function, unquoted args, statements', () => {
  const cases: [string, RegExp][] = [
    ["select {{ ref('a') ", /Unclosed/],
    ["select {{ ref('a', 'b') }}", /takes 1 argument, got 2/],
    ["select {{ source('a') }}", /takes 2 arguments, got 1/],
    ["select {{ config(x='y') }}", /Unknown template function 'config'|must be quoted/],
    ['select {{ ref(a) }}', /must be quoted/],
    ['{% if x %}select 1{% endif %}', /not supported/],
    ['select {{ 1 + 2 }}', /Expected a call/],
  ];
  for (const [text, pattern] of cases) {
    const { problems } = scanTemplate(text);
    assert.ok(problems.some((p) => pattern.test(p.message)), `${text}: ${JSON.stringify(problems)}`);
    for (const p of problems) assert.ok(p.start >= 0 && p.end <= text.length && p.start < p.end, text);
  }
});
