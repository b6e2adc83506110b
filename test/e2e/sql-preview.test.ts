// Preview SQL Step in a real VS Code (code-server) with the packaged extension, on the example: the Preview
// code lens above a SQL step opens the panel (under the strict CSP) with the compiled SQL and its first 100
// rows, run by the CLI on the step's warehouse (DuckDB here). Screenshots in test-results/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { frameWith, openFile, panelCsp, ROOT, screenshot, startSession, type Session } from './workbench';

const EXAMPLE = join(ROOT, 'examples', 'flight-delays');

describe('SQL step preview in code-server', { timeout: 300_000 }, () => {
  let session: Session | undefined;

  before(async () => {
    session = await startSession();
    await session.openFolder(EXAMPLE);
  }, { timeout: 240_000 });

  after(async () => {
    await session?.close();
  });

  test('the Preview lens on a SQL step shows its compiled SQL and first 100 rows', async () => {
    const { page } = session!;
    await openFile(page, 'flight-delays.flow.yaml');
    // The first SQL step of the example is `staging`; its lens row reads "▶ Run | Preview | …".
    const lens = page.locator('.codelens-decoration a', { hasText: /^Preview$/ }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    const frame = await frameWith(session!, '.sp-table tbody tr', 'the preview rows', 'e2e-sql-preview-failed');
    await frame.locator('.sp-table tbody tr').nth(99).waitFor();
    assert.equal(await frame.locator('.sp-table tbody tr').count(), 100);
    const headers = await frame.locator('.sp-table thead th').allInnerTexts();
    for (const column of ['origin', 'destination', 'delay_minutes']) assert.ok(headers.includes(column), headers.join(', '));
    assert.match(await frame.getByLabel('Compiled SQL').innerText(), /FROM/);
    assert.match(await frame.getByRole('toolbar').innerText(), /duckdb/);
    const csp = await panelCsp(frame);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
    await screenshot(page, 'e2e-sql-preview-01-staging');
  });
});
