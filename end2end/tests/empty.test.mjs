// A fresh Loupe in a real browser: the empty state says how to send a first trace,
// and a trace sent while the page is open appears without a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixtures, hydrated, shots, useLoupe, watchProblems } from './support.mjs';


const env = useLoupe();

test('an empty Loupe shows how to send a first trace, then shows it live', async () => {
  const page = await env.browser.newPage();
  const problems = watchProblems(page);
  const response = await page.goto(env.loupe.base);
  assert.equal(response.status(), 200);
  assert.equal(await page.title(), 'Loupe');
  assert.equal(await page.getByTestId('trace-count').innerText(), '0');
  await page.getByTestId('empty-state').waitFor();
  assert.match(await page.getByTestId('exporter-env').innerText(), new RegExp(`OTEL_EXPORTER_OTLP_ENDPOINT=${env.loupe.base}\\n`));
  assert.match(await page.getByTestId('empty-state').innerText(), /loupe demo --endpoint/);
  assert.equal(await page.getByTestId('content-policy').getAttribute('data-policy'), 'hashed');
  await hydrated(page);
  await page.screenshot({ path: path.join(shots, 'empty.png'), fullPage: true });

  // A trace arrives through OTLP while the page is open; the list polls for it.
  const sent = await fetch(`${env.loupe.base}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: readFileSync(path.join(fixtures, 'genai.pb')),
  });
  assert.equal(sent.status, 200);
  await page.getByTestId('trace-row').first().waitFor({ timeout: 15_000 });
  await page.getByTestId('trace-count').filter({ hasText: /^1$/ }).waitFor();
  assert.equal(await page.getByTestId('span-count').innerText(), '7');
  assert.equal(await page.getByTestId('empty-state').count(), 0);
  assert.equal(page.url(), `${env.loupe.base}/`, 'no navigation happened');
  assert.deepEqual(problems, []);
});

test('an unknown page is a 404 with a readable message', async () => {
  const page = await env.browser.newPage();
  const response = await page.goto(`${env.loupe.base}/no/such/page`);
  assert.equal(response.status(), 404);
  assert.match(await page.locator('main').innerText(), /Page not found/);
});
