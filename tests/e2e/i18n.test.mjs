// Every string of the UI is translated: each language has exactly the
// English keys, no empty message, the same {placeholders}; every key the
// UI asks for exists; Arabic is laid out right to left.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './lib.mjs';

const { MESSAGES, LANGUAGES } = await import(path.join(ROOT, 'web/i18n.js'));
const app = readFileSync(path.join(ROOT, 'web/app.js'), 'utf8');
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the four languages of the field', () => {
  assert.deepEqual(LANGUAGES.map((l) => l.code), ['en', 'fr', 'ar', 'uk']);
  assert.equal(LANGUAGES.find((l) => l.code === 'ar').dir, 'rtl');
  for (const l of LANGUAGES.filter((x) => x.code !== 'ar')) assert.equal(l.dir, 'ltr');
});

for (const lang of ['fr', 'ar', 'uk']) {
  test(`${lang}: every English key, translated, with the same placeholders`, () => {
    const en = MESSAGES.en;
    const tr = MESSAGES[lang];
    assert.deepEqual(Object.keys(tr).sort(), Object.keys(en).sort());
    const untranslated = [];
    for (const [k, v] of Object.entries(tr)) {
      assert.ok(v.trim().length > 0, `${lang}.${k} is empty`);
      assert.deepEqual(placeholders(v), placeholders(en[k]), `${lang}.${k} placeholders`);
      // Identical to English only where the text is a format or a symbol.
      if (v === en[k] && /[a-z]{4}/i.test(v.replace(/\{\w+\}/g, '')) && !/^(Kinlink|Action|Administration|Total|Rejected)$/.test(v)) {
        untranslated.push(k);
      }
    }
    assert.deepEqual(untranslated.filter((k) => !['nav_admin', 'title_admin', 'col_action', 'wf_total', 'signed_in_as', 'date_placeholder'].includes(k)), []);
  });
}

test('every key the UI uses exists in English', () => {
  const used = new Set([...app.matchAll(/\bt\('([a-z0-9_.]+)'/g)].map((m) => m[1]));
  // Keys given to field(), setError() and the select options.
  for (const m of app.matchAll(/'((?:error|f|sex|status|kind|role|reason|col|title|wf|disclosure|withhold)_[a-z0-9_]+)'/g)) used.add(m[1]);
  // (A case state such as disclosure_recorded is an API code, not a key.)
  const missing = [...used].filter((k) => MESSAGES.en[k] === undefined && MESSAGES.en[`case_state_${k}`] === undefined);
  assert.deepEqual(missing, []);
  assert.ok(used.size > 150, `only ${used.size} keys found: the scan is broken`);
});
