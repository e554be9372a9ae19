// The tracing workflow through the web UI, in a real browser, in English,
// Arabic (right to left) and French: sign in with a TOTP code, register a
// tracing request written in Arabic script, import a hospital's list of
// persons (with one bad row), find the match in the review queue, read the
// evidence, propose and confirm it, record the found person's disclosure
// decision, and check that the enquirer view shows exactly what that
// decision allows. Screenshots of every page go to ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  accessibilityProblems, csv, launch, setLanguage, shot, signIn, startNode,
} from './lib.mjs';

// The found person's whereabouts and contact: never on a match page; on the
// enquirer view only as the decision allows.
const PERSON = {
  id: 'H-001', given_name: 'Mohamad', family_name: 'Alhasan', father_name: 'Khaled', sex: 'm',
  birth_date: '1987-03-12', birth_place: 'Homs', address: '12 Hospital Street', locality: 'Gaziantep',
  region: 'Gaziantep', country: 'TR', last_known_place: 'Gaziantep State Hospital',
  phone: '+90 555 010 2030', email: 'm.alhasan@example.org', status: 'in_hospital',
};
const OTHER = {
  id: 'H-002', given_name: 'Olena', family_name: 'Kovalenko', sex: 'f', birth_date: '1979-06-01',
  birth_place: 'Kharkiv', locality: 'Przemyśl', country: 'PL', phone: '+48 500 000 111', status: 'safe',
};
const BAD = { id: 'H-003', given_name: 'Yusuf', family_name: 'Haddad', birth_date: '1990-02-30' };
const HOSPITAL_LIST = csv([PERSON, OTHER, BAD]);
const SECRETS = [PERSON.phone, PERSON.email, PERSON.address, PERSON.last_known_place];

const RUNS = [
  { lang: 'en', decision: 'contact', withhold: ['phone'], shows: [PERSON.email, PERSON.address], hides: [PERSON.phone] },
  { lang: 'ar', decision: 'message', message: 'أنا بخير في المستشفى، سأتصل بكم قريبًا', shows: [], hides: SECRETS },
  { lang: 'fr', decision: 'alive_and_well', shows: [], hides: SECRETS, keyboard: true },
];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

for (const run of RUNS) {
  describe(`workflow in ${run.lang}`, () => {
    let node;
    let page;
    const a11y = [];
    const pageErrors = [];
    const check = async (name) => {
      for (const p of await accessibilityProblems(page)) a11y.push(`${name}: ${p}`);
    };
    before(async () => {
      node = await startNode(run.lang);
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
    });
    after(async () => {
      await page.context().close();
      const log = node.log.join('');
      await node.stop();
      // The server's log names routes, never people.
      for (const s of [...SECRETS, PERSON.given_name, PERSON.family_name, 'محمد', 'الحسن']) {
        assert.ok(!log.includes(s), `the server log holds ${s}`);
      }
    });

    test('signs in with the second factor', async () => {
      await page.goto(node.url);
      await setLanguage(page, run.lang);
      assert.equal(await page.getAttribute('html', 'dir'), run.lang === 'ar' ? 'rtl' : 'ltr');
      await shot(page, `${run.lang}-01-login.png`);
      await check('login');
      await signIn(page, node, 'officer', { keyboard: run.keyboard });
      await page.waitForSelector('#queue-h');
      assert.match(await page.textContent('.who'), /amal\.officer/);
    });

    let requestId;
    test('registers a tracing request written in Arabic script', async () => {
      await page.click('nav a[href="#/register"]');
      await page.waitForSelector('input[name=given_name]');
      await page.fill('input[name=given_name]', 'محمد');
      await page.fill('input[name=family_name]', 'الحسن');
      await page.fill('input[name=father_name]', 'خالد');
      await page.selectOption('select[name=sex]', 'm');
      await page.fill('input[name=birth_date]', '1988');
      await page.fill('input[name=birth_place]', 'حمص');
      await page.fill('input[name=enquirer_name]', 'ليلى الحسن');
      await page.fill('input[name=relationship]', 'أم');
      await page.fill('input[name=enquirer_phone]', '+963 900 000 001');
      await shot(page, `${run.lang}-02-register.png`);
      await check('register');
      await page.click('form button[type=submit]');
      const done = await page.waitForSelector('.success');
      const text = await done.textContent();
      const m = /KL-(\d+)/.exec(text);
      assert.ok(m, `no registry id in "${text}"`);
      requestId = Number(m[1]);
    });

    test('imports a list of persons: preview of columns and refused rows, then import', async () => {
      await page.click('nav a[href="#/import"]');
      await page.waitForSelector('input[type=file]');
      await page.selectOption('select[name=kind]', 'person');
      await page.setInputFiles('input[type=file]', {
        name: 'hospital-list.csv', mimeType: 'text/csv', buffer: Buffer.from(HOSPITAL_LIST),
      });
      await page.click('form button[type=submit]');
      await page.waitForSelector('#import-commit');
      const preview = await page.textContent('.preview');
      // Every header column is listed with how it is read.
      for (const column of ['given_name', 'birth_date', 'phone']) assert.ok(preview.includes(column), column);
      // The impossible date is refused, by line and column, without its value.
      const rejects = await page.$$eval('.rejects tbody tr', (rows) => rows.map((r) => r.textContent));
      assert.equal(rejects.length, 1);
      assert.match(rejects[0], /^4/);
      assert.match(rejects[0], /birth_date/);
      assert.ok(!rejects[0].includes('1990-02-30'));
      await shot(page, `${run.lang}-03-import-preview.png`);
      await check('import preview');
      await page.click('#import-commit');
      const done = await page.waitForSelector('.preview .success');
      assert.match(await done.textContent(), /2/);
    });

    let matchHref;
    test('sees the match in the review queue', async () => {
      await page.click('nav a[href="#/dashboard"]');
      await page.waitForSelector('#queue-h');
      const links = await page.$$('a[href^="#/matches/"]');
      assert.ok(links.length >= 1, 'no match in the queue');
      matchHref = await links[0].getAttribute('href');
      const caseload = await page.textContent('#cases-h + table');
      assert.ok(caseload.includes(`KL-${requestId}`));
      await shot(page, `${run.lang}-04-dashboard.png`);
      await check('dashboard');
    });

    test('reviews the evidence, proposes and confirms', async () => {
      await page.goto(node.url + '/' + matchHref);
      await page.waitForSelector('.waterfall');
      const body = await page.textContent('main');
      // Both sides, side by side; the found person's whereabouts never.
      assert.ok(body.includes('محمد') && body.includes(PERSON.given_name));
      for (const s of SECRETS) assert.ok(!body.includes(s), `match page shows ${s}`);
      // The waterfall: the starting point, the fields, the total.
      const rows = await page.$$eval('.wf-row', (r) => r.map((x) => x.className));
      assert.ok(rows.length >= 5);
      assert.ok(rows.some((c) => c.includes(' up')), 'no field speaks for the match');
      await shot(page, `${run.lang}-05-review.png`);
      await check('review');
      if (run.lang === 'en') {
        // The review page in the four languages, and on a 360 px phone.
        for (const l of ['fr', 'ar', 'uk']) {
          await setLanguage(page, l);
          await page.waitForSelector('.waterfall');
          await shot(page, `review-${l}.png`);
        }
        await setLanguage(page, 'en');
        await page.waitForSelector('.waterfall');
        await shot(page, 'review-en.png');
      }
      if (run.keyboard) {
        // Keyboard only: Tab from the top of the page reaches the button.
        await page.focus('#skip');
        let reached = false;
        for (let i = 0; i < 80 && !reached; i++) {
          await page.keyboard.press('Tab');
          reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'propose');
        }
        assert.ok(reached, 'Tab never reached the propose button');
        await page.keyboard.press('Enter');
      } else {
        await page.click('#propose');
      }
      await page.waitForSelector('#confirm');
      await page.click('#confirm');
      await page.waitForSelector('#to-disclosure');
      assert.match(await page.textContent('.summary'), /./);
    });

    test('the enquirer is told nothing before the disclosure decision', async () => {
      await page.goto(`${node.url}/#/cases/${requestId}`);
      await page.waitForSelector('#enquirer-view');
      const view = await page.textContent('#enquirer-view');
      for (const s of SECRETS) assert.ok(!view.includes(s));
      assert.equal(await page.$$eval('#enquirer-view dd', (d) => d.length), 0);
    });

    test('records the disclosure decision; the enquirer view respects it', async () => {
      await page.goto(node.url + '/' + matchHref);
      await page.click('#to-disclosure');
      await page.waitForSelector(`input[name=decision][value=${run.decision}]`);
      await page.check(`input[name=decision][value=${run.decision}]`);
      if (run.message) await page.fill('textarea[name=message]', run.message);
      for (const w of run.withhold || []) await page.check(`input[name=withhold][value=${w}]`);
      await shot(page, `${run.lang}-06-disclosure.png`);
      await check('disclosure');
      await page.click('form button[type=submit]');
      await page.waitForSelector('#enquirer-view');
      const view = await page.textContent('#enquirer-view');
      for (const s of run.shows) assert.ok(view.includes(s), `enquirer view lacks ${s}`);
      for (const s of run.hides) assert.ok(!view.includes(s), `enquirer view shows ${s}`);
      if (run.message) assert.ok(view.includes(run.message));
      const timeline = await page.$$eval('.timeline li', (l) => l.length);
      assert.ok(timeline >= 3, 'the timeline is too short');
      await shot(page, `${run.lang}-07-case.png`);
      await check('case');
      await page.click('.actions button.primary');
      await page.waitForSelector('.steps li.current');
      assert.match(await page.textContent('.notice'), /./);
    });

    if (run.lang === 'en') {
      test('search finds the person across scripts', async () => {
        await page.click('nav a[href="#/search"]');
        await page.waitForSelector('input[name=name]');
        await page.fill('input[name=name]', 'محمد الحسن');
        await page.click('form button[type=submit]');
        await page.waitForSelector('.results table');
        const first = await page.textContent('.results tbody tr:first-child');
        assert.ok(first.includes('Mohamad Alhasan') || first.includes('محمد'), first);
        await shot(page, 'en-08-search.png');
        await check('search');
      });

      test('works on a 360 px wide phone without sideways scrolling', async () => {
        await page.setViewportSize({ width: 360, height: 740 });
        for (const [l, hash, sel] of [['ar', matchHref, '.waterfall'], ['en', '#/dashboard', '#queue-h']]) {
          await setLanguage(page, l);
          await page.goto(node.url + '/' + hash);
          await page.waitForSelector(sel);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= 362, `${hash} is ${width} px wide at 360`);
          await shot(page, `phone-360-${l}-${hash.split('/')[1]}.png`);
        }
        await setLanguage(page, 'en');
        await page.setViewportSize({ width: 1280, height: 900 });
      });
    }

    test('no page error and no serious accessibility problem', () => {
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(a11y, []);
    });
  });
}
