// The admin's and the auditor's pages: an admin adds an officer (who gets
// a TOTP secret shown once) and disables an account; an auditor reads the
// audit log, which names actions and ids but no person, and verifies it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accessibilityProblems, launch, setLanguage, shot, signIn, startNode } from './lib.mjs';

let browser;
let node;
before(async () => {
  browser = await launch();
  node = await startNode('staff');
});
after(async () => {
  await browser.close();
  await node.stop();
});

test('admin: accounts, offices, roles', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(node.url);
  await signIn(page, node, 'admin');
  await page.waitForSelector('#users-h');
  const users = await page.textContent('#users-h + table');
  for (const u of Object.values(node.users)) assert.ok(users.includes(u.name), u.name);
  assert.match(await page.textContent('#off-h + table'), /aleppo/);
  // Caseworkers may not see this page's data; the admin sees no records.
  await page.fill('input[name=name]', 'new.officer');
  await page.fill('input[name=office]', 'kharkiv');
  await page.selectOption('select[name=role]', 'officer');
  await page.fill('input[name=password]', 'short');
  await page.click('form button[type=submit]');
  assert.match(await page.textContent('form .field-error:not(:empty)'), /12 characters/);
  await page.fill('input[name=password]', 'a long enough password for e2e');
  await page.click('form button[type=submit]');
  const created = await page.waitForSelector('.success');
  assert.match(await created.textContent(), /new\.officer/);
  assert.match(await page.textContent('code.secret'), /^[A-Z2-7]{16,}$/);
  await shot(page, 'admin.png');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.click('.success button');
  await page.waitForSelector('#users-h');
  const row = page.locator('tr', { hasText: 'sami.caseworker' });
  await row.locator('button').click();
  await page.waitForSelector('.notice');
  assert.match(await page.locator('tr', { hasText: 'sami.caseworker' }).textContent(), /Disabled/);
  await page.close();
});

test('auditor: the audit log, verified', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(node.url);
  await setLanguage(page, 'uk');
  await signIn(page, node, 'auditor');
  await page.waitForSelector('table.audit');
  const log = await page.textContent('table.audit');
  assert.match(log, /user\.add/);
  assert.match(log, /login/);
  await page.click('#verify');
  const ok = await page.waitForSelector('.alert.ok');
  assert.match(await ok.textContent(), /\d+/);
  await shot(page, 'audit-uk.png');
  assert.deepEqual(await accessibilityProblems(page), []);
  // An auditor has no business in the records.
  await page.goto(node.url + '/#/dashboard');
  await page.waitForSelector('.alert.error');
  await page.close();
});
