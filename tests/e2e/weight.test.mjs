// The first load: every byte the browser fetches before the sign-in form
// is ready (compressed, as sent), against the 300 KB budget; and how long
// that takes on an emulated 2G link (printed, not asserted). A second
// visit revalidates with 304s instead of downloading again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, shot, startNode } from './lib.mjs';

const BUDGET_BYTES = 300 * 1024;
// A 2G-class link: 250 kbit/s down, 50 kbit/s up, 300 ms round trip.
const SLOW_2G = { offline: false, latency: 300, downloadThroughput: 250000 / 8, uploadThroughput: 50000 / 8 };

let browser;
let node;
before(async () => {
  browser = await launch();
  node = await startNode('weight');
});
after(async () => {
  await browser.close();
  await node.stop();
});

async function load(page, cdp) {
  const bytes = new Map();
  const statuses = [];
  cdp.on('Network.responseReceived', (e) => statuses.push([e.response.url, e.response.status]));
  cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
  const t0 = Date.now();
  await page.goto(node.url, { waitUntil: 'load' });
  await page.waitForSelector('form input[name=user]');
  const ms = Date.now() - t0;
  await page.waitForLoadState('networkidle');
  return { total: [...bytes.values()].reduce((a, b) => a + b, 0), ms, statuses };
}

test('the first load stays under 300 KB and works on 2G', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const first = await load(page, cdp);
  console.log(`first load: ${first.total} bytes on the wire (budget ${BUDGET_BYTES}), ${first.statuses.length} responses`);
  assert.ok(first.total < BUDGET_BYTES, `${first.total} bytes`);
  assert.ok(first.total > 1000, 'nothing measured');

  await cdp.send('Network.emulateNetworkConditions', SLOW_2G);
  const slow = await load(page, cdp);
  console.log(`sign-in form ready on emulated 2G (250 kbit/s, 300 ms RTT), cold cache: ${slow.ms} ms`);
  await shot(page, 'weight-login-2g.png');
  await context.close();
});

test('a second visit revalidates (304) instead of downloading again', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await load(page, cdp);
  const again = await load(page, cdp);
  const assets = again.statuses.filter(([u]) => /\.(js|css|svg)$/.test(u));
  assert.ok(assets.length >= 2);
  for (const [u, s] of assets) assert.ok(s === 304 || s === 200, `${u} ${s}`);
  assert.ok(assets.some(([, s]) => s === 304), 'no asset was revalidated');
  console.log(`second visit: ${again.total} bytes on the wire`);
  await context.close();
});
