// What the browser tests share: a real `kinlink serve` on 127.0.0.1 over a
// fresh registry with four staff accounts, RFC 6238 codes for their second
// factor, Debian's chromium through playwright-core, and a folder for the
// screenshots each run leaves behind.
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');
export const KINLINK = process.env.KINLINK_BIN || path.join(ROOT, 'build/kinlink');
export const ARTIFACTS = process.env.KINLINK_E2E_ARTIFACTS || path.join(ROOT, 'build/e2e-artifacts');
export const CHROMIUM = process.env.KINLINK_CHROMIUM || '/usr/bin/chromium';
mkdirSync(ARTIFACTS, { recursive: true });

// ---- RFC 6238 (SHA-1, 6 digits, 30 s), as an authenticator app computes it.
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totp(secret, unixSeconds = Math.floor(Date.now() / 1000)) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(code).padStart(6, '0');
}

// A code not used before for this secret: the node accepts each code once,
// so a second sign-in in the same 30 s window waits for the next one.
const usedCodes = new Map();
export async function freshTotp(secret) {
  for (;;) {
    const code = totp(secret);
    if (usedCodes.get(secret) !== code) {
      usedCodes.set(secret, code);
      return code;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// ---- A node: registry, accounts, server.
export const PASSWORD = 'e2e password, invented people only';

// options.setup(env, dir) runs before the server starts (e.g. a CLI
// import); options.serveArgs are added to `kinlink serve`.
export async function startNode(name, options = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), `kinlink-e2e-${name}-`));
  const env = {
    ...process.env,
    KINLINK_DATA: path.join(dir, 'registry'),
    KINLINK_PASSPHRASE: 'e2e only: invented people',
    KINLINK_USER_PASSWORD: PASSWORD,
  };
  execFileSync(KINLINK, ['init'], { env, stdio: 'pipe' });
  const users = {};
  const add = (user, office, role, extra = []) => {
    const out = execFileSync(KINLINK, ['user', 'add', user, '--office', office, '--role', role, ...extra],
      { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const m = /secret: ([A-Z2-7]+)/.exec(out);
    users[role] = { name: user, office, secret: m ? m[1] : null };
  };
  add('amal.officer', 'aleppo', 'officer');
  add('sami.caseworker', 'aleppo', 'caseworker');
  add('root.admin', 'hq', 'admin');
  add('nour.auditor', 'hq', 'auditor');
  if (options.setup) options.setup(env, dir);
  const log = [];
  const server = spawn(KINLINK, ['serve', '--port', '0', ...(options.serveArgs || [])],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr.on('data', (d) => log.push(d.toString()));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`kinlink serve did not start: ${out} ${log.join('')}`)), 30000);
    server.stdout.on('data', (d) => {
      out += d.toString();
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on('exit', (code) => reject(new Error(`kinlink serve exited ${code}: ${log.join('')}`)));
  });
  return {
    url,
    users,
    dir,
    log,
    async stop() {
      server.kill('SIGTERM');
      await new Promise((r) => { if (server.exitCode !== null) r(); else server.on('exit', r); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

export async function shot(page, file, options = {}) {
  await page.screenshot({ path: path.join(ARTIFACTS, file), fullPage: true, ...options });
}

// Signs in through the form: user name, password, then the TOTP code.
export async function signIn(page, node, role, { keyboard = false } = {}) {
  const u = node.users[role];
  await page.waitForSelector('form input[name=user]');
  const code = u.secret ? await freshTotp(u.secret) : '';
  if (keyboard) {
    // Keyboard only: focus goes to the heading, then Tab through the form.
    await page.focus('input[name=user]');
    await page.keyboard.type(u.name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
  } else {
    await page.fill('input[name=user]', u.name);
    await page.fill('input[name=password]', PASSWORD);
    await page.fill('input[name=totp]', code);
    await page.click('form button[type=submit]');
  }
  await page.waitForSelector('#logout');
}

export async function setLanguage(page, code) {
  await page.selectOption('#lang', code);
  await page.waitForFunction((c) => document.documentElement.lang === c, code);
}

// Runs axe-core (WCAG 2 A/AA rules) on the page; returns serious and
// critical violations as readable lines.
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export async function accessibilityProblems(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

// CSV of invented people, canonical Kinlink header.
export function csv(rows) {
  const header = ['id', 'given_name', 'family_name', 'father_name', 'sex', 'birth_date', 'birth_place',
    'address', 'locality', 'region', 'country', 'last_known_place', 'phone', 'email', 'status'];
  const quote = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header.join(','), ...rows.map((r) => header.map((h) => quote(r[h] || '')).join(','))].join('\n') + '\n';
}
