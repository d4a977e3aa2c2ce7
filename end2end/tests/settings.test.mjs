// The settings page of a Loupe that samples and retains: the demo traces go
// through tail sampling, and the page shows the policy in force and what it
// kept and dropped per reason, as the API counts them, and the retention rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { api, hydrated, shots, until, useLoupe, watchProblems } from './support.mjs';

const env = useLoupe({ demo: true, args: ['--sample', '0.2', '--sample-grace', '500ms', '--sample-max-wait', '2s', '--retain', '30d', '--retain-service', 'checkout=90d', '--max-db-size', '2GiB'] });

test('the settings page shows the sampling policy and the kept and dropped traces per reason', async () => {
  let sampling;
  await until('every demo trace is decided', async () => {
    sampling = await api(env.loupe.base, '/api/sampling');
    return sampling.pending_spans === 0 && sampling.counts.length > 0;
  }, 30_000);
  const byReason = Object.fromEntries(sampling.counts.map((c) => [c.reason, c]));
  assert.ok(byReason.error?.traces > 0, 'the demo has failed traces, all kept');
  assert.ok(byReason.sampled_out?.traces > 0, 'ordinary traces were dropped');
  const stats = await api(env.loupe.base, '/api/stats/summary');
  const kept = sampling.counts.filter((c) => c.kept).reduce((n, c) => n + c.traces, 0);
  assert.equal(stats.traces, kept, 'the list holds exactly the kept traces');

  const page = await env.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(env.loupe.base);
  await hydrated(page);
  await page.locator('nav.nav a[href="/settings"]').click();
  await page.waitForURL(/\/settings$/);
  const card = page.getByTestId('sampling');
  await card.waitFor();
  assert.match(await page.getByTestId('sampling-fraction').innerText(), /^20% of the rest/);
  assert.match(await page.getByTestId('sampling-policy').innerText(), /every trace of 5 s or more/);
  const rows = page.getByTestId('reason-row');
  assert.equal(await rows.count(), sampling.counts.length);
  for (const c of sampling.counts) {
    const row = page.locator(`[data-testid=reason-row][data-reason="${c.reason}"]`);
    assert.equal((await row.getByTestId('reason-traces').innerText()).replace(/,/g, ''), String(c.traces), c.reason);
  }
  assert.match(await page.getByTestId('sampling-totals').innerText(), new RegExp(`kept \\(`));
  assert.ok(await page.locator('.split-bar .seg').count() >= 2);
  const retention = page.getByTestId('retention');
  assert.equal(await retention.getByTestId('retention-default').innerText(), 'traces are deleted 30 d after they started');
  assert.equal(await retention.getByTestId('retention-service').innerText(), 'checkout: 90 d');
  assert.match(await retention.getByTestId('retention-size').innerText(), /[KM]iB of 2\.0 GiB in use/);
  assert.match(await retention.getByTestId('retention-files').innerText(), /Measured as the pages in use; the database file is [\d.]+ [KMG]iB/);
  await page.screenshot({ path: path.join(shots, 'settings.png'), fullPage: true });
  assert.deepEqual(problems, []);
});
