// Export and import in a real browser: a trace downloaded from one Loupe's trace
// page and uploaded on another Loupe's list page arrives with the same ids, and
// with its log records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, hydrated, sendToolCall, startLoupe, until, useLoupe, watchProblems } from './support.mjs';

const env = useLoupe();

test('a trace exported from one Loupe is imported into another from the list page', async () => {
  const { traceId, spanId } = await sendToolCall(env.loupe.base, 1_800);
  const record = {
    timeUnixNano: (BigInt(Date.now()) * 1_000_000n).toString(),
    severityNumber: 13,
    body: { stringValue: 'card issuer slow, retrying' },
    traceId,
    spanId,
  };
  const logs = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeLogs: [{ logRecords: [record] }] }] };
  const sent = await fetch(`${env.loupe.base}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(logs) });
  assert.equal(sent.status, 200, await sent.text());
  const other = await startLoupe();
  try {
    const context = await env.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${env.loupe.base}/traces/${traceId}`);
    await hydrated(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    assert.equal(download.suggestedFilename(), `trace-${traceId}.json`);
    const file = await download.path();

    await page.goto(`${other.base}/`);
    await hydrated(page);
    await page.getByTestId('import-file').setInputFiles(file);
    await until('imported', async () => (await page.getByTestId('import-status').innerText()).startsWith('Imported '));
    const imported = await api(other.base, `/api/traces/${traceId}`);
    assert.deepEqual(imported.spans.map((s) => s.span_id).sort(), (await api(env.loupe.base, `/api/traces/${traceId}`)).spans.map((s) => s.span_id).sort());
    assert.ok(imported.spans.some((s) => s.span_id === spanId));
    const importedLogs = await api(other.base, `/api/traces/${traceId}/logs`);
    assert.deepEqual(importedLogs.logs.map((l) => [l.body, l.span_id, l.service]), [['card issuer slow, retrying', spanId, 'checkout']]);
    // The live list shows it.
    await page.locator(`[data-trace-id="${traceId}"]`).first().waitFor({ timeout: 15_000 });

    // A file that is not OTLP/JSON is refused with the reason, and nothing is stored.
    const before = await api(other.base, '/api/stats/summary');
    await page.getByTestId('import-file').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": ') });
    await until('refused', async () => (await page.getByTestId('import-status').innerText()).startsWith('Import failed (400)'));
    assert.deepEqual(await api(other.base, '/api/stats/summary'), before);
    assert.deepEqual(problems.filter((p) => !p.startsWith('400:') && !p.includes('status of 400')), []);
    await context.close();
  } finally {
    await other.stop();
  }
});
