// Access control in a real browser, on a Loupe started with --auth: pages send a
// signed-out visitor to sign in and back; an admin makes an API key on the Access
// page and spans sent with it show up; a member sees no management forms; a
// teammate with only a share link opens the slow span without an account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { admin, hydrated, sendToolCall, shots, useLoupe, watchProblems } from './support.mjs';

const env = useLoupe({ auth: true });

async function signIn(page, base, name, password) {
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

test('sign in, make an API key, send spans with it, add a member', async () => {
  const base = env.loupe.base;
  const context = await env.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'], viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const problems = watchProblems(page);

  // Signed out: the page asked for sends to sign-in, which comes back to it.
  await page.goto(`${base}/alerts`);
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.getByTestId('login-form').waitFor();
  await page.screenshot({ path: path.join(shots, 'login.png') });
  await page.getByTestId('login-name').fill(admin.name);
  await page.getByTestId('login-password').fill('not the password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-failed').waitFor();
  await signIn(page, base, admin.name, admin.password);
  assert.equal(new URL(page.url()).pathname, '/alerts');
  assert.equal(await page.getByTestId('account-name').innerText(), admin.name);

  // Without a key, spans are refused.
  const refused = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(refused.status, 401);

  // The Access page makes a key, shown once, with the line an SDK needs.
  await page.getByRole('link', { name: 'Access' }).click();
  await page.waitForURL(`${base}/access`);
  await hydrated(page);
  await page.getByTestId('key-name').fill('booking-agent prod');
  await page.getByTestId('create-key').click();
  const key = await page.getByTestId('new-key').inputValue();
  assert.match(key, /^loupe_[0-9a-f]{64}$/);
  await page.getByTestId('copy-key').click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
  assert.match(await page.getByTestId('key-made').innerText(), /OTEL_EXPORTER_OTLP_HEADERS=x-api-key=loupe_/);
  await page.getByTestId('key-row').first().waitFor();
  await page.screenshot({ path: path.join(shots, 'access.png'), fullPage: true });

  const { traceId } = await sendToolCall(base, 2_500, { apiKey: key });
  await page.goto(`${base}/`);
  await page.locator(`[data-trace-id="${traceId}"]`).first().waitFor();

  // A member: added on the page, signed in elsewhere, sees the lists but no forms.
  await page.goto(`${base}/access`);
  await hydrated(page);
  await page.getByTestId('account-name-input').fill('bob');
  await page.getByTestId('account-password').fill("bob's long password");
  await page.getByTestId('add-account').click();
  await page.getByTestId('account-row').filter({ hasText: 'bob' }).waitFor();
  const other = await env.browser.newContext();
  const bob = await other.newPage();
  await bob.goto(`${base}/access`);
  await signIn(bob, base, 'bob', "bob's long password");
  assert.equal(new URL(bob.url()).pathname, '/access');
  await bob.getByTestId('keys').waitFor();
  assert.equal(await bob.getByTestId('key-form').count(), 0);
  assert.equal(await bob.getByTestId('account-form').count(), 0);
  assert.equal(await bob.getByTestId('revoke-key').count(), 0);

  // Revoked on the page: the key's next export is refused.
  await page.getByTestId('revoke-key').first().click();
  await page.getByTestId('key-state').filter({ hasText: 'revoked' }).waitFor();
  const after = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: '{}' });
  assert.equal(after.status, 401);

  // Sign-out: back to the sign-in page, and pages are closed again.
  await page.getByTestId('sign-out').click();
  await page.waitForURL(/\/login/);
  await page.goto(`${base}/`);
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.deepEqual(problems, []);
  await other.close();
  await context.close();
});

test('a teammate with only a share link opens the slow span, and nothing else', async () => {
  const base = env.loupe.base;
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await signIn(page, base, admin.name, admin.password);
  // An ingest key made through the API with the admin's session.
  const cookie = (await context.cookies()).find((c) => c.name === 'loupe_session');
  assert.ok(cookie.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(cookie.sameSite, 'Lax');
  const made = await page.evaluate(async () => (await fetch('/api/keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'e2e' }) })).json());
  const { traceId, spanId } = await sendToolCall(base, 2_500, { apiKey: made.key });
  await page.goto(`${base}/traces/${traceId}`);
  await hydrated(page);
  await page.getByTestId('share-panel').locator('summary').click();
  await page.getByTestId('create-share').click();
  const url = await page.getByTestId('share-url').inputValue();

  const teammate = await env.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const theirs = await teammate.newPage();
  const problems = watchProblems(theirs);
  await theirs.goto(`${url}?span=${spanId}`);
  await hydrated(theirs);
  await theirs.getByTestId('span-detail').waitFor();
  assert.match(await theirs.locator('.wf-row.selected').innerText(), /execute_tool search_hotels/);
  // Another span of the same trace loads through the link, after hydration.
  await theirs.locator('.wf-row').first().click();
  await theirs.waitForURL(/\/share\/[0-9a-f]{64}\?span=/);
  await theirs.getByTestId('span-detail').waitFor();
  assert.equal(await theirs.getByTestId('sign-out').count(), 0);
  assert.deepEqual(problems, []);
  // The rest of Loupe asks them to sign in.
  await theirs.goto(`${base}/traces/${traceId}`);
  assert.equal(new URL(theirs.url()).pathname, '/login');
  await teammate.close();
  await context.close();
});
