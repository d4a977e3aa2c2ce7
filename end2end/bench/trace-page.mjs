// Browser benchmark: how fast the 10,000-span demo trace opens and scrolls in
// Chromium. Not a test (timings vary by machine); prints a Markdown table for
// BENCHMARKS.md. Run after a release build: `cd end2end && npm run bench`.
import { startLoupe, launchBrowser, api } from '../tests/support.mjs';

const runs = Number(process.env.RUNS ?? 5);
const loupe = await startLoupe({ demo: true });
const browser = await launchBrowser();
const big = (await api(loupe.base, '/api/traces?q=evaluation&limit=1')).traces[0];

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const opened = [];
const interactive = [];
const frames = [];
let domRows = 0;
for (let i = 0; i < runs; i++) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const start = Date.now();
  await page.goto(`${loupe.base}/traces/${big.trace_id}`, { waitUntil: 'load' });
  opened.push(Date.now() - start);
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  interactive.push(Date.now() - start);
  // Scroll from top to bottom in 60 steps, one per animation frame, timing each frame.
  const f = await page.evaluate(async () => {
    const el = document.querySelector('[data-testid=waterfall]');
    const step = el.scrollHeight / 60;
    const times = [];
    let last = performance.now();
    for (let k = 1; k <= 60; k++) {
      el.scrollTop = k * step;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const now = performance.now();
      times.push((now - last) / 2);
      last = now;
    }
    return times;
  });
  frames.push(...f);
  domRows = Math.max(domRows, await page.getByTestId('span-row').count());
  await page.close();
}
console.log(`| measure (${runs} runs, 10,000-span trace, Chromium headless) | p50 | max |`);
console.log('|---|---|---|');
console.log(`| page loaded (ms) | ${pct(opened, 0.5)} | ${Math.max(...opened)} |`);
console.log(`| hydrated, interactive (ms) | ${pct(interactive, 0.5)} | ${Math.max(...interactive)} |`);
console.log(`| frame while scrolling (ms) | ${pct(frames, 0.5).toFixed(1)} | ${Math.max(...frames).toFixed(1)} |`);
console.log(`| span rows in the DOM at most | ${domRows} | |`);
await browser.close();
await loupe.stop();
