// Partner linkage in the browser: two nodes (a tracing office in Amman and
// a hospital in Beirut, each its own registry and `kinlink serve --hub`)
// and a real `kinlink hub` on 127.0.0.1. The hospital's patient reaches the
// tracing office's review queue as a match whose other side is "held by
// partner organisation beirut", with the pair's reference to quote; the
// officer proposes, confirms and records the decision the partner passed
// on, as a message (contact details are not offered: they are in the
// partner's registry). Both registries also hold 200 generated people, 100
// of them in both: the hub estimates its model from the data, and a
// handful of records is too few.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { KINLINK, accessibilityProblems, csv, launch, shot, signIn, startNode } from './lib.mjs';

const REQUEST = { id: 'AMN-1', given_name: 'Yusuf', family_name: 'Haddad', father_name: 'Karim', sex: 'm', birth_date: '2009-04-17', birth_place: 'Aleppo' };
const PATIENT = { id: 'BEY-7', given_name: 'Youssef', family_name: 'Haddad', father_name: 'Karim', sex: 'm', birth_date: '2009-04-17', birth_place: 'Aleppo', phone: '+961 70 000 777', status: 'in_hospital' };
const OTHERS = [
  { id: 'BEY-1', given_name: 'Zebulon', family_name: 'Quartermaine', sex: 'm', birth_date: '1950-01-01', birth_place: 'Perth', status: 'safe' },
  { id: 'BEY-2', given_name: 'Marguerite', family_name: 'Vandersloot', sex: 'f', birth_date: '1962-09-30', birth_place: 'Ghent', status: 'safe' },
];
const MESSAGE = 'Youssef is being treated in Beirut and asks his mother to call the Red Crescent.';

let browser;
let hub;
let hubDir;
let amman;
let beirut;

async function startHub(dir) {
  const server = spawn(KINLINK, ['hub', '--data', path.join(dir, 'hub'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  server.stderr.on('data', (d) => log.push(d.toString()));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`kinlink hub did not start: ${log.join('')}`)), 30000);
    server.stdout.on('data', (d) => {
      out += d.toString();
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
  });
  return { url, log, server };
}

before(async () => {
  hubDir = mkdtempSync(path.join(tmpdir(), 'kinlink-e2e-hub-'));
  const linkKey = path.join(hubDir, 'link.key');
  execFileSync(KINLINK, ['linkage-key', 'new', linkKey], { stdio: 'pipe' });
  hub = await startHub(hubDir);
  const generated = path.join(hubDir, 'generated.csv');
  execFileSync(KINLINK, ['generate', '--count', '200', '--seed', '7', '--out', generated], { stdio: 'pipe' });
  const keyFile = (node) => {
    const out = execFileSync(KINLINK, ['hub', 'node', 'add', node, '--data', path.join(hubDir, 'hub'), '--json'], { encoding: 'utf8' });
    const file = path.join(hubDir, `${node}.apikey`);
    writeFileSync(file, `${JSON.parse(out).api_key}\n`, { mode: 0o600 });
    return file;
  };
  const hubArgs = (node) => ['--hub', hub.url, '--api-key-file', keyFile(node), '--linkage-key-file', linkKey, '--hub-interval', '1'];
  beirut = await startNode('beirut', {
    serveArgs: hubArgs('beirut'),
    setup: (env, dir) => {
      const file = path.join(dir, 'patients.csv');
      writeFileSync(file, csv([...OTHERS, PATIENT]));
      execFileSync(KINLINK, ['import', '--kind', 'person', '--office', 'beirut-hospital', file], { env, stdio: 'pipe' });
      execFileSync(KINLINK, ['import', '--kind', 'person', '--office', 'beirut-hospital', generated], { env, stdio: 'pipe' });
    },
  });
  amman = await startNode('amman', {
    serveArgs: hubArgs('amman'),
    setup: (env, dir) => {
      const file = path.join(dir, 'requests.csv');
      writeFileSync(file, csv([REQUEST]));
      execFileSync(KINLINK, ['import', '--kind', 'request', '--office', 'aleppo', file], { env, stdio: 'pipe' });
      execFileSync(KINLINK, ['import', '--kind', 'person', '--office', 'aleppo', generated], { env, stdio: 'pipe' });
    },
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await amman?.stop();
  await beirut?.stop();
  hub?.server.kill('SIGTERM');
  if (hubDir) rmSync(hubDir, { recursive: true, force: true });
});

test('a partner match is reviewed and decided by the office holding the request', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(amman.url);
  await signIn(page, amman, 'officer');
  // The nodes exchange with the hub every second: wait for the pair of the
  // request (the generated people bring pairs of their own).
  const rowOfRequest = 'tr:has-text("Yusuf")';
  let row = null;
  for (let i = 0; i < 60 && !row; i++) {
    await page.goto(`${amman.url}/#/dashboard?t=${i}`);
    await page.waitForSelector('#queue-h');
    row = await page.$(rowOfRequest);
    if (!row) await new Promise((r) => setTimeout(r, 500));
  }
  const hubLines = (log) => log.join('').split('\n').filter((l) => l.startsWith('kinlink: hub')).join('\n');
  assert.ok(row, `no partner match arrived; amman: ${hubLines(amman.log)} beirut: ${hubLines(beirut.log)}`);
  assert.ok((await row.textContent()).includes('Held by partner organisation beirut'));

  await page.click(`${rowOfRequest} a[href^="#/matches/"]`);
  await page.waitForSelector('#partner-note');
  const note = await page.textContent('#partner-note');
  assert.match(note, /partner organisation beirut/);
  assert.match(note, /[0-9a-f]{32}/);
  const main = await page.textContent('main');
  assert.ok(main.includes('Yusuf'), 'the request held here is shown');
  for (const s of ['Youssef', PATIENT.phone, 'BEY-7', 'in_hospital']) assert.ok(!main.includes(s), `the partner's record shows: ${s}`);
  assert.ok(main.includes('The hub compared keyed encodings'));
  await shot(page, 'partner-review.png');
  assert.deepEqual(await accessibilityProblems(page), []);

  await page.click('#propose');
  await page.waitForSelector('#confirm');
  await page.click('#confirm');
  await page.waitForSelector('#to-disclosure');
  await page.click('#to-disclosure');
  await page.waitForSelector('#disclosure-partner');
  assert.equal(await page.$$eval('input[name=decision][value=contact]', (x) => x.length), 0, 'contact is not offered');
  await page.check('input[name=decision][value=message]');
  await page.fill('textarea[name=message]', MESSAGE);
  await shot(page, 'partner-disclosure.png');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.click('form button[type=submit]');
  await page.waitForSelector('#enquirer-view');
  assert.ok((await page.textContent('#enquirer-view')).includes(MESSAGE));

  // Neither server logged a name; the hub saw none.
  for (const s of ['Yusuf', 'Youssef', 'Haddad', PATIENT.phone]) {
    assert.ok(!amman.log.join('').includes(s), `amman's log holds ${s}`);
    assert.ok(!beirut.log.join('').includes(s), `beirut's log holds ${s}`);
    assert.ok(!hub.log.join('').includes(s), `the hub's log holds ${s}`);
  }
});
