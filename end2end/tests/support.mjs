// Shared by the browser specs: run the real release `loupe` binary from a temporary
// directory with a fresh data directory (as a user would run a copied binary), fill
// it with `loupe demo` when asked, and drive Debian's Chromium.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const bin = process.env.LOUPE_BIN ?? path.join(root, 'target/release/loupe');
export const fixtures = path.resolve(root, '../shared/fixtures/otlp');
export const shots = path.join(root, 'end2end/test-results');

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

/** The first admin of a Loupe started with `auth`. */
export const admin = { name: 'ada', password: "ada's long password" };

/**
 * Starts Loupe; with `demo`, sends the demo traces and waits until they are stored;
 * with `auth`, sign-in is required and the first admin is `admin` (from the
 * environment, as an operator would set it); `args` are more `serve` flags.
 */
export async function startLoupe({ demo = false, auth = false, args = [] } = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'loupe-e2e-'));
  const base = `http://127.0.0.1:${port}`;
  const authEnv = auth ? { LOUPE_AUTH: 'true', LOUPE_ADMIN_USER: admin.name, LOUPE_ADMIN_PASSWORD: admin.password } : {};
  const server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--grpc-addr', 'off', '--data-dir', dataDir, ...args], {
    cwd: tmpdir(),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOUPE_LOG: 'warn', ...authEnv },
  });
  await waitUntilUp(base);
  if (demo) {
    // `loupe demo` exits once every request was acknowledged, i.e. stored.
    await promisify(execFile)(bin, ['demo', '--endpoint', base], { cwd: tmpdir() });
  }
  return {
    base,
    async stop() {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Collects page errors, console errors, failed requests and HTTP errors. */
export function watchProblems(page, { allowStatus = [] } = {}) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !allowStatus.length && problems.push(`console: ${m.text()}`));
  // ERR_ABORTED is the page itself cancelling a request (a navigation leaving before
  // the favicon arrived), not a failure of Loupe's.
  page.on('requestfailed', (r) => r.failure()?.errorText !== 'net::ERR_ABORTED' && problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && !allowStatus.includes(r.status()) && problems.push(`${r.status()}: ${r.url()}`));
  return problems;
}

/** Waits until the wasm has hydrated the page (the entry point marks `<html>`). */
export async function hydrated(page) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 20_000 });
}

export async function api(base, p) {
  const r = await fetch(`${base}${p}`);
  if (!r.ok) throw new Error(`${p}: ${r.status}`);
  return r.json();
}

/**
 * One Loupe (fresh data directory, demo data if asked) and one browser for a spec
 * file: started before its first test, stopped after its last. Read `env.loupe`
 * and `env.browser` inside tests. `setup(env)` runs once both are up (node:test
 * does not wait for one root hook before starting the next).
 */
export function useLoupe(options = {}, setup = async () => {}) {
  const env = { loupe: undefined, browser: undefined };
  before(async () => {
    env.loupe = await startLoupe(options);
    env.browser = await launchBrowser();
    await setup(env);
  });
  after(async () => {
    await env.browser?.close();
    await env.loupe?.stop();
  });
  return env;
}

/** Sends one trace over OTLP/HTTP JSON: a root and a tool call of `ms` (with `apiKey`
 * as `x-api-key`, for a Loupe with auth). */
export async function sendToolCall(base, ms, { apiKey } = {}) {
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const end = BigInt(Date.now()) * 1_000_000n;
  const start = end - BigInt(ms) * 1_000_000n;
  const str = (key, v) => ({ key, value: { stringValue: v } });
  const body = {
    resourceSpans: [{
      resource: { attributes: [str('service.name', 'booking-agent')] },
      scopeSpans: [{
        scope: { name: 'e2e' },
        spans: [
          { traceId, spanId: rootId, name: 'POST /book', kind: 2, startTimeUnixNano: String(start - 100_000_000n), endTimeUnixNano: String(end), attributes: [str('gen_ai.operation.name', 'invoke_agent')] },
          { traceId, spanId, parentSpanId: rootId, name: 'execute_tool search_hotels', kind: 1, startTimeUnixNano: String(start), endTimeUnixNano: String(end), attributes: [str('gen_ai.operation.name', 'execute_tool'), str('gen_ai.tool.name', 'search_hotels')] },
        ],
      }],
    }],
  };
  const headers = { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) };
  const r = await fetch(`${base}/v1/traces`, { method: 'POST', headers, body: JSON.stringify(body) });
  assert.equal(r.status, 200);
  return { traceId, spanId };
}

/** Polls `check` until it holds (or throws after `ms`). */
export async function until(what, check, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
