import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterTree, parseColumns, parseFilter, parseSort, quote } from '../../core/runs/query';

const columns = new Set(['params.learning_rate', 'params.model', 'metrics.auc', 'metrics.loss', 'metrics.evaluate.acc']);

test('parses the issue example with and, comparison operators and bare words', () => {
  const { filter, problems } = parseFilter('metrics.auc > 0.7 and params.learning_rate < 0.01 and status = succeeded', columns);
  assert.deepEqual(problems, []);
  assert.ok(filter);
  assert.deepEqual(filterTree(filter), {
    type: 'and',
    operands: [
      { type: 'compare', column: 'metrics.auc', op: '>', value: { kind: 'number', value: 0.7, text: '0.7' } },
      { type: 'compare', column: 'params.learning_rate', op: '<', value: { kind: 'number', value: 0.01, text: '0.01' } },
      { type: 'compare', column: 'status', op: '=', value: { kind: 'string', text: 'succeeded' } },
    ],
  });
});

test('and binds tighter than or; not and parentheses group', () => {
  const tree = filterTree(parseFilter('status = failed or metrics.auc >= 0.9 and not (params.model ~ "gradient boost")', columns).filter!);
  const model = { type: 'compare', column: 'params.model', op: '~', value: { kind: 'string', text: 'gradient boost' } };
  assert.deepEqual(tree, {
    type: 'or',
    operands: [
      { type: 'compare', column: 'status', op: '=', value: { kind: 'string', text: 'failed' } },
      { type: 'and', operands: [{ type: 'compare', column: 'metrics.auc', op: '>=', value: { kind: 'number', value: 0.9, text: '0.9' } }, { type: 'not', operand: model }] },
    ],
  });
});

test('keywords are case-insensitive, == means =, dotted metric names and quoted values work', () => {
  const { filter, problems } = parseFilter(`metrics.evaluate.acc == 1 AND flow = 'my flow' Or id != null`, columns);
  assert.deepEqual(problems, []);
  assert.ok(filter);
});

test('a blank filter is no filter and no problem', () => {
  assert.deepEqual(parseFilter('   '), { filter: undefined, problems: [] });
});

test('unknown columns are problems at their position with a did-you-mean', () => {
  const text = 'metrics.acu > 0.7 and stauts = succeeded';
  const { filter, problems } = parseFilter(text, columns);
  assert.equal(filter, undefined);
  assert.equal(problems.length, 2, 'both typos reported');
  assert.equal(problems[0].message, `unknown column 'metrics.acu'; did you mean 'metrics.auc'?`);
  assert.deepEqual([problems[0].start, problems[0].end], [0, 11]);
  assert.equal(problems[1].message, `unknown column 'stauts'; did you mean 'status'?`);
  assert.equal(text.slice(problems[1].start, problems[1].end), 'stauts');
});

test('a bare param or metric name suggests its grouped column', () => {
  const { problems } = parseFilter('auc > 0.5', columns);
  assert.match(problems[0].message, /did you mean 'metrics\.auc'\?/);
  const both = parseFilter('x = 1', new Set(['params.x', 'metrics.x'])).problems;
  assert.match(both[0].message, /'metrics\.x' or 'params\.x'/);
});

test('without a column list, params.* and metrics.* are accepted and other names are not', () => {
  assert.deepEqual(parseFilter('params.anything = 3 and metrics.whatever < 1').problems, []);
  const { problems } = parseFilter('flwo = demo');
  assert.match(problems[0].message, /unknown column 'flwo'; did you mean 'flow'\?/);
});

test('syntax errors point at the offending token', () => {
  const cases: [string, string, string][] = [
    ['metrics.auc 0.7', '0.7', 'expected an operator'],
    ['metrics.auc >', '', 'expected a value after'],
    ['metrics.auc > 0.7 and', '', 'expected a condition after'],
    ['metrics.auc > 0.7 status = failed', 'status', `unexpected 'status'`],
    ['(metrics.auc > 0.7', '(metrics.auc > 0.7', `'(' is never closed`],
    ['metrics.auc > 0.7)', ')', `unmatched ')'`],
    ['flow = "demo', '"demo', 'never closed'],
    ['and status = x', 'and', 'expected a column'],
    ['status = and', 'and', 'expected a value'],
    ['metrics.auc ! 3', '!', `'!' on its own`],
    ['metrics.auc < null', 'null', 'null can only be compared'],
  ];
  for (const [text, at, message] of cases) {
    const { filter, problems } = parseFilter(text, columns);
    assert.equal(filter, undefined, text);
    assert.equal(problems.length, 1, `${text}: ${JSON.stringify(problems)}`);
    assert.ok(problems[0].message.includes(message), `${text}: ${problems[0].message}`);
    assert.equal(text.slice(problems[0].start, problems[0].end), at, text);
    assert.ok(problems[0].end <= text.length);
  }
});

test('start takes dates, duration takes units, starred takes booleans', () => {
  const start = filterTree(parseFilter('start >= 2026-11-24').filter!);
  assert.deepEqual(start, { type: 'compare', column: 'start', op: '>=', value: { kind: 'number', value: Date.UTC(2026, 10, 24), text: '2026-11-24' } });
  const duration = filterTree(parseFilter('duration > 1.5m').filter!);
  assert.ok(duration.type === 'compare' && duration.value.kind === 'number' && duration.value.value === 90_000);
  assert.match(parseFilter('start > yesterday').problems[0].message, /expected a date/);
  assert.match(parseFilter('duration < 5 minutes').problems[0].message, /expected a duration|unexpected/);
  assert.match(parseFilter('starred = yes').problems[0].message, /true or false/);
  assert.deepEqual(parseFilter('starred = true').problems, []);
});

test('positions are UTF-16 offsets', () => {
  const text = 'flow = "é🙂" and metrics.acu > 1';
  const { problems } = parseFilter(text, columns);
  assert.equal(text.slice(problems[0].start, problems[0].end), 'metrics.acu');
});

test('parseFilter never throws on hostile input', () => {
  for (const text of ['(((((', ')))', '"', "'", '=', 'not not not', 'a'.repeat(10_000), '('.repeat(5000) + 'id = 1' + ')'.repeat(5000), '\u0000 = \uffff']) {
    const r = parseFilter(text, columns);
    assert.ok(r.problems.length > 0, text.slice(0, 20));
  }
  const deep = parseFilter('('.repeat(100) + 'id = 1' + ')'.repeat(100)).problems;
  assert.deepEqual([deep[0].start, /more than 64 nested/.test(deep[0].message)], [64, true]);
  const long = Array.from({ length: 20_000 }, (_, i) => `params.p${i} = ${i}`).join(' and ');
  assert.deepEqual(parseFilter(long).problems, []);
  assert.deepEqual(parseFilter('('.repeat(64) + 'id = 1' + ')'.repeat(64)).problems, []);
});

test('parseSort reads columns with directions', () => {
  assert.deepEqual(parseSort('metrics.auc desc, start', columns), {
    keys: [{ column: 'metrics.auc', descending: true }, { column: 'start', descending: false }],
    problems: [],
  });
  assert.deepEqual(parseSort('  ', columns), { keys: [], problems: [] });
  assert.deepEqual(parseSort('params.model ASC', columns).keys, [{ column: 'params.model', descending: false }]);
});

test('parseSort problems: unknown column, duplicate, missing comma, trailing comma', () => {
  const unknown = parseSort('metrics.acu desc', columns);
  assert.deepEqual(unknown.keys, []);
  assert.match(unknown.problems[0].message, /did you mean 'metrics\.auc'/);
  assert.deepEqual([unknown.problems[0].start, unknown.problems[0].end], [0, 11]);
  assert.match(parseSort('start, start desc', columns).problems[0].message, /already a sort key/);
  const missingComma = parseSort('start desc flow', columns).problems[0];
  assert.deepEqual([missingComma.start, missingComma.message.includes("expected ','")], [11, true]);
  assert.match(parseSort('start,', columns).problems[0].message, /expected a column after ','/);
});

test('parseColumns reads a column list, quoted names included, without directions', () => {
  assert.deepEqual(parseColumns('id, metrics.auc,"params.learning_rate"', columns), { columns: ['id', 'metrics.auc', 'params.learning_rate'], problems: [] });
  const desc = parseColumns('metrics.auc desc', columns).problems[0];
  assert.deepEqual([desc.start, desc.end], [12, 16]);
  assert.match(parseColumns('id, id', columns).problems[0].message, /'id' is already listed/);
  assert.match(parseColumns('params.learning_rat', columns).problems[0].message, /did you mean 'params\.learning_rate'/);
});

test('quote makes any text read back as one value', () => {
  for (const text of ['plain', 'with space', 'a"b', "it's", 'and', 'null', '', 'x=y', 'back\\slash']) {
    const { filter, problems } = parseFilter(`flow = ${quote(text)}`);
    assert.deepEqual(problems, [], text);
    const tree = filterTree(filter!);
    assert.ok(tree.type === 'compare' && tree.value.kind !== 'null' && tree.value.text === text, text);
  }
  assert.equal(quote('plain'), 'plain');
});
