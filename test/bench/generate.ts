// Generated flows for benchmarks: a layered DAG of SQL and command steps with real files on disk.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a flow of `steps` steps (every 5th a SQL step) into `root`; returns the flow file path. */
export function writeLayeredFlow(root: string, steps: number): string {
  mkdirSync(join(root, 'sql'), { recursive: true });
  mkdirSync(join(root, 'scripts'), { recursive: true });
  mkdirSync(join(root, 'data'), { recursive: true });
  writeFileSync(join(root, 'data', 'raw.csv'), 'id,value\n1,2\n');
  writeFileSync(join(root, 'scripts', 'step.mjs'), '');
  const lines = ['flow: generated', 'params:', '  lr: 0.1', '  epochs: 10', 'sources:', '  raw:', '    events: { path: data/raw.csv }', 'steps:'];
  for (let i = 0; i < steps; i++) {
    const name = `s${i}`;
    lines.push(`  ${name}:`);
    if (i % 5 === 0) {
      const from = i === 0 ? "{{ source('raw', 'events') }}" : `{{ ref('s${i - 5}') }}`;
      writeFileSync(join(root, 'sql', `${name}.sql`), `select id, value * 2 as value\nfrom ${from}\nwhere value > 0\n`);
      lines.push(`    sql: sql/${name}.sql`);
    } else {
      lines.push(`    run: node scripts/step.mjs --lr \${params.lr} --epochs \${params.epochs} --out out/${name}.txt`);
      if (i > 1 && i % 5 !== 1) lines.push(`    deps: [out/s${i - 1}.txt]`);
      else lines.push(`    inputs: [s${i - (i % 5)}]`);
      lines.push(`    outs: [out/${name}.txt]`);
    }
  }
  const file = join(root, 'generated.flow.yaml');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}
