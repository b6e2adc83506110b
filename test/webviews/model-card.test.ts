// The model card panel in Chromium (bundled and served as it ships, under the panels' CSP), talking to its
// real controller in Node, which gets cards from the real CLI in a child process (card-loader.ts) for a
// small real flow: checks, slices, compare, export, a run that does not exist, a revived panel.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import type { ModelCard } from '../../core/model/card-types';
import { loadCardFromCli } from '../../extension/panels/card-loader';
import { ModelCardController } from '../../extension/panels/model-card-controller';
import type { CardTarget, ExportFormat } from '../../webviews/model-card/contract';
import { cli, ensureBuilt, flowbench } from '../cli/harness';
import { cardProjectFiles } from '../model/card-project';
import { tempProject, type TempProject } from '../helpers/project';
import { openHarness, type Harness, type HarnessHost } from './harness';

const ENTRY = join(__dirname, '../../webviews/model-card/index.tsx');
const WAIT = { timeout: 60_000 };

interface Bridge {
  host: HarnessHost;
  controller(): ModelCardController;
  /** Settles with the next export the panel asks the host to save. */
  saved: Promise<{ run: string; format: ExportFormat }>;
  errors: string[];
  ready: Promise<void>;
}

function bridge(): Bridge {
  let controller: ModelCardController | undefined;
  let markReady!: () => void;
  let markSaved!: (s: { run: string; format: ExportFormat }) => void;
  const b: Bridge = {
    saved: new Promise((resolve) => (markSaved = resolve)),
    errors: [],
    ready: new Promise<void>((resolve) => (markReady = resolve)),
    controller: () => controller!,
    host: {
      async receive(message: unknown, post: (m: unknown) => Promise<void>) {
        controller ??= new ModelCardController((m) => void post(m), {
          load: (flowFile, run) => loadCardFromCli(cli, flowFile, run),
          save: async (card: ModelCard, format: ExportFormat) => markSaved({ run: card.details.run, format }),
        }, (what, err) => b.errors.push(`${what}: ${(err as Error).message}`));
        await controller.receive(message);
        if ((message as { method?: string }).method === 'platform/ready') markReady();
      },
    },
  };
  return b;
}

describe('model card panel', () => {
  let project: TempProject;
  let runs: string[];
  let flowFile: string;
  let h: Harness;
  let b: Bridge;

  before(async () => {
    ensureBuilt();
    project = tempProject(cardProjectFiles());
    flowFile = project.path('card-test.flow.yaml');
    for (const set of [[], ['--set', 'weight=-1']]) assert.equal(flowbench(project.root, ['run', ...set], 120_000).code, 0);
    runs = (JSON.parse(flowbench(project.root, ['runs', '--json']).stdout) as { id: string }[]).map((r) => r.id);
    b = bridge();
    h = await openHarness(ENTRY, { host: b.host });
    await b.ready;
  });
  after(async () => {
    await h?.close();
    project?.remove();
  });

  test('shows the card: checks with their results, metrics by slice, signature; no CSP violation', async () => {
    // runs are newest first: runs[1] made the first model, which has nothing to compare with.
    await b.controller().show({ flowFile, run: runs[1]! });
    await h.page.waitForSelector('.mc-card', WAIT);
    const card = await loadCardFromCli(cli, flowFile, runs[1]!);
    const statuses = await h.page.$$eval('.mc-checks tbody tr', (rows) => rows.map((r) => (r as unknown as { dataset: { status: string } }).dataset.status));
    assert.deepEqual(statuses, card.checks.map((c) => c.status));
    assert.ok(statuses.includes('pass') && statuses.includes('fail'));
    const failing = card.checks.find((c) => c.status === 'fail')!;
    assert.ok((await h.page.locator('.mc-checks').innerText()).includes(failing.message));
    const slice = h.page.getByRole('region', { name: 'Metrics by group' });
    assert.deepEqual(await slice.locator('tbody th').allInnerTexts(), ['a', 'b']);
    const auc = card.metrics.slices[0]!.rows[0]!.metrics.find((m) => m.name === 'auc')!.value;
    assert.ok((await slice.innerText()).includes(auc.toFixed(4)));
    assert.ok((await h.page.getByRole('region', { name: 'Signature' }).innerText()).includes('features'));
    // The lineage is drawn with the shared flow-graph component: source, both steps and the model.
    assert.equal(await h.page.locator('.mc-graph .fb-graph-node').count(), card.lineage.nodes.length);
    assert.deepEqual(card.lineage.nodes.map((n) => n.id), ['source:raw.points', 'step:train', 'step:evaluate', 'model']);
    assert.equal(await h.page.locator('.mc-overall').getByText('better').count() + await h.page.locator('.mc-overall').getByText('worse').count(), 0, 'the first model has nothing to compare with');
    assert.deepEqual(h.errors, []);
  });

  test('the newer model shows its change against the previous one, and Export asks the host to save', async () => {
    await b.controller().show({ flowFile, run: runs[0]! });
    await h.page.waitForSelector('.mc-overall .mc-delta', WAIT);
    assert.match(await h.page.locator('.mc-card header').innerText(), /Run /);
    assert.match(await h.page.getByRole('region', { name: 'Metrics', exact: true }).innerText(), /Compared with the previous model of this flow: run /);
    assert.match(await h.page.getByRole('region', { name: 'Metrics', exact: true }).innerText(), new RegExp(`run ${runs[1]}`));
    await h.page.getByText('Export README.md (Hugging Face)').click();
    assert.deepEqual(await b.saved, { run: runs[0], format: 'md' });
  });

  test('compare shows two versions side by side with the metric changes between them', async () => {
    const [newer, older] = runs as [string, string];
    await b.controller().show({ flowFile, run: newer, compare: older });
    await h.page.waitForSelector('.mc-compare .mc-card >> nth=1', WAIT);
    assert.equal(await h.page.locator('.mc-compare .mc-card').count(), 2);
    const table = h.page.getByRole('region', { name: 'Compared metrics' });
    assert.match(await table.innerText(), new RegExp(`${older}[\\s\\S]*${newer}`));
    assert.ok(await table.locator('tbody tr').count() > 3);
  });

  test('a run that does not exist is a message, not a crash; a revived panel shows the card it had', async () => {
    await b.controller().show({ flowFile, run: 'no-such-run' });
    await h.page.waitForSelector('.mc-error', WAIT);
    assert.match(await h.page.locator('.mc-error').innerText(), /could not be built: .*no run 'no-such-run'/);
    assert.deepEqual(h.errors, []);

    const target: CardTarget = { flowFile, run: runs[1]! };
    const revived = bridge();
    const h2 = await openHarness(ENTRY, { host: revived.host, state: { target } });
    try {
      await h2.page.waitForSelector('.mc-card', WAIT);
      assert.deepEqual(revived.controller().current, target);
      assert.deepEqual(h2.errors, []);
    } finally {
      await h2.close();
    }
  });
});
