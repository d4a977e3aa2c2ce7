// The latency page with the demo data in a real browser: histograms per kind and
// step, the slowest tool at p95, a bucket's spans linked to the trace page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { hydrated, shots, useLoupe, watchProblems } from './support.mjs';


const env = useLoupe({ demo: true });

test('the latency page shows a histogram per step kind, and the tools by p95', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/latency?since=7d`);
  const kinds = page.getByTestId('latency-kind');
  assert.ok((await kinds.count()) >= 5);
  // Every row has a server-drawn histogram with bars and the percentile markers.
  for (const row of await kinds.all()) {
    assert.ok((await row.locator('td.spark svg rect').count()) >= 1);
  }
  await hydrated(page);
  const tool = page.locator('[data-testid=latency-kind][data-kind=tool]');
  await tool.getByTestId('expand').click();
  const steps = page.locator('tbody:has([data-kind=tool]) [data-testid=latency-step]');
  await steps.first().waitFor({ state: 'visible' });
  // Steps are sorted slowest p95 first: the demo's search_hotels (a 10 s timeout now and then).
  assert.equal(await steps.first().getAttribute('data-step'), 'execute_tool search_hotels');
  assert.equal(await steps.first().locator('td.p95').innerText(), '10.0 s');
  await page.screenshot({ path: path.join(shots, 'latency.png') });
  assert.deepEqual(problems, []);
});

test('a step opens with a large histogram; a bar lists its spans, linked to the trace on the span', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/latency?since=7d`);
  // Choosing a kind selects it and shows its steps (also without JavaScript).
  await page.locator('[data-testid=latency-kind][data-kind=tool] a').click();
  await page.waitForURL(/kind=tool/);
  await page.getByTestId('selected-step').waitFor();
  await page.locator('[data-testid=latency-step][data-step="execute_tool search_hotels"] a').click();
  await page.waitForURL(/step=execute_tool/);
  const selected = page.getByTestId('selected-step');
  await selected.locator('h2', { hasText: 'execute_tool search_hotels' }).waitFor();
  assert.ok((await selected.locator('.big-histogram svg text').count()) > 3, 'axis labels');
  const bars = selected.getByTestId('bucket');
  const n = await bars.count();
  assert.ok(n >= 2);
  // The last bar is the 10 s timeouts.
  await bars.nth(n - 1).click();
  await page.waitForURL(/bucket=\d+/);
  const spans = page.getByTestId('bucket-spans').locator('a');
  await spans.first().waitFor();
  assert.ok((await spans.count()) >= 1);
  assert.ok((await page.getByTestId('bucket-spans').locator('td.num').allInnerTexts()).every((t) => t === '10.0 s'));
  const href = await spans.first().getAttribute('href');
  assert.match(href, /^\/traces\/[0-9a-f]{32}\?span=[0-9a-f]{16}$/);
  await page.screenshot({ path: path.join(shots, 'latency-step.png') });
  await spans.first().click();
  await page.waitForURL(new RegExp(href.replace('?', '\\?')));
  await page.getByTestId('detail-status').filter({ hasText: 'timed out' }).waitFor();
  assert.deepEqual(problems, []);
});
