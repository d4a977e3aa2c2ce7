// Token cost in a real browser, on the demo data: the costs page's panels and
// which model costs most, unpriced calls and adding a price for them, and cost in
// the trace list, the trace summary and a model call's detail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { api, hydrated, shots, useLoupe, watchProblems } from './support.mjs';

const env = useLoupe({ demo: true });

test('the costs page shows its panels and which model costs most', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 1100 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/costs?since=7d`);
  const report = await api(env.loupe.base, '/api/stats/cost?group_by=model&since=7d');
  const top = report.groups[0];
  assert.ok(top.cost_usd > 0);
  // The tile and the first row of the by-model table name the API's costliest model.
  assert.match(await page.getByTestId('costliest-model').innerText(), new RegExp(`^${top.key.replace(/[.]/g, '\\.')} · \\$`));
  const byModel = page.getByTestId('by-model');
  assert.equal(await byModel.getByTestId('cost-row').first().getAttribute('data-key'), top.key);
  // Charts are server-drawn SVG: bars over time, and labelled bars per model.
  assert.ok((await page.locator('[data-testid=cost-over-time] svg rect').count()) >= 1);
  assert.ok((await page.locator('[data-testid=tokens-over-time] svg rect').count()) >= 2);
  assert.ok((await byModel.locator('svg text', { hasText: top.key }).count()) >= 1);
  for (const id of ['by-service', 'by-user']) {
    assert.ok((await page.getByTestId(id).getByTestId('cost-row').count()) >= 1, id);
  }
  // The self-hosted judge is unpriced: counted, said, not shown as $0.
  assert.notEqual(await page.getByTestId('cost-unpriced').innerText(), '0');
  await page.getByTestId('unpriced-note').waitFor();
  const judge = byModel.locator('[data-testid=cost-row][data-key=acme-judge-8b]');
  assert.equal(await judge.getByTestId('group-cost').innerText(), 'unpriced');
  // The most expensive traces link to their pages.
  const expensive = page.getByTestId('expensive-trace');
  assert.ok((await expensive.count()) >= 3);
  assert.match(await expensive.first().locator('a').getAttribute('href'), /^\/traces\/[0-9a-f]{32}$/);
  await page.screenshot({ path: path.join(shots, 'costs.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('an unpriced model gets a price from the page; a bad price is refused with a reason', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 1000 } });
  // The refused price is a 400 (and the page says why).
  const problems = watchProblems(page, { allowStatus: [400] });
  await page.goto(`${env.loupe.base}/costs?since=7d`);
  await hydrated(page);
  await page.locator('[data-testid=cost-row][data-key=acme-judge-8b]').getByTestId('add-price').click();
  await page.waitForURL(/price_model=acme-judge-8b/);
  const form = page.getByTestId('price-form');
  assert.equal(await form.locator('input[name=model]').inputValue(), 'acme-judge-8b');
  await form.locator('input[name=input]').fill('0.2');
  await form.locator('input[name=output]').fill('lots');
  await page.getByTestId('save-price').click();
  await page.getByTestId('price-error').filter({ hasText: 'Output must be a number' }).waitFor();
  assert.deepEqual((await api(env.loupe.base, '/api/prices')).overrides, []);

  await form.locator('input[name=output]').fill('0.6');
  await page.getByTestId('save-price').click();
  await page.getByTestId('price-saved').waitFor();
  await page.locator('[data-testid=override-row][data-model=acme-judge-8b]').waitFor();
  const prices = await api(env.loupe.base, '/api/prices');
  assert.deepEqual(prices.overrides, [{ model: 'acme-judge-8b', input_per_mtok: 0.2, output_per_mtok: 0.6 }]);

  await page.locator('[data-testid=override-row][data-model=acme-judge-8b]').getByTestId('delete-price').click();
  await page.locator('[data-testid=override-row]').waitFor({ state: 'detached' });
  assert.deepEqual((await api(env.loupe.base, '/api/prices')).overrides, []);
  assert.deepEqual(problems, []);
});

test('cost shows in the trace list, the trace summary and a model call’s detail', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/?since=7d`);
  const costs = await page.getByTestId('trace-cost').allInnerTexts();
  assert.ok(costs.some((c) => /^\$\d/.test(c)), costs.join(', '));
  const list = await api(env.loupe.base, '/api/traces?since=7d&limit=200');
  const priced = list.traces.find((t) => t.cost_usd > 0 && t.unpriced === 0);
  await page.goto(`${env.loupe.base}/traces/${priced.trace_id}`);
  assert.match(await page.getByTestId('trace-cost').innerText(), /^\$\d/);
  const trace = await api(env.loupe.base, `/api/traces/${priced.trace_id}`);
  const call = trace.spans.find((s) => s.cost?.state === 'priced');
  await page.goto(`${env.loupe.base}/traces/${priced.trace_id}?span=${call.span_id}`);
  const fact = page.locator('.facts dt', { hasText: 'cost' }).locator('xpath=following-sibling::dd[1]');
  assert.match(await fact.innerText(), /^\$[\d.]+ \(priced as .+, shipped price list\)$/);
  assert.deepEqual(problems, []);
});
