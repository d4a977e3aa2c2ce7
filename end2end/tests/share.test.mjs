// Share links in a real browser: made from the trace page, copied, opened in a
// fresh browser context (a teammate with only the link) on the slow span, showing
// nothing else of Loupe; revoked, the link answers 410 with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { api, hydrated, sendToolCall, shots, until, useLoupe, watchProblems } from './support.mjs';

const env = useLoupe();

test('a share link made on the trace page opens the span for a teammate, until revoked', async () => {
  const { traceId, spanId } = await sendToolCall(env.loupe.base, 2_500);
  const context = await env.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'], viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${env.loupe.base}/traces/${traceId}`);
  await hydrated(page);
  await page.getByTestId('share-panel').locator('summary').click();
  await page.getByTestId('share-expiry').selectOption('1h');
  await page.getByTestId('create-share').click();
  const url = await page.getByTestId('share-url').inputValue();
  assert.match(url, new RegExp(`^${env.loupe.base}/share/[0-9a-f]{64}$`));
  await page.getByTestId('copy-share').click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  await page.getByTestId('share-link').first().waitFor();
  assert.equal(await page.getByTestId('share-link').first().getAttribute('data-state'), 'active');
  await page.screenshot({ path: path.join(shots, 'share-panel.png') });

  // A teammate: a fresh context (no cookies, nothing shared) opens the link on the span.
  const teammate = await env.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const theirs = await teammate.newPage();
  const theirProblems = watchProblems(theirs);
  await theirs.goto(`${url}?span=${spanId}`);
  await hydrated(theirs);
  await theirs.getByTestId('shared-banner').waitFor();
  assert.equal(await theirs.getByTestId('trace-page').getAttribute('data-trace-id'), traceId);
  assert.match(await theirs.locator('.wf-row.selected').innerText(), /execute_tool search_hotels/);
  await theirs.getByTestId('span-detail').waitFor();
  assert.equal(await theirs.locator('.nav').count(), 0, 'no navigation to the rest of Loupe');
  assert.equal(await theirs.getByTestId('share-panel').count(), 0, 'a shared view cannot make more links');
  // Clicking another span stays on the shared URL.
  await theirs.locator('.wf-row').first().click();
  await theirs.waitForURL(/\/share\/[0-9a-f]{64}\?span=/);
  await theirs.screenshot({ path: path.join(shots, 'shared-trace.png') });
  assert.deepEqual(theirProblems, []);

  // Revoked from the trace page: the teammate's link stops working.
  await page.getByTestId('revoke-share').first().click();
  await until('revoked', async () => (await api(env.loupe.base, `/api/traces/${traceId}/shares`))[0].state === 'revoked');
  const gone = await theirs.goto(url);
  assert.equal(gone.status(), 410);
  assert.match(await theirs.getByTestId('error-page').innerText(), /revoked/);
  assert.deepEqual(problems, []);
  await teammate.close();
  await context.close();
});
