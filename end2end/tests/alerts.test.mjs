// Alerts in a real browser: the canonical "tool call longer than 2 s" rule set up
// in the form (with a preview), a slow tool span arriving over OTLP, the webhook
// notification with its link, the firing in the history, and the link opening the
// trace on the slow span.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { api, hydrated, sendToolCall, shots, until, useLoupe, watchProblems } from './support.mjs';

// The test's receiver listens on loopback, which webhooks may reach only when allowed.
const env = useLoupe({ args: ['--webhook-allow', '127.0.0.1'] });

/** A webhook receiver on a free local port; `got` fills as notifications arrive. */
function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push(JSON.parse(body));
      res.end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ got, url: `http://127.0.0.1:${server.address().port}/hook`, close: () => server.close() })));
}

test('a slow tool call rule made in the form fires, notifies and links to the span', async () => {
  const hook = await receiver();
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 1200 } });
  const problems = watchProblems(page, { allowStatus: [400] });
  await page.goto(`${env.loupe.base}/alerts`);
  await hydrated(page);
  const started = Date.now();

  // The form starts as the canonical rule: kind tool, duration over 2000 ms.
  const form = page.getByTestId('rule-form');
  assert.equal(await form.getByTestId('rule-kind').inputValue(), 'tool');
  assert.equal(await form.getByTestId('rule-condition').inputValue(), 'span_duration');
  assert.equal(await form.getByTestId('rule-threshold').inputValue(), '2000');

  // A bad threshold is refused with a reason, and nothing is stored.
  await form.getByTestId('rule-threshold').fill('slow');
  await form.getByTestId('save-rule').click();
  assert.match(await page.getByTestId('rule-error').innerText(), /Threshold must be a number/);
  assert.deepEqual(await api(env.loupe.base, '/api/alerts/rules'), []);

  await form.getByTestId('rule-name').fill('Slow tool calls');
  await form.getByTestId('rule-threshold').fill('2000');
  await form.getByTestId('rule-url').fill(hook.url);
  // Notifications carry a share link, for teammates without an account.
  await form.getByTestId('rule-share').selectOption('24h');
  // One slow call already stored: the preview counts it.
  await sendToolCall(env.loupe.base, 3_000);
  await form.getByTestId('preview-rule').click();
  const preview = page.getByTestId('rule-preview');
  await preview.waitFor();
  assert.equal(await preview.getAttribute('data-firings'), '1');
  assert.match(await preview.innerText(), /would have fired 1 time and sent 1 notification after the cooldown/);
  await page.screenshot({ path: path.join(shots, 'alerts-form.png'), fullPage: true });

  await form.getByTestId('save-rule').click();
  await page.getByTestId('rule-saved').waitFor();
  const row = page.getByTestId('rule-row');
  await row.waitFor();
  assert.equal(await row.getByTestId('rule-row-name').innerText(), 'Slow tool calls');
  assert.match(await row.innerText(), /kind = tool/);
  assert.match(await row.innerText(), /duration > 2,000 ms/);
  const setUpSeconds = (Date.now() - started) / 1000;
  assert.ok(setUpSeconds < 60, `set up in ${setUpSeconds} s`);

  // A 2.5 s tool call arrives: one notification, linking to its span.
  await sendToolCall(env.loupe.base, 800);
  const slow = await sendToolCall(env.loupe.base, 2_500);
  await until('the notification', () => hook.got.length >= 1);
  assert.equal(hook.got.length, 1);
  const n = hook.got[0];
  assert.equal(n.span_id, slow.spanId);
  assert.equal(n.link, `${env.loupe.base}/traces/${slow.traceId}?span=${slow.spanId}`);
  assert.match(n.share_link, new RegExp(`^${env.loupe.base}/share/[0-9a-f]{64}\\?span=${slow.spanId}$`));

  // A teammate with only the notification's share link: a fresh browser context.
  const teammate = await env.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const theirs = await teammate.newPage();
  await theirs.goto(n.share_link);
  await hydrated(theirs);
  await theirs.getByTestId('shared-banner').waitFor();
  assert.match(await theirs.locator('.wf-row.selected').innerText(), /execute_tool search_hotels/);
  await theirs.getByTestId('span-detail').waitFor();
  await teammate.close();

  // The history shows it delivered; its link opens the trace on the slow span.
  await until('delivery recorded', async () => (await api(env.loupe.base, '/api/alerts/events'))[0]?.delivery === 'delivered');
  await page.goto(`${env.loupe.base}/alerts/history`);
  await hydrated(page);
  const firing = page.getByTestId('firing-row').first();
  assert.match(await firing.getByTestId('firing-summary').innerText(), /execute_tool search_hotels took 2,500 ms \(> 2,000 ms\)/);
  assert.equal(await firing.getByTestId('firing-delivery').innerText(), 'delivered');
  await page.screenshot({ path: path.join(shots, 'alerts-history.png'), fullPage: true });
  await firing.getByTestId('firing-link').click();
  await page.waitForURL(new RegExp(`/traces/${slow.traceId}\\?span=${slow.spanId}`));
  await page.locator('.wf-row.selected').waitFor();
  assert.match(await page.locator('.wf-row.selected').innerText(), /execute_tool search_hotels/);
  assert.deepEqual(problems, []);
  hook.close();
});

test('a rule is paused, resumed, edited and deleted from its row', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1440, height: 1100 } });
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/alerts`);
  await hydrated(page);
  const row = page.getByTestId('rule-row').first();
  await row.getByTestId('pause-rule').click();
  await until('paused', async () => (await api(env.loupe.base, '/api/alerts/rules'))[0].paused === true);
  await row.locator('.paused-chip').waitFor();
  await row.getByTestId('pause-rule').click();
  await until('resumed', async () => (await api(env.loupe.base, '/api/alerts/rules'))[0].paused === false);

  await row.getByTestId('edit-rule').click();
  await page.waitForURL(/edit=\d+/);
  const form = page.getByTestId('rule-form');
  await until('the form prefilled', async () => (await form.getByTestId('rule-name').inputValue()) === 'Slow tool calls');
  assert.equal(await form.getByTestId('rule-url').inputValue().then((v) => v.startsWith('http://127.0.0.1:')), true);
  await form.getByTestId('rule-threshold').fill('5000');
  await form.getByTestId('save-rule').click();
  await until('saved', async () => (await api(env.loupe.base, '/api/alerts/rules'))[0].condition.threshold_ms === 5000);
  assert.equal((await api(env.loupe.base, '/api/alerts/rules')).length, 1, 'edited, not added');

  await page.goto(`${env.loupe.base}/alerts`);
  await hydrated(page);
  await page.getByTestId('rule-row').first().getByTestId('delete-rule').click();
  await until('deleted', async () => (await api(env.loupe.base, '/api/alerts/rules')).length === 0);
  // The history keeps the firing of the deleted rule.
  assert.equal((await api(env.loupe.base, '/api/alerts/events')).length, 1);
  assert.deepEqual(problems, []);
});

test('copy link puts the permalink of the open span on the clipboard', async () => {
  const { traceId, spanId } = await sendToolCall(env.loupe.base, 1_200);
  const context = await env.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/traces/${traceId}?span=${spanId}`);
  await hydrated(page);
  await page.getByTestId('copy-link').click();
  await until('copied', async () => (await page.getByTestId('copy-link').innerText()) === 'Link copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${env.loupe.base}/traces/${traceId}?span=${spanId}`);
  assert.deepEqual(problems, []);
  await context.close();
});
