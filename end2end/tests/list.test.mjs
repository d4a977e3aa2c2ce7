// The trace list with the demo data in a real browser: rows, filters in the URL,
// cursor paging, live updates, and the same filters working before hydration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { api, hydrated, shots, useLoupe, watchProblems } from './support.mjs';


const env = useLoupe({ demo: true });

const rows = (page) => page.getByTestId('trace-row');
const ids = (page) => rows(page).evaluateAll((rs) => rs.map((r) => r.dataset.traceId));

test('the list shows the newest traces with their numbers and pages by cursor', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(env.loupe.base);
  const stats = await api(env.loupe.base, '/api/stats/summary');
  assert.equal(await page.getByTestId('trace-count').innerText(), String(stats.traces));
  assert.equal(await rows(page).count(), 50);
  const expected = await api(env.loupe.base, '/api/traces?limit=50');
  assert.deepEqual(await ids(page), expected.traces.map((t) => t.trace_id), 'newest first, as the API says');
  // Error traces are marked, and only they.
  const marked = await page.locator('tr.has-error').evaluateAll((rs) => rs.map((r) => r.dataset.traceId));
  assert.deepEqual(marked, expected.traces.filter((t) => t.error_count > 0).map((t) => t.trace_id));
  assert.ok(marked.length > 0);
  // Start times show relative, with the absolute time on hover.
  assert.match(await page.locator('td.when').first().getAttribute('title'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  await page.screenshot({ path: path.join(shots, 'list.png') });

  await hydrated(page);
  const first = await ids(page);
  await page.getByTestId('older').click();
  await page.waitForURL(/cursor=/);
  await page.getByTestId('newer').waitFor();
  const second = await ids(page);
  assert.equal(second.length, Math.min(50, stats.traces - 50));
  assert.ok(second.every((id) => !first.includes(id)), 'the older page continues where the first ended');
  await page.getByTestId('newer').click();
  await page.waitForURL(/newer=/);
  // The old rows stay until the new page is in (no flash of emptiness).
  await page.locator(`[data-trace-id="${first[0]}"]`).waitFor();
  assert.deepEqual(await ids(page), first, 'newer leads back to the first page');
  assert.deepEqual(problems, []);
});

test('filters narrow the list, live in the URL, and survive a reload', async () => {
  const page = await env.browser.newPage();
  const problems = watchProblems(page);
  await page.goto(env.loupe.base);
  await hydrated(page);

  await page.getByTestId('filter-status').selectOption('error');
  await page.waitForURL(/status=error/);
  await page.waitForFunction(() => {
    const rs = [...document.querySelectorAll('[data-testid=trace-row]')];
    return rs.length > 0 && rs.every((r) => r.classList.contains('has-error'));
  });
  const errorRows = await rows(page).count();
  assert.ok(errorRows > 0 && errorRows < 50);
  assert.equal(await page.locator('tr.has-error').count(), errorRows, 'every row has an error');

  await page.locator('input[name=q]').fill('search_hotels');
  await page.locator('input[name=q]').press('Enter');
  await page.waitForURL(/q=search_hotels/);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=trace-row] td:nth-child(2)')].every((td) => td.innerText === 'travel-agent'));
  const narrowed = await ids(page);
  assert.ok(narrowed.length > 0 && narrowed.length < errorRows);
  assert.match(page.url(), /status=error/, 'earlier filters stay');

  // The URL is the filter: opening it anew shows the same list and the same form.
  await page.goto(page.url());
  assert.deepEqual(await ids(page), narrowed);
  assert.equal(await page.getByTestId('filter-status').inputValue(), 'error');
  assert.equal(await page.locator('input[name=q]').inputValue(), 'search_hotels');

  await page.getByTestId('clear').click();
  await page.waitForURL(`${env.loupe.base}/`);
  await hydrated(page);
  await page.getByTestId('filter-kind').selectOption('tool');
  await page.waitForURL(/kind=tool/);
  await page.locator('input[name=min_duration_ms]').fill('5000');
  await page.getByTestId('apply').click();
  await page.waitForURL(/min_duration_ms=5000/);
  const api_ = await api(env.loupe.base, '/api/traces?kind=tool&min_duration_ms=5000');
  assert.ok(api_.traces.length > 0, 'the demo has slow tool calls');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=trace-row]').length === n, api_.traces.length);
  assert.deepEqual(await ids(page), api_.traces.map((t) => t.trace_id));
  assert.deepEqual(problems, []);
});

test('a bad filter in the URL gets a 400 that says what is wrong', async () => {
  const page = await env.browser.newPage();
  const response = await page.goto(`${env.loupe.base}/?min_duration_ms=-3`);
  assert.equal(response.status(), 400);
  assert.match(await page.getByTestId('filter-error').innerText(), /min_duration_ms must be a non-negative number/);
});

test('filters work before (or without) JavaScript', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(env.loupe.base);
  await page.locator('select[name=status]').selectOption('error');
  await page.getByTestId('apply').click();
  await page.waitForURL(/status=error/);
  const n = await page.locator('tr.has-error').count();
  assert.ok(n > 0);
  assert.equal(await rows(page).count(), n);
  await context.close();
});

test('new traces appear on the first page without a reload, keeping filters and scroll', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1280, height: 600 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/?status=ok`);
  await hydrated(page);
  await page.mouse.wheel(0, 400);
  await page.waitForFunction(() => window.scrollY > 0);
  const scrolled = await page.evaluate(() => window.scrollY);

  const traceId = randomBytes(16).toString('hex');
  const now = BigInt(Date.now()) * 1_000_000n;
  const body = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'live-check' } }] },
      scopeSpans: [{
        spans: [{
          traceId, spanId: randomBytes(8).toString('hex'), name: 'live arrival', kind: 1,
          startTimeUnixNano: String(now - 250_000_000n), endTimeUnixNano: String(now),
        }],
      }],
    }],
  };
  const sent = await fetch(`${env.loupe.base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(sent.status, 200);
  await page.locator(`[data-trace-id="${traceId}"]`).waitFor({ timeout: 15_000 });
  assert.equal((await ids(page))[0], traceId, 'the new trace is on top');
  assert.equal(new URL(page.url()).search, '?status=ok');
  assert.equal(await page.getByTestId('filter-status').inputValue(), 'ok');
  // The browser's scroll anchoring may shift by a row to keep the same rows in view;
  // what must not happen is a jump back to the top.
  const after = await page.evaluate(() => window.scrollY);
  assert.ok(Math.abs(after - scrolled) < 50, `the scroll position stays (${scrolled} → ${after})`);
  assert.deepEqual(problems, []);
});
