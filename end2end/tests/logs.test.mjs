// Logs beside spans, in a real browser, on the demo data (whose timed-out tool
// call warns before its retry and whose nightly job logs without a trace): the
// span detail's Logs section, the waterfall's marks, the trace's Logs tab and
// its filters, and the Logs page with its filters and its link to the span.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { api, hydrated, shots, until, useLoupe, watchProblems } from './support.mjs';

let retried; // a travel-agent trace whose tool call timed out and logged a warning
let warning; // that warning record

const env = useLoupe({ demo: true }, async () => {
  await until('the demo logs', async () => {
    const { logs } = await api(env.loupe.base, '/api/logs?q=timed%20out&severity=warn&limit=1');
    warning = logs[0];
    return warning && warning.span_id;
  }, 60_000);
  retried = warning.trace_id;
});

test('a span shows its logs in its detail, server-rendered', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/traces/${retried}?span=${warning.span_id}`);
  const logs = page.getByTestId('detail-logs');
  await logs.waitFor();
  const text = await logs.innerText();
  assert.match(text, /timed out; retrying in 50 ms/);
  assert.match(text, /WARN/);
  await hydrated(page);
  // A record opens to its attributes.
  await logs.locator('summary').first().click();
  assert.match(await logs.innerText(), /retry\.attempt/);
  // The waterfall marks the warning on the span's row.
  const row = page.locator(`[data-testid=span-row][data-span-id="${warning.span_id}"]`);
  assert.ok((await row.locator('.wf-log.sev-warn').count()) >= 1);
  assert.match(await page.getByTestId('trace-tabs').innerText(), /Logs/);
  await page.screenshot({ path: path.join(shots, 'span-logs.png') });
  assert.deepEqual(problems, []);
});

test("the trace's Logs tab lists every record and filters them", async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/traces/${retried}?tab=logs`);
  await hydrated(page);
  const list = page.getByTestId('trace-log-list');
  await list.waitFor();
  const all = await list.locator('li.log').count();
  assert.ok(all >= 2, `${all} records`);
  await page.getByTestId('trace-logs-severity').selectOption('warn');
  await until('warnings only', async () => (await list.locator('li.log').count()) < all);
  const severities = await list.locator('li.log').evaluateAll((ls) => ls.map((l) => l.dataset.severity));
  assert.ok(severities.every((s) => ['warn', 'error', 'fatal'].includes(s)), severities.join());
  await page.getByTestId('trace-logs-text').fill('no such words anywhere');
  await page.getByTestId('no-logs').waitFor();
  await page.getByTestId('trace-logs-text').fill('timed out');
  await list.locator('li.log').first().waitFor();
  await page.screenshot({ path: path.join(shots, 'trace-logs-tab.png') });
  // Each record links to its span.
  await list.getByTestId('log-link').first().click();
  await page.waitForURL(new RegExp(`span=${warning.span_id}`));
  assert.deepEqual(problems, []);
});

test('the Logs page filters by severity, text and trace, and links to the span', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/logs`);
  const list = page.getByTestId('log-list');
  await list.waitFor();
  assert.ok((await list.locator('li.log').count()) > 5);
  await page.goto(`${env.loupe.base}/logs?trace=no`);
  await list.waitFor();
  assert.match(await list.innerText(), /nightly re-index/);
  assert.equal(await list.getByTestId('log-link').count(), 0, 'standalone records link nowhere');
  await page.goto(`${env.loupe.base}/logs`);
  await hydrated(page);
  await page.getByTestId('log-severity-filter').selectOption('warn');
  await page.waitForURL(/severity=warn/);
  await list.waitFor();
  const severities = await list.locator('li.log').evaluateAll((ls) => ls.map((l) => l.dataset.severity));
  assert.ok(severities.length > 0 && severities.every((s) => ['warn', 'error', 'fatal'].includes(s)), severities.join());
  await page.goto(`${env.loupe.base}/logs?q=timed+out&severity=warn`);
  await list.waitFor();
  await page.screenshot({ path: path.join(shots, 'logs-page.png') });
  await list.getByTestId('log-link').first().click();
  await page.waitForURL(/\/traces\/[0-9a-f]{32}\?span=[0-9a-f]{16}/);
  await page.getByTestId('detail-logs').waitFor();
  assert.deepEqual(problems, []);
  // A bad filter is a 400 page that says what is wrong.
  const other = await env.browser.newPage();
  watchProblems(other, { allowStatus: [400] });
  const bad = await other.goto(`${env.loupe.base}/logs?severity=loud`);
  assert.equal(bad.status(), 400);
  assert.match(await other.getByTestId('filter-error').innerText(), /severity must be/);
});
