// The home page in a real browser: server-rendered, hydrated, live after hydration.
// Runs the release `loupe` binary from a temporary directory, as a user would run a
// copied binary, with a fresh data directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bin = process.env.LOUPE_BIN ?? path.join(root, 'target/release/loupe');
const fixtures = path.resolve(root, '../shared/fixtures/otlp');
const shots = path.join(root, 'end2end/test-results');

let server;
let browser;
let base;
let dataDir;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitUntilUp(url) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`loupe did not start at ${url}`);
}

before(async () => {
  const port = await freePort();
  dataDir = mkdtempSync(path.join(tmpdir(), 'loupe-e2e-'));
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir], {
    cwd: tmpdir(),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOUPE_LOG: 'warn' },
  });
  await waitUntilUp(base);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('the home page is served, hydrates and refreshes live', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()}: ${r.url()}`));

  const response = await page.goto(base);
  assert.equal(response.status(), 200);
  assert.equal(await page.title(), 'Loupe');
  const traceCount = page.getByTestId('trace-count');
  await traceCount.filter({ hasText: /^0$/ }).waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('exporter-env').innerText(), new RegExp(`OTEL_EXPORTER_OTLP_ENDPOINT=${base}\\n`));

  // A trace arrives through OTLP while the page is open.
  const sent = await fetch(`${base}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: readFileSync(path.join(fixtures, 'genai.pb')),
  });
  assert.equal(sent.status, 200);

  // Refresh only works once the wasm has hydrated the page; keep clicking until it does.
  const deadline = Date.now() + 20_000;
  while ((await traceCount.innerText()) !== '1') {
    assert.ok(Date.now() < deadline, 'the page never hydrated: Refresh did not update the counts');
    await page.getByTestId('refresh').click();
    await page.waitForTimeout(250);
  }
  assert.equal(await page.getByTestId('span-count').innerText(), '7');
  assert.equal(await page.getByTestId('content-policy').getAttribute('data-policy'), 'hashed');
  await page.screenshot({ path: path.join(shots, 'home.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('an unknown page is a 404 with a readable message', async () => {
  const page = await browser.newPage();
  const response = await page.goto(`${base}/no/such/page`);
  assert.equal(response.status(), 404);
  assert.match(await page.locator('main').innerText(), /Page not found/);
});
