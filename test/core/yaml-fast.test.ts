// The fast YAML reader against the `yaml` package: whenever it returns a tree, the tree must be
// exactly the one the library path builds; it must read every well-formed flow in the repository
// and every construct of its subset, and give up on everything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readYamlFast } from '../../core/flow/yaml-fast';
import { readYaml, readYamlWithLibrary } from '../../core/flow/yaml-tree';
import { writeLayeredFlow } from '../bench/generate';

const repo = join(__dirname, '..', '..');

/** Every *.flow.yaml in the repository (examples, fixtures), outside dependencies and caches. */
function flowFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) flowFiles(full, out);
    else if (entry.name.endsWith('.flow.yaml')) out.push(full);
  }
  return out;
}

/** Flow documents written inline in the tests (template and quoted string literals). */
function inlineFlows(): string[] {
  const docs: string[] = [];
  const sources: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !full.endsWith('yaml-fast.test.ts')) sources.push(readFileSync(full, 'utf8'));
    }
  };
  walk(join(repo, 'test'));
  for (const source of sources) {
    for (const m of source.matchAll(/`((?:[^`\\]|\\.)*)`|'((?:[^'\\\n]|\\.)*)'/g)) {
      const raw = m[1] ?? m[2]!;
      if (!/(^|\\n|\n)flow:/.test(raw) || !raw.includes('steps:')) continue;
      const text = raw
        .replace(/\$\{[^}]*\}/g, 'x')
        .replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
      docs.push(text);
    }
  }
  return docs;
}

function generated(steps: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-yaml-fast-'));
  try {
    return readFileSync(writeLayeredFlow(dir, steps), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Constructs of the subset; each must be read by the fast path. */
const SUPPORTED: string[] = [
  'a: 1\nb: two\nc: 3.5\n',
  'a: 1',
  'a:\n  b:\n    c: deep\n  d: 2\ne: 3\n',
  'list:\n  - one\n  - two\n  - 3\n',
  'list:\n- one\n- two\nafter: 1\n',
  'r:\n  list:\n  - a\n  - b\n  k: v\n',
  'steps:\n  - name: a\n    run: echo a\n  - name: b\n    deps: [x, y]\n',
  'seq:\n  -   wide: 1\n      next: 2\n  - k: v\n',
  'seq:\n  - k:\n      - 1\n      - 2\n    j: x\n',
  'seq:\n  - k:\n    - 1\n    - 2\n  - z\n',
  '# leading\n\na: 1 # trailing\n# between\nb: 2\n\n# end\n',
  'a:\n  b: 1 # c\n  # same indent\n# less\nz: 1\n',
  'a:\n  b: 1\n\n    # deeper\nz: 1\n',
  'a:\n  b: 1\n    # deeper\n    # deeper again\n  # same\n    # deeper after same\nz: 1\n',
  'a:\n  b:\n    c: 1\n    # inner\n  # mid\n# outer\nz: 1\n',
  'a:\n  b:\n    c: 1\n      # deepest\n',
  'a:\n  b:\n    c: 1\n    # inner at end\n',
  'a:\n  b:\n    c: 1\n  # mid at end\n\n\n',
  'a:\n  b:\n    c: 1\n  # mid then content\n   \n  d: 2\n',
  'a:\n  - x\n  # c\n  - y\n  # d\nz:\n',
  'a:\n- x\n  # deeper\n- y\n# shallow\nb: 1\n',
  'r:\n  a:\n  - x\n  # c\n  b: 1\n',
  'r:\n  a:\n    - k: v\n      # in map\n    # in seq\n  b: 1\n',
  'r:\n  a:\n    - k: v\n      # in map\nz: 1\n',
  'empty:\nnext: 1\n',
  'empty:   \nnext: 1\n',
  'empty: # why\nnext: 1\n',
  'empty:\n# shallow\nnext: 1\n',
  'empty:\n  # deeper\nnext: 1\n',
  'empty:\n  # deeper\n\n# shallow\n\nnext: 1\n',
  'empty: # c\n\n\nnext: 1\n',
  'r:\n  empty:\n  # same\n  next: 1\n',
  'r:\n  empty:\n    # deeper\n  # same\n  next: 1\n',
  'r:\n  empty: # c\n  next: 1\n',
  'r:\n  empty:\nz: 1\n',
  'r:\n  empty: # c\nz: 1\n',
  'r:\n  empty:\n  # c\nz: 1\n',
  'r:\n  empty:\n    # c\n\n  # d\n',
  'r:\n  empty:',
  'r:\n  empty: # c',
  'seq:\n  - k:\n  - j: # c\n    l:\n',
  'plain: a b  c   # comment\nurl: http://example.com:8080/x?y=1#frag\nhash: a#b\ncolon: a:b\nquote: it\'s "fine"\n',
  'path: data/x.csv\ncmd: python train.py --lr ${params.lr} --out out/model.onnx\nbraces: echo {a,b} [c]\n',
  "single: 'it''s here'\ndouble: \"say \\\"hi\\\" \\\\ \\n \\t\"\nempty1: ''\nempty2: \"\"\n",
  "'quoted key': 1\n\"double key\": 2\n'k' : 3\n",
  'key with spaces: value\nk   : v\n',
  'f: [a, b, \'c\', "d", 1, true, null]\ng: { path: data/x.csv, format: csv }\n',
  'f: [ ]\ng: {}\nh: [[1, 2], [3]]\ni: { a: [1, { b: c }], d: {} }\nj: [ spaced item , other ]\n',
  'm: { "q": 1, \'r\': x y }\nn: [-1, -x, .5, ~]\n',
  'seq:\n  - [a, b]\n  - { k: v }\n  - "quoted"\n  - \'single\' # c\n',
  'lit: |\n  line one\n    indented\n\n  line three\nnext: 1\n',
  'lit: |-\n  a\n  b\n\n\nnext: 1\n',
  'fold: >\n  a\n  b\n\n  c\n\n\n  d\nnext: 1\n',
  'fold: >-\n  a long\n  folded line\nnext: 1\n',
  'lit: |   \n  spaced header\n',
  'lit: |\n  at end',
  'lit: |\n  at end\n\n',
  'lit: |\n    a\n  \n    b\n',
  'seq:\n  - |\n    in seq\n  - >-\n    folded\n    in seq\n  - k: |\n      in map\n    j: 1\n',
  'r:\n  lit: |\n    x\n  # same as map\n  n: 1\n',
  'r:\n  lit: |\n    x\n# shallow\n',
  'types:\n  - ~\n  - null\n  - Null\n  - NULL\n  - true\n  - True\n  - TRUE\n  - false\n  - False\n  - FALSE\n  - 0\n  - -0\n  - +12\n  - 007\n  - 0o17\n  - 0x1F\n  - 0xff\n  - 1.5\n  - -1.\n  - .5\n  - +.5\n  - 1e3\n  - -1.5E-3\n  - .inf\n  - -.Inf\n  - +.INF\n  - .nan\n  - .NaN\n  - .NAN\n  - 1_000\n  - 0b101\n  - yes\n  - on\n  - nul\n  - tru\n  - 1.2.3\n  - -0x1\n  - 0o8\n  - 9007199254740991\n',
  'null: 1\ntrue: 2\n3: three\n~x: 4\n',
  'blank: 1\n   \n\n  \nnext: 2\n',
  'unicode: héllo wörld 🎉\n"ключ": значение\n',
  'deep:\n      wide: 1\n      indent: 2\n',
  'end: 1\n# final comment',
  'end: 1\n  # deeper final comment',
  'end: [1]\n  # deeper after flow\n\n',
  'seq:\n  - "k": v\n    \'j\': w\n',
  'seq:\n  - k: v\n   # between seq and map\n  - j: w\n',
  'seq:\n  - k: v\n     # deeper than map\n',
  'seq:\n  - k: v\n   # between seq and map at the end\n',
  'f: { 1: a, null: b, true: c }\n',
  'r:\n  s:\n    lit: |\n      x\n\n    # after block\n',
];

/** Outside the subset, or errors: the fast path must give up. */
const BAIL: string[] = [
  'a:\tb\n',
  'a:\n\tb: 1\n',
  'a: 1\rb: 2\n',
  '\ufeffa: 1\n',
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  'a: !tag x\n',
  '---\na: 1\n',
  'a: 1\n...\n',
  '%YAML 1.2\n---\na: 1\n',
  'a: multi\n  line plain\n',
  'a: "multi\n  line"\n',
  "a: 'multi\n  line'\n",
  '? complex\n: value\n',
  'a: 1\na: 2\n',
  'a: 1\n"a": 2\n',
  'x: { a: 1, a: 2 }\n',
  'lit: |+\n  keep\n',
  'lit: |2\n  explicit\n',
  'lit: | # comment\n  x\n',
  'lit: |\n\n  leading blank\n',
  'lit: |\n  x\n      \n',
  'fold: >\n  a\n    more indented\n  b\n',
  'lit: |\nnot indented\n',
  'lit: |',
  'seq:\n  - - nested\n',
  'seq:\n  -\n  - x\n',
  'seq:\n  - # empty\n',
  'f: [a,\n  b]\n',
  'f: [a, b,]\n',
  'f: [a: b]\n',
  'f: {a}\n',
  'f: {a: }\n',
  'f: [a # c\n  ]\n',
  'f: [a]x\n',
  'just a scalar\n',
  '- root\n- seq\n',
  '  indented: root\n',
  '',
  '# only a comment\n',
  'big: 12345678901234567890\n',
  'esc: "\\x41"\n',
  'esc: "\\u00e9"\n',
  '<<: {a: 1}\n',
  'a: b: c\n',
  'a: - b\n',
  'a: 1\n- b\n',
  'a:\n  b: 1\n c: 2\n',
  'a: 1\n  b: 2\n',
  'a:\n  next line scalar\n',
  "a: 'x'#c\n",
  'a: |x\n  y\n',
  '[a]: b\n',
  'a: @x\n',
  'a: `x`\n',
  'a: %x\n',
  'a: ,x\n',
  'a: ]x\n',
  'a: "unterminated\n',
  'key without colon\nb: 1\n',
  'a:\n  - x\n  y: 1\n',
];

/** Markers of constructs the fast path leaves to the yaml package (tabs, lone CR, anchors, aliases, tags, documents, keep chomping). */
const OUTSIDE_SUBSET = /[\t\ufeff]|\r(?!\n)|(^|[\s[{,])[&*!]\S|^(---|\.\.\.|%)|[|>][+0-9]/m;

const failures = (docs: string[], pick: (doc: string) => boolean) => docs.filter(pick).map((d) => JSON.stringify(d));

const crlf = (doc: string) => doc.replace(/\n/g, '\r\n');

test('reads every construct of its subset exactly as the yaml package does, with LF or CRLF line ends', () => {
  for (const doc of [...SUPPORTED, ...SUPPORTED.map(crlf)]) {
    const fast = readYamlFast(doc);
    assert.ok(fast, `fast path gave up on ${JSON.stringify(doc)}`);
    assert.deepStrictEqual(fast, readYamlWithLibrary(doc), JSON.stringify(doc));
  }
});

test('gives up on everything outside the subset and on errors', () => {
  assert.deepEqual(failures(BAIL, (doc) => readYamlFast(doc) !== undefined), []);
});

test('readYaml still reports errors and reads the constructs it leaves to the yaml package', () => {
  const dup = readYaml('a: 1\na: 2\n');
  assert.equal(dup.errors[0]?.code, 'DUPLICATE_KEY');
  const alias = readYaml('a: &x 1\nb: *x\n');
  assert.deepEqual(alias.errors, []);
  assert.equal(alias.root?.kind, 'map');
  assert.deepEqual(readYaml('a: 1\rb: x\n'), readYamlWithLibrary('a: 1\rb: x\n'));
});

test('reads every flow file in the repository, the inline test flows and the generated 500-step flow', () => {
  const files = flowFiles(repo);
  assert.ok(files.length > 0, 'no *.flow.yaml found');
  const corpus: [string, string][] = files.map((f) => [relative(repo, f), readFileSync(f, 'utf8')]);
  corpus.push(['generated 500 steps', generated(500)]);
  corpus.push(...corpus.map(([name, text]): [string, string] => [`${name} (CRLF)`, crlf(text)]));
  for (const [name, text] of corpus) {
    const lib = readYamlWithLibrary(text);
    assert.deepEqual(lib.errors, [], `${name} is not well-formed`);
    assert.deepStrictEqual(readYamlFast(text), lib, name);
  }
  // Inline fixtures may test syntax errors or constructs outside the subset on purpose: those must
  // agree whenever the fast path reads them; the well-formed ones within the subset must be read.
  const inline = inlineFlows();
  assert.ok(inline.length > 0, 'no inline flows found in the tests');
  for (const text of inline) {
    const fast = readYamlFast(text);
    const lib = readYamlWithLibrary(text);
    if (fast) assert.deepStrictEqual(fast, lib, JSON.stringify(text));
    else assert.ok(lib.errors.length > 0 || OUTSIDE_SUBSET.test(text), `fast path gave up on ${JSON.stringify(text)}`);
  }
});

// ---- random mutations -------------------------------------------------------------------------

function random(seed: number): () => number {
  // mulberry32: small, fast and reproducible from the printed seed.
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = ['#', ' #', "'", '"', ':', ': ', '-', '- ', '[', ']', '{', '}', ',', '|', '>', ' ', '  ', '\n', '&a ', '*a', '!', '?', '~', '.', '0', 'x', '\\', '\t', '\r', '\n  ', '|-\n', '---\n', '# c\n', 'é'];

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let lines = text.split('\n');
  const steps = 1 + Math.floor(rnd() * 3);
  for (let s = 0; s < steps; s++) {
    const i = Math.floor(rnd() * lines.length);
    const j = Math.floor(rnd() * lines.length);
    switch (Math.floor(rnd() * 8)) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(i, 0, lines[i]!); break;
      case 2: [lines[i], lines[j]] = [lines[j]!, lines[i]!]; break;
      case 3: lines[i] = ' '.repeat(1 + Math.floor(rnd() * 4)) + lines[i]; break;
      case 4: lines[i] = lines[i]!.replace(/^ {1,2}/, ''); break;
      case 5: case 6: {
        const line = lines[i]!;
        const at = Math.floor(rnd() * (line.length + 1));
        lines[i] = line.slice(0, at) + pick(INSERTS) + line.slice(at);
        break;
      }
      default: {
        const line = lines[i]!;
        const at = Math.floor(rnd() * line.length);
        lines[i] = line.slice(0, at) + line.slice(at + 1);
      }
    }
    if (lines.length === 0) lines = [''];
  }
  return lines.join('\n');
}

test('agrees with the yaml package on random mutations of the corpus', () => {
  const lf: string[] = [...flowFiles(repo).map((f) => readFileSync(f, 'utf8')), ...SUPPORTED, ...inlineFlows(), generated(30)];
  const small = [...lf, ...lf.filter((_, i) => i % 4 === 0).map(crlf)];
  const large = generated(500);
  const seed = Number(process.env.YAML_FAST_SEED ?? 20261124);
  const rnd = random(seed);
  let read = 0;
  // The library takes tens of milliseconds on the 500-step flow, so most mutations are of small documents.
  const total = 8000;
  for (let n = 0; n < total; n++) {
    const doc = mutate(n % 200 === 0 ? large : small[n % small.length]!, rnd);
    const fast = readYamlFast(doc);
    if (!fast) continue;
    read++;
    assert.deepStrictEqual(fast, readYamlWithLibrary(doc), `seed ${seed}, mutation ${n}: ${JSON.stringify(doc).slice(0, 2000)}`);
  }
  // The mutations must exercise the reading path, not only the bail-outs.
  assert.ok(read > total / 5, `fast path read only ${read} of ${total} mutated documents`);
});
