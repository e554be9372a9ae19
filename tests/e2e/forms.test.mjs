// Bad input in forms gets an inline message next to the field, and nothing
// the user typed is lost: empty name, impossible and future dates, a bad
// age, a wrong TOTP code, a file of the wrong type, an oversized upload, a
// CSV the server refuses as a whole.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, PASSWORD, shot, signIn, startNode } from './lib.mjs';

let browser;
let node;
let page;
const pageErrors = [];
before(async () => {
  browser = await launch();
  node = await startNode('forms');
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
after(async () => {
  await browser.close();
  await node.stop();
  assert.deepEqual(pageErrors, []);
});

const errorOf = (name) => page.$eval(`[name=${name}]`, (el) => {
  const ids = (el.getAttribute('aria-describedby') || '').split(' ');
  const err = ids.map((id) => document.getElementById(id)).find((x) => x && x.classList.contains('field-error'));
  return { text: err ? err.textContent : '', invalid: el.getAttribute('aria-invalid') === 'true' };
});

test('a wrong second-factor code is refused with one message; the user name stays', async () => {
  await page.goto(node.url);
  await page.waitForSelector('input[name=user]');
  await page.fill('input[name=user]', node.users.officer.name);
  await page.fill('input[name=password]', PASSWORD);
  await page.fill('input[name=totp]', '12ab');
  await page.click('form button[type=submit]');
  assert.match((await errorOf('totp')).text, /6 to 8 digits/);
  await page.fill('input[name=totp]', '000000');
  await page.click('form button[type=submit]');
  const alert = await page.waitForSelector('.alert.error');
  assert.match(await alert.textContent(), /Sign-in failed/);
  assert.equal(await page.inputValue('input[name=user]'), node.users.officer.name);
});

test('register: empty name, impossible date, future date, bad age; typed values kept', async () => {
  // A sign-in that works (a fresh page: the failed one above counts toward lockout only).
  await page.goto(node.url + '/#/login');
  await signIn(page, node, 'caseworker');
  await page.click('nav a[href="#/register"]');
  await page.waitForSelector('input[name=given_name]');
  await page.click('form button[type=submit]');
  assert.match((await errorOf('given_name')).text, /at least one name/);
  assert.ok((await errorOf('given_name')).invalid);
  assert.equal(await page.evaluate(() => document.activeElement.name), 'given_name');

  await page.fill('input[name=family_name]', 'Петренко');
  await page.fill('textarea[name=notes]', 'Seen near the station');
  await page.fill('input[name=birth_date]', '2023-02-30');
  await page.fill('input[name=last_seen_date]', '2999-01-01');
  await page.fill('input[name=age]', 'about forty');
  await page.click('form button[type=submit]');
  assert.equal((await errorOf('given_name')).text, '');
  assert.match((await errorOf('birth_date')).text, /does not exist/);
  assert.match((await errorOf('last_seen_date')).text, /future/);
  assert.match((await errorOf('age')).text, /whole years/);
  assert.match(await page.textContent('.form-status'), /need attention/);
  await shot(page, 'forms-register-errors.png');
  // Nothing typed was lost.
  assert.equal(await page.inputValue('input[name=family_name]'), 'Петренко');
  assert.equal(await page.inputValue('textarea[name=notes]'), 'Seen near the station');
  assert.equal(await page.inputValue('input[name=birth_date]'), '2023-02-30');

  // Switching between request and person keeps the fields both have.
  await page.check('input[name=kind][value=person]');
  await page.waitForSelector('select[name=status]');
  assert.equal(await page.inputValue('input[name=family_name]'), 'Петренко');
  assert.equal(await page.inputValue('textarea[name=notes]'), 'Seen near the station');
  await page.check('input[name=kind][value=request]');
  await page.waitForSelector('input[name=enquirer_name]');
  assert.equal(await page.inputValue('input[name=family_name]'), 'Петренко');

  // The hint reads a partial date back without day/month doubt.
  await page.fill('input[name=birth_date]', '1984-03');
  assert.match(await page.textContent('.field:has(input[name=birth_date]) .hint'), /March 1984/);
  await page.fill('input[name=last_seen_date]', '2026-10');
  await page.fill('input[name=age]', '40-45');
  await page.click('form button[type=submit]');
  const done = await page.waitForSelector('.success');
  assert.match(await done.textContent(), /KL-\d+/);
});

test('import: wrong file type, oversized file, a file the server refuses', async () => {
  await page.click('nav a[href="#/import"]');
  await page.waitForSelector('input[type=file]');
  await page.selectOption('select[name=kind]', 'request');
  await page.click('form button[type=submit]');
  assert.match((await errorOf('file')).text, /Choose a CSV file/);

  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  await page.setInputFiles('input[type=file]', { name: 'photo.png', mimeType: 'image/png', buffer: png });
  await page.click('form button[type=submit]');
  assert.match((await errorOf('file')).text, /not a CSV file/);
  await shot(page, 'forms-import-wrong-type.png');

  const big = Buffer.alloc(9 * 1024 * 1024, 'a');
  await page.setInputFiles('input[type=file]', { name: 'huge.csv', mimeType: 'text/csv', buffer: big });
  await page.click('form button[type=submit]');
  assert.match((await errorOf('file')).text, /larger than 8 MB/);

  // A CSV without any name column: refused as a whole, with the server's reason.
  await page.setInputFiles('input[type=file]', {
    name: 'no-names.csv', mimeType: 'text/csv', buffer: Buffer.from('id,phone\n1,+380 44 000 0000\n'),
  });
  await page.click('form button[type=submit]');
  const alert = await page.waitForSelector('.form-status .alert.error');
  assert.match(await alert.textContent(), /name/);
  // The choice of kind is kept.
  assert.equal(await page.inputValue('select[name=kind]'), 'request');
});
