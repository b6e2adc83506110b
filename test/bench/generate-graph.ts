// A generated flow with the shape of a real one, for the graph layout: SQL staging steps on source tables,
// then mixed SQL and run steps with fan-out (a step feeds many later ones) and fan-in (joins of 3–6
// upstream steps, a report over a dozen trainings), edges mostly short with some long ones. Seeded, so
// every run lays out the same graph.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TABLES = 10;

export function writeBranchingFlow(root: string, steps: number, seed = 7): string {
  let s = seed;
  const random = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));
  mkdirSync(join(root, 'sql'), { recursive: true });
  mkdirSync(join(root, 'data'), { recursive: true });
  mkdirSync(join(root, 'scripts'), { recursive: true });
  writeFileSync(join(root, 'scripts', 'step.mjs'), '');
  const lines = ['flow: branching', 'sources:', '  raw:'];
  for (let t = 0; t < TABLES; t++) {
    writeFileSync(join(root, 'data', `t${t}.csv`), 'id,value\n1,2\n');
    lines.push(`    t${t}: { path: data/t${t}.csv }`);
  }
  lines.push('steps:');
  const isSql: boolean[] = [];
  const staging = Math.min(steps, Math.max(2, Math.round(steps * 0.04)));
  for (let i = 0; i < steps; i++) {
    const name = `s${i}`;
    const sql = i < staging || random() < 0.35;
    isSql.push(sql);
    const parents = new Set<number>();
    if (i === steps - 1 && steps > 20) for (let k = 0; k < 12; k++) parents.add(between(staging, i));
    else if (i >= staging) {
      const join = random() < 0.1;
      const count = join ? between(3, 7) : random() < 0.7 ? 1 : 2;
      for (let k = 0; k < count; k++) parents.add(join || random() >= 0.6 ? between(Math.max(0, i - 60), i) : between(Math.max(0, i - 8), i));
    }
    lines.push(`  ${name}:`);
    const needs: string[] = [];
    if (sql) {
      const from = i < staging ? [`{{ source('raw', 't${i % TABLES}') }}`] : [];
      for (const p of parents) if (isSql[p]) from.push(`{{ ref('s${p}') }}`);
      else needs.push(`s${p}`);
      const body = from.length ? from.map((f) => `select * from ${f}`).join('\nunion all\n') : 'select 1 as id';
      writeFileSync(join(root, 'sql', `${name}.sql`), `${body}\n`);
      lines.push(`    sql: sql/${name}.sql`);
    } else {
      lines.push(`    run: node scripts/step.mjs --out out/${name}.txt`);
      const inputs = [...parents].filter((p) => isSql[p]).map((p) => `s${p}`);
      const deps = ['scripts/step.mjs', ...[...parents].filter((p) => !isSql[p]).map((p) => `out/s${p}.txt`)];
      if (inputs.length) lines.push(`    inputs: [${inputs.join(', ')}]`);
      lines.push(`    deps: [${deps.join(', ')}]`, `    outs: [out/${name}.txt]`);
    }
    if (needs.length) lines.push(`    needs: [${needs.join(', ')}]`);
  }
  const file = join(root, 'branching.flow.yaml');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}
