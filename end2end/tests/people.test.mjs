// The overview above the trace list, the users page and a session's page, in a
// real browser on the demo data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { api, hydrated, shots, useLoupe, watchProblems } from './support.mjs';

const env = useLoupe({ demo: true });

test('the trace list opens with traces per minute, error rate, p95 and cost, each with a trend', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/?since=24h`);
  const overview = page.getByTestId('overview');
  for (const id of ['ov-rate', 'ov-errors', 'ov-p95', 'ov-cost']) {
    assert.notEqual((await overview.getByTestId(id).innerText()).trim(), '', id);
  }
  assert.match(await overview.getByTestId('ov-errors').innerText(), /^\d+\.\d%$/);
  assert.match(await overview.getByTestId('ov-cost').innerText(), /^\$/);
  assert.equal(await overview.locator('.spark-line svg').count(), 4);
  // Changing the range redraws it (after hydration, without a reload).
  await hydrated(page);
  const before = await overview.getByTestId('ov-rate').innerText();
  await page.locator('select[name=since]').selectOption('7d');
  await page.waitForURL(/since=7d/);
  await page.waitForFunction((b) => document.querySelector('[data-testid=ov-rate]')?.innerText !== b, before);
  await page.screenshot({ path: path.join(shots, 'list-overview.png') });
  assert.deepEqual(problems, []);
});

test('the users page ranks users by p95; a session lists its traces in order with durations and costs', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/users?since=7d`);
  const report = await api(env.loupe.base, '/api/stats/users?since=7d');
  const rows = page.getByTestId('user-row');
  assert.equal(await rows.count(), report.users.length);
  assert.equal(await rows.first().getAttribute('data-user'), report.users[0].user);
  const p95s = report.users.map((u) => u.p95_ns);
  assert.deepEqual(p95s, [...p95s].sort((a, b) => b - a), 'slowest first');
  await page.screenshot({ path: path.join(shots, 'users.png') });

  // The demo's 15-turn support conversation.
  const longest = report.sessions.reduce((a, b) => (b.traces > a.traces ? b : a));
  assert.equal(longest.traces, 15);
  await hydrated(page);
  await page.locator(`[data-testid=session-row][data-session="${longest.session}"] a`).click();
  await page.waitForURL(new RegExp(`/sessions/${longest.session}$`));
  const traces = page.getByTestId('session-trace');
  await traces.first().waitFor();
  assert.equal(await traces.count(), 15);
  const detail = await api(env.loupe.base, `/api/sessions/${longest.session}`);
  const starts = detail.traces.map((t) => t.start_ns);
  assert.deepEqual(starts, [...starts].sort((a, b) => a - b), 'in the order they happened');
  assert.equal(await traces.first().getAttribute('data-trace-id'), detail.traces[0].trace_id);
  assert.match(await traces.first().getByTestId('session-trace-cost').innerText(), /^\$/);
  assert.match(await traces.first().getByTestId('session-trace-duration').innerText(), /\d (ms|s)$/);
  await page.screenshot({ path: path.join(shots, 'session.png') });
  await traces.nth(2).locator('a').click();
  await page.waitForURL(new RegExp(`/traces/${detail.traces[2].trace_id}$`));
  assert.deepEqual(problems, []);
});
