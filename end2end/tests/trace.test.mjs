// The trace page with the demo data in a real browser: waterfall, summary, span
// detail and its URL, folding, keyboard, the 10,000-span trace, and bad ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { api, hydrated, shots, until, useLoupe, watchProblems } from './support.mjs';

let planner; // a travel-agent run whose last model call was rate-limited
let timedOut; // a travel-agent run whose tool call timed out after 10 s and was retried
let big; // the 10,000-span evaluation run

const env = useLoupe({ demo: true }, async () => {
  for (const t of (await api(env.loupe.base, '/api/traces?q=planner&status=error&limit=100')).traces) {
    const { spans } = await api(env.loupe.base, `/api/traces/${t.trace_id}`);
    if (spans.some((s) => s.kind === 'llm' && s.status === 'error')) planner ??= t;
  }
  timedOut = (await api(env.loupe.base, '/api/traces?q=planner&kind=tool&min_duration_ms=10000&limit=1')).traces[0];
  big = (await api(env.loupe.base, '/api/traces?q=evaluation&limit=1')).traces[0];
  assert.ok(planner && timedOut && big && big.span_count === 10000);
});

const row = (page, name) => page.getByTestId('span-row').filter({ has: page.locator('.wf-label', { hasText: new RegExp(`^${name}$`) }) });

test('opening a trace from the list shows its summary and waterfall', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/?q=planner&status=error`);
  await page.locator(`[data-trace-id="${planner.trace_id}"] a`).click();
  await page.waitForURL(`${env.loupe.base}/traces/${planner.trace_id}`);
  await page.getByTestId('waterfall').waitFor();
  assert.equal(await page.getByTestId('span-row').count(), planner.span_count);
  assert.equal(await page.getByTestId('trace-title').innerText(), planner.root_name);
  assert.equal(await page.getByTestId('trace-errors').innerText(), String(planner.error_count));
  // Tree order: the root first at depth 0, everything else below it.
  const depths = await page.getByTestId('span-row').evaluateAll((rs) => rs.map((r) => +r.dataset.depth));
  assert.equal(depths[0], 0);
  assert.ok(depths.slice(1).every((d) => d >= 1));
  assert.equal(await page.locator('.wf-row.error').count(), planner.error_count);
  assert.ok((await page.locator('[data-testid=ruler] .tick').count()) >= 3);
  const legend = await page.getByTestId('legend').innerText();
  assert.match(legend, /model call/);
  assert.match(legend, /tool/);
  const kinds = await page.getByTestId('kind-time').evaluateAll((rs) => rs.map((r) => r.dataset.kind));
  assert.ok(kinds.includes('llm') && kinds.includes('tool'));
  assert.deepEqual(problems, []);
});

test('clicking a span shows its detail and puts span= in the URL; Escape closes it', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/traces/${planner.trace_id}`);
  await hydrated(page);
  // The last call: when the first one timed out, this is the retry that worked.
  const tool = row(page, 'execute_tool search_hotels').last();
  const toolId = await tool.getAttribute('data-span-id');
  await tool.click();
  await page.waitForURL(new RegExp(`span=${toolId}`));
  const detail = page.getByTestId('span-detail');
  await detail.getByTestId('detail-name').filter({ hasText: 'execute_tool search_hotels' }).waitFor();
  assert.match(await detail.locator('.facts').innerText(), /tool\s+search_hotels/);
  assert.match(await detail.getByTestId('detail-attributes').innerText(), /gen_ai/);
  assert.ok(await tool.evaluate((r) => r.classList.contains('selected')));

  // The failed model call: status message, exception event, and hashed content.
  const failed = page.locator('.wf-row.error').filter({ hasText: 'chat' });
  await failed.click();
  await page.waitForURL(new RegExp(`span=${await failed.getAttribute('data-span-id')}`));
  await detail.getByTestId('detail-status').filter({ hasText: /^error/ }).waitFor();
  assert.match(await detail.getByTestId('detail-events').innerText(), /RateLimitError/);

  // The first model call carried its prompt: shown as hash, length and structure.
  const firstChat = page.locator('.wf-row.k-llm').first();
  await firstChat.click();
  await page.waitForURL(new RegExp(`span=${await firstChat.getAttribute('data-span-id')}`));
  assert.match(await detail.getByTestId('content-note').innerText(), /Content capture is off/);
  const content = await detail.getByTestId('detail-content').innerText();
  assert.match(content, /gen_ai\.input\.messages/);
  assert.match(content, /blake3:[0-9a-f]{32}/);
  assert.match(content, /2 messages/);
  assert.doesNotMatch(content, /Find me a hotel/);
  assert.match(await detail.locator('.facts').innerText(), /tokens\s+[\d,]+ \([\d,]+ in, [\d,]+ out, [\d,]+ cache read\)/);
  await page.screenshot({ path: path.join(shots, 'trace.png') });

  await page.keyboard.press('Escape');
  await page.waitForURL(`${env.loupe.base}/traces/${planner.trace_id}`);
  assert.equal(await page.getByTestId('span-detail').count(), 0);
  assert.deepEqual(problems, []);
});

test('a link with span= opens the trace on that span, even before hydration', async () => {
  const detail = await api(env.loupe.base, `/api/traces/${planner.trace_id}`);
  const llm = detail.spans.find((s) => s.kind === 'llm' && s.status === 'error');
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto(`${env.loupe.base}/traces/${planner.trace_id}?span=${llm.span_id}`);
  assert.equal(response.status(), 200);
  assert.equal(await page.getByTestId('detail-name').innerText(), llm.name);
  assert.ok(await page.locator(`[data-span-id="${llm.span_id}"]`).evaluate((r) => r.classList.contains('selected')));
  await context.close();
});

test('folding a subtree hides its rows; the keyboard moves, folds and unfolds', async () => {
  const page = await env.browser.newPage();
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/traces/${planner.trace_id}`);
  await hydrated(page);
  const rows = page.getByTestId('span-row');
  const rootToggle = rows.first().getByTestId('toggle');
  await rootToggle.click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=span-row]').length === 1);
  assert.equal(await rootToggle.getAttribute('aria-expanded'), 'false');
  await rootToggle.click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=span-row]').length === n, planner.span_count);

  const ids = await rows.evaluateAll((rs) => rs.map((r) => r.dataset.spanId));
  await rows.first().click();
  await page.waitForURL(new RegExp(`span=${ids[0]}`));
  await page.keyboard.press('ArrowDown');
  await page.waitForURL(new RegExp(`span=${ids[1]}`));
  await page.keyboard.press('ArrowDown');
  await page.waitForURL(new RegExp(`span=${ids[2]}`));
  await page.keyboard.press('ArrowUp');
  await page.waitForURL(new RegExp(`span=${ids[1]}`));
  await page.keyboard.press('ArrowLeft'); // a leaf: go to its parent
  await page.waitForURL(new RegExp(`span=${ids[0]}`));
  await page.keyboard.press('ArrowLeft'); // the root: fold it
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=span-row]').length === 1);
  await page.keyboard.press('ArrowRight'); // unfold
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=span-row]').length === n, planner.span_count);
  await page.keyboard.press('Escape');
  await page.waitForURL((u) => !u.search.includes('span='));
  assert.deepEqual(problems, []);
});

test('the slowest tool call is one click from the trace summary', async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.loupe.base}/traces/${timedOut.trace_id}`);
  await hydrated(page);
  const slowestTool = page.locator('[data-testid=kind-time][data-kind=tool] [data-testid=slowest]');
  assert.equal(await slowestTool.innerText(), 'execute_tool search_hotels');
  await slowestTool.click();
  await page.waitForURL(/span=/);
  const detail = page.getByTestId('span-detail');
  await detail.getByTestId('detail-name').filter({ hasText: 'execute_tool search_hotels' }).waitFor();
  assert.match(await detail.locator('.facts').innerText(), /duration\s+10\.0 s/);
  assert.match(await detail.getByTestId('detail-status').innerText(), /timed out after 10 s/);
  assert.equal(await page.locator('.wf-row.selected').getAttribute('data-span-id'), new URL(page.url()).searchParams.get('span'));
  await page.setViewportSize({ width: 1440, height: 860 });
  await page.screenshot({ path: path.join(shots, 'slowest-tool.png') });
});

test('the 10,000-span trace opens, renders only rows in view, and its last span is reachable', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems = watchProblems(page);
  const response = await page.goto(`${env.loupe.base}/traces/${big.trace_id}`);
  assert.equal(response.status(), 200);
  await hydrated(page);
  assert.equal(await page.getByTestId('trace-spans').innerText(), '10,000');
  const rendered = await page.getByTestId('span-row').count();
  assert.ok(rendered > 10 && rendered < 200, `only the rows in view are in the page (${rendered})`);

  const waterfall = page.getByTestId('waterfall');
  await waterfall.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  const last = page.locator('[data-testid=span-row][data-row="9999"]');
  await last.waitFor();
  const box = await last.boundingBox();
  const view = await waterfall.boundingBox();
  assert.ok(box.y >= view.y && box.y + box.height <= view.y + view.height + 1, 'the last row is in view');
  assert.ok((await page.getByTestId('span-row').count()) < 200);
  const lastId = await last.getAttribute('data-span-id');
  await last.click();
  await page.waitForURL(new RegExp(`span=${lastId}`));
  await page.getByTestId('detail-name').waitFor();

  // Opened directly on that span, the page scrolls it into view.
  await page.goto(`${env.loupe.base}/traces/${big.trace_id}?span=${lastId}`);
  await hydrated(page);
  await page.waitForFunction((id) => {
    const r = document.querySelector(`[data-span-id="${id}"]`);
    const w = document.querySelector('[data-testid=waterfall]').getBoundingClientRect();
    if (!r) return false;
    const b = r.getBoundingClientRect();
    return b.top >= w.top && b.bottom <= w.bottom + 1 && r.classList.contains('selected');
  }, lastId);
  assert.deepEqual(problems, []);
});

test('a trace that does not exist is a 404 page; a malformed id a 400', async () => {
  const page = await env.browser.newPage();
  let response = await page.goto(`${env.loupe.base}/traces/0123456789abcdef0123456789abcdef`);
  assert.equal(response.status(), 404);
  assert.match(await page.getByTestId('error-page').innerText(), /No such trace[\s\S]*No trace with id 0123456789abcdef0123456789abcdef is stored/);
  response = await page.goto(`${env.loupe.base}/traces/not-a-trace`);
  assert.equal(response.status(), 400);
  assert.match(await page.getByTestId('error-page').innerText(), /not a trace id[\s\S]*"not-a-trace"/);
});

test('the trace page reads in the dark colour scheme', async () => {
  const page = await env.browser.newPage({ colorScheme: 'dark', viewport: { width: 1440, height: 900 } });
  await page.goto(`${env.loupe.base}/traces/${planner.trace_id}`);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(20, 22, 25)');
  await page.screenshot({ path: path.join(shots, 'trace-dark.png') });
});

test('spans that arrive later appear on Refresh, keeping the selection', async () => {
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = (spanId, parentSpanId, name, startMs, endMs) => ({
    traceId, spanId, parentSpanId, name, kind: 1,
    startTimeUnixNano: String(now + BigInt(startMs) * 1_000_000n),
    endTimeUnixNano: String(now + BigInt(endMs) * 1_000_000n),
    attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } }],
  });
  const send = async (spans) => {
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'still-running' } }] }, scopeSpans: [{ spans }] }] };
    const r = await fetch(`${env.loupe.base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 200);
  };
  await send([span(rootId, '', 'agent run', 0, 3000), span(randomBytes(8).toString('hex'), rootId, 'first tool', 10, 500)]);

  const page = await env.browser.newPage();
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/traces/${traceId}?span=${rootId}`);
  await hydrated(page);
  assert.equal(await page.getByTestId('span-row').count(), 2);
  await send([span(randomBytes(8).toString('hex'), rootId, 'second tool', 600, 2900)]);
  await page.getByTestId('reload').click();
  await page.getByTestId('span-row').filter({ hasText: 'second tool' }).waitFor();
  assert.equal(await page.getByTestId('span-row').count(), 3);
  assert.equal(await page.locator('.wf-row.selected').getAttribute('data-span-id'), rootId);
  assert.equal(await page.getByTestId('detail-name').innerText(), 'agent run');
  assert.deepEqual(problems, []);
});

test('the trace page says why it was slow and marks the critical path', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/traces/${timedOut.trace_id}`);
  await hydrated(page);
  const first = page.getByTestId('finding').first();
  assert.equal(await first.getAttribute('data-kind'), 'retry');
  assert.match(await first.innerText(), /execute_tool search_hotels took 10\.0 s \(\d+% of the trace\) and was retried once after a timeout\./);
  assert.match(await first.innerText(), /Try: Give search_hotels a timeout close to its normal latency/);
  const path = await page.getByTestId('critical-path').innerText();
  assert.match(path, /execute_tool search_hotels\s+\d+%/);

  // The timed-out call is on the critical path, drawn under its bar; "show" selects it.
  const failed = page.locator('.wf-row.error.k-tool');
  assert.ok(await failed.evaluate((r) => r.classList.contains('critical')));
  assert.ok((await failed.locator('.wf-crit').count()) >= 1);
  await first.getByRole('link', { name: 'show' }).click();
  await page.waitForURL(new RegExp(`span=${await failed.getAttribute('data-span-id')}`));
  await page.getByTestId('detail-status').filter({ hasText: 'timed out after 10 s' }).waitFor();
  assert.deepEqual(problems, []);
});

test('Copy for AI puts the trace brief on the clipboard, also for the 10,000-span trace', async () => {
  const context = await env.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'], viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  for (const t of [timedOut, big]) {
    await page.goto(`${env.loupe.base}/traces/${t.trace_id}`);
    await hydrated(page);
    const button = page.getByTestId('copy-brief');
    await button.click();
    await until('copied', async () => (await button.innerText()) === 'Brief copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const served = await (await fetch(`${env.loupe.base}/api/traces/${t.trace_id}/brief`)).text();
    assert.equal(copied, served);
    assert.ok(copied.startsWith(`# Trace ${t.trace_id}: \`${t.root_name}\``), copied.slice(0, 200));
    assert.ok(copied.length <= 30_000, `${copied.length} characters`);
    if (t === timedOut) {
      assert.match(copied, /`execute_tool search_hotels` took 10\.0 s \(\d+% of the trace\) and was retried once after a timeout\./);
      await page.screenshot({ path: path.join(shots, 'trace-copy-for-ai.png') });
    } else {
      assert.match(copied, /`case \{n\}` × 2,499 \(chain\): retrieve → chat \* → judge/);
    }
  }
  assert.deepEqual(problems, []);
  await context.close();
});
