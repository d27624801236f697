import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { SyncResult } from '../workflows';
import { type DevServer, PROJECT_ROOT, startTemporalDevServer } from '../scripts/local-temporal';
import { type SyncStack, startSyncStack } from './support/sync-stack';

/** Debian's `chromium` package, which `scripts/install-chromium.sh` installs. */
const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a headless Chromium that starts no background traffic of its own. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const SEED = { cardsPerPipe: 40, recordsPerTable: 10 };
const SCREENSHOT_PATH = path.join(PROJECT_ROOT, 'data', 'web-ui-failure.png');
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);

let temporal: DevServer;
let stack: SyncStack;
let profileDir: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}. Install it with \`bash scripts/install-chromium.sh\`.`);
  }

  temporal = await startTemporalDevServer({ ui: true });
  stack = await startSyncStack({ temporal, emulator: { seed: SEED } });

  // Playwright's own default flags are off, so Chromium runs with exactly the
  // flags above. Playwright talks to it over `--remote-debugging-pipe`.
  profileDir = mkdtempSync(path.join(tmpdir(), 'pipefy-sync-chromium-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    ignoreDefaultArgs: true,
    args: [...CHROMIUM_ARGS, `--user-data-dir=${profileDir}`, '--remote-debugging-pipe'],
  });
  page = await browser.newPage();
  page.setDefaultTimeout(15_000);

  // The UI is served from loopback and must work offline, so requests to any
  // other host are aborted before the browser opens a connection.
  await page.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    return LOOPBACK_HOSTS.has(hostname) ? route.continue() : route.abort('blockedbyclient');
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await temporal?.stop();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

describe('Temporal Web UI', () => {
  it('starts a sync from the form', async () => {
    onTestFailed(async () => {
      mkdirSync(path.dirname(SCREENSHOT_PATH), { recursive: true });
      await page.screenshot({ path: SCREENSHOT_PATH, fullPage: true });
    });

    const pipe = stack.emulator.state.organization.pipes[0];
    const expectedCardIds = stack.emulator.state.cardCores(pipe).map((card) => card.id);
    const workflowId = stack.uniqueId('web-ui');
    const input = { pipeIds: [pipe.id], resources: ['cards'] };

    await page.goto(`${temporal.uiUrl}/namespaces/${stack.config.temporal.namespace}/workflows/start-workflow`);

    // The form clears its fields when its component mounts, which can come
    // after the page's load event on a busy machine. "Random UUID" fills the
    // Workflow ID only once the component is mounted, so it shows when typing
    // is safe.
    const workflowIdField = page.getByLabel('Workflow ID');
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Random UUID' }).click();
          return workflowIdField.inputValue();
        },
        { timeout: 15_000 },
      )
      .not.toBe('');

    await workflowIdField.fill(workflowId);
    await page.getByLabel('Task Queue').fill(stack.config.temporal.taskQueue);
    await page.getByLabel('Workflow Type').fill('syncPipefyWorkflow');
    const data = page.getByRole('textbox', { name: 'Data' });
    await data.fill(JSON.stringify(input));
    await page.getByRole('radio', { name: 'json/plain' }).check();

    // Leaving the editor pretty-prints the JSON, and leaving the task queue
    // field adds a worker banner. Both move the Start button, so the click
    // waits until the layout has settled, because a click on a moving button
    // can land beside it.
    await data.blur();
    await page.getByRole('status').filter({ hasText: 'Task Queue is Active' }).waitFor();
    await page.getByRole('button', { name: 'Start Workflow' }).click();

    // The success toast links to the new run and disappears after 5 s.
    await page.getByRole('link', { name: 'Workflow started successfully' }).click();
    await page.waitForURL(`**/workflows/${workflowId}/**`);
    const main = page.getByRole('main');
    await expect(main.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(workflowId);

    // The timeline page refreshes itself while the run is open. This sync took
    // 11 to 16 s on a 2-core machine busy with other test suites.
    await main.getByRole('status').getByText('Completed', { exact: true }).waitFor({ timeout: 60_000 });

    const result: SyncResult = await stack.client.workflow.getHandle(workflowId).result();
    expect(result.pipes).toBe(1);
    expect(result.rowsByTable.cards).toBe(expectedCardIds.length);

    const warehouse = await stack.openWarehouse();
    const cards = await warehouse.readRows('cards', ['id']);
    await warehouse.close();

    expect(cards.length).toBe(expectedCardIds.length);
    expect(new Set(cards.map((card) => card.pipe_id))).toEqual(new Set([pipe.id]));
    expect(cards.map((card) => card.id).sort()).toEqual([...expectedCardIds].sort());
  });
});
