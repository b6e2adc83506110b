// "Preview SQL Step" in Chromium (bundled and served as it ships, under the panels' CSP), talking to its real
// controller in Node, which gets previews from the real CLI in a child process (sql-preview-loader.ts): a
// DuckDB step over a CSV source, a step whose SQL fails (located in its file), and a Snowflake step against
// the fake Snowflake server. Screenshot: test-results/sql-preview.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadPreviewFromCli } from '../../extension/panels/sql-preview-loader';
import { SqlPreviewController } from '../../extension/panels/sql-preview-controller';
import { cli, ensureBuilt } from '../cli/harness';
import { startFakeSnowflake, type FakeSnowflake } from '../helpers/fake-snowflake/server';
import { tempProject, type TempProject } from '../helpers/project';
import { openHarness, type Harness, type HarnessHost } from './harness';

const ENTRY = join(__dirname, '../../webviews/sql-preview/index.tsx');
const WAIT = { timeout: 60_000 };

const FLOW = `flow: preview
sources:
  raw:
    flights: { path: data/flights.csv }
warehouses:
  snow: { type: snowflake, account: fakeacct, user: ana, database: ML, schema: PUBLIC }
steps:
  delays:
    sql: sql/delays.sql
  broken:
    sql: sql/broken.sql
  remote:
    warehouse: snow
    sql: sql/remote.sql
`;

const csv = ['id,carrier,delay', ...Array.from({ length: 250 }, (_, i) => `${i},${['AA', 'UA', 'DL'][i % 3]},${(i % 17) - 3}`)].join('\n') + '\n';

describe('SQL preview panel', () => {
  let project: TempProject;
  let fake: FakeSnowflake;
  let h: Harness;
  let controller: SqlPreviewController | undefined;
  let ready!: Promise<void>;
  const errors: string[] = [];

  before(async () => {
    ensureBuilt();
    fake = await startFakeSnowflake();
    fake.addUser('ana', { password: 'preview-pw' });
    project = tempProject({
      'p.flow.yaml': FLOW,
      'data/flights.csv': csv,
      'sql/delays.sql': "SELECT carrier, id, delay\nFROM {{ source('raw', 'flights') }}\nWHERE delay > 0\nORDER BY id\n",
      'sql/broken.sql': 'SELECT carrier,\n  avg(delay) AS mean_delay FROM nowhere_table\nGROUP BY carrier\n',
      'sql/remote.sql': 'SELECT 7 AS seven, \'snow\' AS place\n',
    });
    const env = { SNOWFLAKE_HOST: fake.host, SNOWFLAKE_PORT: String(fake.port), SNOWFLAKE_PROTOCOL: 'http', SNOWFLAKE_PASSWORD: 'preview-pw', SNOWFLAKE_HOME: project.path('.no-snowflake-home') };
    let markReady!: () => void;
    ready = new Promise((resolve) => (markReady = resolve));
    const host: HarnessHost = {
      async receive(message, post) {
        controller ??= new SqlPreviewController((m) => void post(m), (t) => loadPreviewFromCli(cli, t.flowFile, t.step, env), (what, err) => errors.push(`${what}: ${(err as Error).message}`));
        await controller.receive(message);
        if ((message as { method?: string }).method === 'platform/ready') markReady();
      },
    };
    h = await openHarness(ENTRY, { host, viewport: { width: 900, height: 700 } });
    await ready;
  });
  after(async () => {
    await h?.close();
    await fake?.close();
    project?.remove();
  });

  test('shows the compiled SQL and the first 100 rows of a DuckDB step; no CSP violation', async () => {
    await controller!.show({ flowFile: project.path('p.flow.yaml'), step: 'delays' });
    await h.page.waitForSelector('.sp-table tbody tr', WAIT);
    assert.deepEqual(await h.page.locator('.sp-table thead th').allInnerTexts(), ['carrier', 'id', 'delay']);
    // 250 rows, 176 with a positive delay: the preview stops at 100
    assert.equal(await h.page.locator('.sp-table tbody tr').count(), 100);
    assert.deepEqual(await h.page.locator('.sp-table tbody tr >> nth=0 >> td').allInnerTexts(), ['UA', '4', '1']);
    assert.match(await h.page.getByLabel('Compiled SQL').innerText(), /FROM "raw"\."flights"\nWHERE delay > 0/);
    assert.match(await h.page.getByRole('toolbar').innerText(), /local · duckdb/);
    mkdirSync('test-results', { recursive: true });
    await h.page.screenshot({ path: 'test-results/sql-preview.png' });
    assert.deepEqual(h.errors, []);
  });

  test('a failing query shows the error at its line and column in the SQL file', async () => {
    await controller!.show({ flowFile: project.path('p.flow.yaml'), step: 'broken' });
    await h.page.waitForSelector('.sp-error', WAIT);
    assert.match(await h.page.locator('.sp-error').innerText(), /^sql\/broken\.sql:2:\d+: .*nowhere_table/);
  });

  test('a Snowflake step is previewed on Snowflake, without creating anything', async () => {
    await controller!.show({ flowFile: project.path('p.flow.yaml'), step: 'remote' });
    await h.page.waitForSelector('.sp-table tbody tr', WAIT);
    assert.deepEqual(await h.page.locator('.sp-table tbody tr >> nth=0 >> td').allInnerTexts(), ['7', 'snow']);
    assert.match(await h.page.getByRole('toolbar').innerText(), /snow · snowflake/);
    const sent = fake.queries().pop()!;
    assert.match(sent, /^SELECT \* FROM \(\nSELECT 7 AS seven, 'snow' AS place\n\) AS flowbench_preview LIMIT 100$/);
    assert.ok(!fake.queries().some((q) => /CREATE/.test(q)));
    assert.deepEqual(errors, []);
  });
});
