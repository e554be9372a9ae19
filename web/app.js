// Kinlink's caseworker UI: one page, no framework, served by `kinlink serve`.
// Every page is built with h() (text nodes only, never HTML strings), talks
// to the JSON API under /api/v1 (docs/api/openapi.yaml) and keeps nothing
// of a record after it leaves the page: no storage but the chosen language.
import { MESSAGES, LANGUAGES } from './i18n.js';

// ---- State.

const state = {
  user: null,     // {id, name, role, office, office_id}
  csrf: '',
  lang: pickLanguage(),
};

// Limits the server applies too (docs/api/openapi.yaml).
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;
const MAX_FIELD_CHARS = 1024;
const MAX_MESSAGE_CHARS = 4096;

function pickLanguage() {
  let saved = null;
  try { saved = localStorage.getItem('kl_lang'); } catch (e) { /* storage off */ }
  if (saved && MESSAGES[saved]) return saved;
  for (const l of navigator.languages || []) {
    const code = l.slice(0, 2).toLowerCase();
    if (MESSAGES[code]) return code;
  }
  return 'en';
}

function setLanguage(code) {
  if (!MESSAGES[code]) return;
  state.lang = code;
  try { localStorage.setItem('kl_lang', code); } catch (e) { /* storage off */ }
  applyLanguage();
  route();
}

function applyLanguage() {
  const lang = LANGUAGES.find((l) => l.code === state.lang);
  document.documentElement.lang = state.lang;
  document.documentElement.dir = lang.dir;
  document.getElementById('skip').textContent = t('skip_to_content');
}

// A message in the current language; {name} is replaced from vars.
function t(key, vars) {
  let s = MESSAGES[state.lang][key];
  if (s === undefined) s = MESSAGES.en[key];
  if (s === undefined) s = key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
  return s;
}

// A translated code (a label, an action, a state), or the code itself made readable.
function tc(prefix, code) {
  const key = prefix + code;
  if (MESSAGES.en[key] !== undefined) return t(key);
  return String(code).replace(/[_.]/g, ' ');
}

// Intl locale: Latin digits everywhere, so that typed and shown dates agree.
function locale() {
  return { en: 'en-GB', fr: 'fr-FR', ar: 'ar-u-nu-latn', uk: 'uk-UA' }[state.lang] || 'en-GB';
}

// ---- DOM.

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') {
        el.addEventListener(k.slice(2), v);
      } else if (k === 'class') {
        el.className = v;
      } else if (k === 'for') {
        el.htmlFor = v;
      } else if (k === 'value') {
        el.value = v;
      } else if (k === 'checked' || k === 'selected' || k === 'disabled') {
        el[k] = !!v;
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Text in its own direction (a Latin name in an Arabic page, or the
// reverse) without changing the alignment of the cell around it.
function bdi(text) { return h('bdi', null, text); }

let uid = 0;
function nextId(prefix) { uid += 1; return `${prefix}-${uid}`; }

function announce(text) {
  const live = document.getElementById('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
}

// ---- Formatting.

// "1988", "1988-03" or "1988-03-12" -> "1988", "March 1988", "12 March 1988".
function formatPartialDate(text) {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text || '');
  if (!m) return text;
  const opts = { year: 'numeric', timeZone: 'UTC' };
  if (m[2]) opts.month = 'long';
  if (m[3]) opts.day = 'numeric';
  const d = new Date(Date.UTC(+m[1], m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1));
  return new Intl.DateTimeFormat(locale(), opts).format(d);
}

// Unix seconds -> "12 Mar 2026, 14:05 UTC".
function formatTime(unix) {
  if (!unix) return '';
  return new Intl.DateTimeFormat(locale(), {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
    timeZone: 'UTC', timeZoneName: 'short',
  }).format(new Date(unix * 1000));
}

function formatPercent(p) {
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(p);
}

function formatNumber(x, digits = 1) {
  return new Intl.NumberFormat(locale(), {
    maximumFractionDigits: digits, minimumFractionDigits: digits, signDisplay: 'exceptZero',
  }).format(x);
}

// A date that exists: YYYY, YYYY-MM or YYYY-MM-DD, not after today.
function checkPartialDate(text) {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text);
  if (!m) return 'error_date_format';
  const y = +m[1];
  const mo = m[2] ? +m[2] : 1;
  const d = m[3] ? +m[3] : 1;
  if (y < 1850 || mo < 1 || mo > 12 || d < 1) return 'error_date_impossible';
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > last) return 'error_date_impossible';
  const now = new Date();
  if (Date.UTC(y, mo - 1, d) > Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) {
    return 'error_date_future';
  }
  return null;
}

// ---- The API.

class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
  }
}

async function api(method, path, body, options = {}) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = state.csrf;
    if (options.contentType) {
      headers['Content-Type'] = options.contentType;
      payload = body;
    } else {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body === undefined ? {} : body);
    }
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, {
      method, headers, body: payload, credentials: 'same-origin', cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', t('error_network'));
  }
  let data = null;
  if (res.status !== 204) {
    try { data = await res.json(); } catch (e) { data = null; }
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : {};
    if (res.status === 401 && path !== '/login' && state.user) {
      state.user = null;
      state.csrf = '';
      flash = t('session_ended');
      location.hash = '#/login';
    }
    throw new ApiError(res.status, err.code, err.message);
  }
  return data;
}

// A message for a failed call, in the user's language where it is known.
function errorText(e) {
  if (!(e instanceof ApiError)) return t('error_unexpected');
  switch (e.status) {
    case 0: return t('error_network');
    case 401: return t('error_signin');
    case 403: return t('error_forbidden');
    case 404: return t('error_not_found');
    case 409: return t('error_conflict');
    case 413: return t('error_too_large');
    case 415: return t('error_file_type');
    case 429: return t('error_rate');
    default:
      if (e.status >= 500) return t('error_server');
      return t('error_rejected', { reason: e.message });
  }
}

// ---- Layout.

let flash = '';  // a message for the next page (e.g. "session ended")

function header() {
  const top = document.getElementById('top');
  top.replaceChildren();
  const langSelect = h('select', {
    id: 'lang', 'aria-label': t('language'),
    onchange: (ev) => setLanguage(ev.target.value),
  }, LANGUAGES.map((l) => h('option', { value: l.code, selected: l.code === state.lang, lang: l.code }, l.name)));
  const nav = h('nav', { 'aria-label': t('main_menu') });
  if (state.user) {
    const links = [];
    const role = state.user.role;
    if (role === 'caseworker' || role === 'officer') {
      links.push(['#/dashboard', 'nav_dashboard'], ['#/register', 'nav_register'],
        ['#/search', 'nav_search'], ['#/import', 'nav_import']);
    }
    if (role === 'admin') links.push(['#/admin', 'nav_admin']);
    if (role === 'auditor') links.push(['#/audit', 'nav_audit']);
    const current = location.hash.split('?')[0];
    nav.append(h('ul', null, links.map(([href, key]) => h('li', null,
      h('a', { href, 'aria-current': current.startsWith(href) ? 'page' : null }, t(key))))));
  }
  const who = state.user
    ? h('div', { class: 'who' },
      h('span', null, t('signed_in_as', {
        name: state.user.name, role: tc('role_', state.user.role), office: state.user.office || '—',
      })),
      h('button', { type: 'button', class: 'link', id: 'logout', onclick: logout }, t('sign_out')))
    : null;
  top.append(
    h('div', { class: 'brand' }, h('a', { href: '#/' }, 'Kinlink')),
    nav,
    h('div', { class: 'tools' }, who, langSelect));
}

async function logout() {
  try { await api('POST', '/logout', {}); } catch (e) { /* the session may be gone already */ }
  state.user = null;
  state.csrf = '';
  location.hash = '#/login';
}

// Puts a page into <main>, sets the title and moves focus to the heading.
function show(titleKey, vars, ...content) {
  const main = document.getElementById('main');
  const title = t(titleKey, vars);
  document.title = `${title} — Kinlink`;
  const h1 = h('h1', { tabindex: '-1' }, title);
  main.replaceChildren(h1);
  if (flash) {
    main.append(h('p', { class: 'notice', role: 'status' }, flash));
    flash = '';
  }
  append(main, content);
  h1.focus();
  return main;
}

function alertBox(text, kind = 'error') {
  return h('p', { class: `alert ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

function loading() {
  document.getElementById('main').replaceChildren(h('p', { class: 'loading', role: 'status' }, t('loading')));
}

// ---- Forms.

// A labelled input with an error slot; returns {wrap, input, error, hint}.
function field(name, labelKey, options = {}) {
  const id = nextId(name);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const tag = options.textarea ? 'textarea' : options.select ? 'select' : 'input';
  const attrs = {
    id, name, 'aria-describedby': `${hintId} ${errorId}`,
    maxlength: tag === 'select' ? null : (options.maxlength || MAX_FIELD_CHARS),
    autocomplete: options.autocomplete || 'off',
    dir: options.dir || (options.select ? null : 'auto'),
    required: options.required || null,
    inputmode: options.inputmode || null,
    placeholder: options.placeholder || null,
    type: tag === 'input' ? (options.type || 'text') : null,
    rows: options.textarea ? 3 : null,
    value: options.value ?? null,
  };
  const input = h(tag, attrs, options.select
    ? options.select.map(([v, key]) => h('option', { value: v }, t(key))) : null);
  const hint = h('span', { class: 'hint', id: hintId }, options.hint ? t(options.hint) : '');
  const error = h('span', { class: 'field-error', id: errorId });
  const wrap = h('div', { class: `field ${options.wide ? 'wide' : ''}` },
    h('label', { for: id }, t(labelKey), options.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    input, hint, error);
  return { wrap, input, error, hint };
}

function setError(f, key, vars) {
  f.error.textContent = key ? t(key, vars) : '';
  if (key) f.input.setAttribute('aria-invalid', 'true');
  else f.input.removeAttribute('aria-invalid');
}

// A partial-date field whose hint shows how the date reads (no D/M doubt).
function dateField(name, labelKey) {
  const f = field(name, labelKey, { placeholder: t('date_placeholder'), inputmode: 'numeric', dir: 'ltr', maxlength: 10 });
  const update = () => {
    const v = f.input.value.trim();
    f.hint.textContent = v && !checkPartialDate(v) ? t('date_reads_as', { date: formatPartialDate(v) }) : t('date_hint');
  };
  f.input.addEventListener('input', update);
  update();
  return f;
}

// ---- Pages.

async function pageLogin() {
  if (state.user) { location.hash = '#/'; return; }
  const user = field('user', 'username', { autocomplete: 'username', required: true, dir: 'ltr', maxlength: 64 });
  const password = field('password', 'password', { type: 'password', autocomplete: 'current-password', required: true, dir: 'ltr', maxlength: 1024 });
  const code = field('totp', 'totp_code', {
    autocomplete: 'one-time-code', inputmode: 'numeric', dir: 'ltr', maxlength: 8, hint: 'totp_hint',
  });
  const status = h('div', { class: 'form-status' });
  const form = h('form', { class: 'card narrow', novalidate: true }, user.wrap, password.wrap, code.wrap, status,
    h('button', { type: 'submit', class: 'primary' }, t('sign_in')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    setError(user, user.input.value.trim() ? null : 'error_required');
    setError(password, password.input.value ? null : 'error_required');
    const c = code.input.value.replace(/\s/g, '');
    setError(code, c && !/^\d{6,8}$/.test(c) ? 'error_totp_format' : null);
    if (!user.input.value.trim() || !password.input.value || (c && !/^\d{6,8}$/.test(c))) return;
    const body = { user: user.input.value.trim(), password: password.input.value };
    if (c) body.totp = c;
    try {
      const r = await api('POST', '/login', body);
      state.user = r.user;
      state.csrf = r.csrf_token;
      password.input.value = '';
      location.hash = '#/';
    } catch (e) {
      password.input.value = '';
      code.input.value = '';
      status.append(alertBox(e.status === 401 ? t('error_login') : errorText(e)));
      password.input.focus();
    }
  });
  show('title_login', null, h('p', { class: 'lead' }, t('login_lead')), form);
}

function home() {
  if (!state.user) return '#/login';
  if (state.user.role === 'admin') return '#/admin';
  if (state.user.role === 'auditor') return '#/audit';
  return '#/dashboard';
}

// Whether this office records the found person's decision on a match: it
// holds the person, or (a partner match) it holds the request and the
// partner organisation passes the decision on.
function recordsDisclosure(m) {
  return m.person.visible || (m.person.partner && m.request.visible);
}

// A short name for one side of a match.
function sideName(side) {
  if (side.partner) return t('held_by_partner', { partner: side.office });
  if (!side.visible) return t('held_by', { office: side.office || '—' });
  const f = side.fields || {};
  return f.full_name || [f.given_name, f.father_name, f.family_name].filter(Boolean).join(' ') || side.registry_id;
}

function statusBadge(status) {
  return h('span', { class: `badge ${status}` }, tc('match_status_', status));
}

function probabilityBar(p) {
  const bar = h('span', { class: 'prob-fill' });
  bar.style.width = `${Math.max(2, Math.round(p * 100))}%`;
  return h('span', { class: 'prob' }, h('span', { class: 'prob-track', 'aria-hidden': 'true' }, bar),
    h('span', { class: 'prob-text' }, formatPercent(p)));
}

async function pageDashboard() {
  const live = routeToken();
  loading();
  let matches = [];
  let cases = [];
  const problems = [];
  try { matches = (await api('GET', '/matches')).matches; } catch (e) { problems.push(errorText(e)); }
  try { cases = (await api('GET', '/cases')).cases; } catch (e) { problems.push(errorText(e)); }
  const mine = state.user.office_id;
  const officer = state.user.role === 'officer';
  const awaitingDecision = matches.filter((m) => m.status === 'proposed');
  const awaitingDisclosure = matches.filter((m) => m.status === 'confirmed' && !m.has_disclosure && recordsDisclosure(m));
  const queue = matches.filter((m) => m.status === 'potential' || m.status === 'proposed')
    .sort((a, b) => b.probability - a.probability);

  const alerts = [];
  if (officer && awaitingDecision.length) alerts.push(t('alert_decisions', { n: awaitingDecision.length }));
  if (officer && awaitingDisclosure.length) alerts.push(t('alert_disclosures', { n: awaitingDisclosure.length }));
  const toInform = cases.filter((c) => c.state === 'disclosure_recorded');
  if (toInform.length) alerts.push(t('alert_inform', { n: toInform.length }));
  void mine;

  const queueTable = queue.length
    ? h('table', { class: 'list' },
      h('caption', { class: 'visually-hidden' }, t('review_queue')),
      h('thead', null, h('tr', null, ['col_match', 'col_request', 'col_person', 'col_probability', 'col_status', 'col_action']
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', null, queue.map((m) => h('tr', null,
        h('td', null, `#${m.id}`),
        h('td', null, bdi(sideName(m.request))),
        h('td', null, bdi(sideName(m.person))),
        h('td', null, probabilityBar(m.probability)),
        h('td', null, statusBadge(m.status)),
        h('td', null, h('a', { href: `#/matches/${m.id}`, class: 'button' }, t('review')))))))
    : h('p', { class: 'empty' }, t('queue_empty'));

  const caseTable = cases.length
    ? h('table', { class: 'list' },
      h('caption', { class: 'visually-hidden' }, t('caseload')),
      h('thead', null, h('tr', null, ['col_request', 'col_name', 'col_state', 'col_matches', 'col_registered']
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', null, cases.map((c) => h('tr', null,
        h('td', null, h('a', { href: `#/cases/${c.request_id}` }, c.registry_id)),
        h('td', null, bdi(c.name || '—')),
        h('td', null, h('span', { class: `state ${c.state}` }, tc('case_state_', c.state))),
        h('td', null, t('match_counts', {
          potential: c.matches ? c.matches.potential : 0,
          proposed: c.matches ? c.matches.proposed : 0,
          confirmed: c.matches ? c.matches.confirmed : 0,
        })),
        h('td', null, formatTime(c.created_at))))))
    : h('p', { class: 'empty' }, t('caseload_empty'));

  if (!live()) return;
  show('title_dashboard', null,
    problems.map((p) => alertBox(p)),
    h('section', { 'aria-labelledby': 'alerts-h', class: 'card' },
      h('h2', { id: 'alerts-h' }, t('alerts')),
      alerts.length ? h('ul', { class: 'alerts' }, alerts.map((a) => h('li', null, a))) : h('p', { class: 'empty' }, t('alerts_none'))),
    h('section', { 'aria-labelledby': 'queue-h', class: 'card' },
      h('h2', { id: 'queue-h' }, t('review_queue')), queueTable),
    h('section', { 'aria-labelledby': 'cases-h', class: 'card' },
      h('h2', { id: 'cases-h' }, t('caseload')), caseTable,
      h('p', null, h('a', { href: '#/register', class: 'button' }, t('register_new')))));
}

// The fields of the register form, by group. [name, label, options]
const NAME_FIELDS = [
  ['given_name', 'f_given_name'], ['family_name', 'f_family_name'], ['father_name', 'f_father_name'],
  ['grandfather_name', 'f_grandfather_name'], ['mother_name', 'f_mother_name'],
  ['full_name', 'f_full_name', { wide: true, hint: 'full_name_hint' }],
  ['alternate_names', 'f_alternate_names', { wide: true, hint: 'alternate_names_hint' }],
];
const PLACE_FIELDS = [
  ['birth_place', 'f_birth_place'], ['last_known_place', 'f_last_known_place'], ['locality', 'f_locality'],
  ['region', 'f_region'], ['country', 'f_country', { hint: 'country_hint', maxlength: 64 }],
];

// What the register form held when its kind was switched (memory only).
let carried = {};

async function pageRegister(params) {
  const kind = params.get('kind') === 'person' ? 'person' : 'request';
  const fields = {};
  const add = (name, label, options = {}) => { fields[name] = field(name, label, options); return fields[name].wrap; };
  const kindSwitch = h('fieldset', { class: 'kind' }, h('legend', null, t('record_kind')),
    ['request', 'person'].map((k) => {
      const id = nextId('kind');
      return h('span', { class: 'radio' },
        h('input', { type: 'radio', name: 'kind', id, value: k, checked: k === kind,
          onchange: () => {
            // Switching kind keeps what was typed in the fields both kinds have.
            carried = {};
            for (const [n, f] of Object.entries(fields)) if (f.input.value) carried[n] = f.input.value;
            location.hash = `#/register?kind=${k}`;
          } }),
        h('label', { for: id }, t(`kind_${k}_long`)));
    }));
  const dates = {
    birth_date: dateField('birth_date', 'f_birth_date'),
    age_as_of: dateField('age_as_of', 'f_age_as_of'),
    last_seen_date: dateField('last_seen_date', 'f_last_seen_date'),
  };
  Object.assign(fields, dates);
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', novalidate: true },
    kindSwitch,
    h('fieldset', null, h('legend', null, t(kind === 'request' ? 'group_sought' : 'group_person')),
      h('p', { class: 'hint' }, t('names_hint')),
      h('div', { class: 'grid' }, NAME_FIELDS.map(([n, l, o]) => add(n, l, o)))),
    h('fieldset', null, h('legend', null, t('group_birth')),
      h('div', { class: 'grid' },
        add('sex', 'f_sex', { select: [['', 'sex_unknown'], ['f', 'sex_f'], ['m', 'sex_m'], ['x', 'sex_x']] }),
        dates.birth_date.wrap,
        add('age', 'f_age', { inputmode: 'numeric', dir: 'ltr', maxlength: 7, hint: 'age_hint' }),
        dates.age_as_of.wrap)),
    h('fieldset', null, h('legend', null, t('group_places')),
      h('div', { class: 'grid' }, PLACE_FIELDS.map(([n, l, o]) => add(n, l, o)), dates.last_seen_date.wrap)),
    kind === 'person'
      ? h('fieldset', null, h('legend', null, t('group_situation')),
        h('div', { class: 'grid' },
          add('status', 'f_status', { select: [['', 'status_unknown'], ['safe', 'status_safe'], ['in_hospital', 'status_in_hospital'], ['detained', 'status_detained'], ['deceased', 'status_deceased']] }),
          add('address', 'f_address'), add('phone', 'f_phone', { dir: 'ltr', inputmode: 'tel' }),
          add('email', 'f_email', { dir: 'ltr', type: 'email' })))
      : h('fieldset', null, h('legend', null, t('group_enquirer')),
        h('div', { class: 'grid' },
          add('enquirer_name', 'f_enquirer_name'), add('relationship', 'f_relationship'),
          add('enquirer_phone', 'f_enquirer_phone', { dir: 'ltr', inputmode: 'tel' }),
          add('enquirer_email', 'f_enquirer_email', { dir: 'ltr', type: 'email' }))),
    h('fieldset', null, h('legend', null, t('group_notes')),
      add('notes', 'f_notes', { textarea: true, wide: true, hint: 'notes_hint' })),
    status,
    h('button', { type: 'submit', class: 'primary' }, t(kind === 'request' ? 'register_request' : 'register_person')));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    let first = null;
    const fail = (f, key, vars) => { setError(f, key, vars); if (!first) first = f.input; };
    for (const f of Object.values(fields)) setError(f, null);
    const value = (n) => (fields[n] ? fields[n].input.value.trim() : '');
    if (!value('given_name') && !value('family_name') && !value('full_name')) {
      fail(fields.given_name, 'error_name_required');
    }
    for (const [n, f] of Object.entries(dates)) {
      const v = value(n);
      if (v) { const problem = checkPartialDate(v); if (problem) fail(f, problem); }
    }
    const age = value('age');
    if (age && !/^\d{1,3}(-\d{1,3})?$/.test(age)) fail(fields.age, 'error_age');
    else if (age && age.split('-').some((x) => +x > 150)) fail(fields.age, 'error_age');
    if (value('email') && !/^[^\s@]+@[^\s@]+$/.test(value('email'))) fail(fields.email, 'error_email');
    if (value('enquirer_email') && !/^[^\s@]+@[^\s@]+$/.test(value('enquirer_email'))) fail(fields.enquirer_email, 'error_email');
    if (first) {
      status.append(alertBox(t('error_form')));
      first.focus();
      return;
    }
    const body = { kind, fields: {} };
    for (const n of Object.keys(fields)) { const v = value(n); if (v) body.fields[n] = v; }
    if (body.fields.age && !body.fields.age_as_of) body.fields.age_as_of = new Date().toISOString().slice(0, 10);
    try {
      const r = await api('POST', '/records', body);
      form.replaceWith(h('div', { class: 'card success', role: 'status' },
        h('p', null, t(kind === 'request' ? 'registered_request' : 'registered_person', { id: r.registry_id })),
        h('p', { class: 'actions' },
          kind === 'request' ? h('a', { href: `#/cases/${r.id}`, class: 'button primary' }, t('open_case')) : null,
          h('a', { href: `#/records/${r.id}`, class: 'button' }, t('open_record')),
          h('a', { href: '#/dashboard', class: 'button' }, t('nav_dashboard')),
          h('a', { href: `#/register?kind=${kind}&again=${Date.now()}`, class: 'button' }, t('register_another')))));
      announce(t('registered_short', { id: r.registry_id }));
    } catch (e) {
      // Nothing typed is lost: the form stays as it was.
      status.append(alertBox(errorText(e)));
    }
  });
  for (const [n, v] of Object.entries(carried)) if (fields[n]) { fields[n].input.value = v; fields[n].input.dispatchEvent(new Event('input')); }
  carried = {};
  show(kind === 'request' ? 'title_register_request' : 'title_register_person', null, form);
}

async function pageSearch() {
  const name = field('name', 'search_name', { required: true, wide: true, hint: 'search_name_hint' });
  const born = dateField('born', 'f_birth_date');
  const place = field('place', 'f_birth_place');
  const kind = field('kind', 'search_kind', { select: [['', 'kind_any'], ['person', 'kind_person'], ['request', 'kind_request']] });
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  const status = h('div', { class: 'form-status' });
  const form = h('form', { class: 'card', role: 'search', novalidate: true },
    h('div', { class: 'grid' }, name.wrap, born.wrap, place.wrap, kind.wrap), status,
    h('button', { type: 'submit', class: 'primary' }, t('search')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    setError(name, null);
    setError(born, null);
    const n = name.input.value.trim();
    const b = born.input.value.trim();
    let bad = false;
    if (!n) { setError(name, 'error_name_required'); bad = true; }
    if (b && checkPartialDate(b)) { setError(born, checkPartialDate(b)); bad = true; }
    if (bad) { status.append(alertBox(t('error_form'))); return; }
    const body = { fields: { full_name: n }, top: 20 };
    if (b) body.fields.birth_date = b;
    if (place.input.value.trim()) body.fields.birth_place = place.input.value.trim();
    if (kind.input.value) body.kind = kind.input.value;
    results.replaceChildren(h('p', { class: 'loading' }, t('loading')));
    try {
      const r = await api('POST', '/search', body);
      const rows = r.results.filter((x) => x.probability >= 0.01 || r.results.indexOf(x) < 5);
      results.replaceChildren(rows.length
        ? h('table', { class: 'list' },
          h('caption', null, t('search_results', { n: rows.length })),
          h('thead', null, h('tr', null, ['col_record', 'col_name', 'col_kind', 'col_probability']
            .map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', null, rows.map((x) => h('tr', null,
            h('td', null, x.held_by ? x.registry_id : h('a', { href: `#/records/${x.id}` }, x.registry_id)),
            h('td', null, bdi(x.held_by ? t('held_by', { office: x.held_by }) : x.name)),
            h('td', null, tc('kind_', x.kind)),
            h('td', null, probabilityBar(x.probability))))))
        : h('p', { class: 'empty' }, t('search_none')));
    } catch (e) {
      results.replaceChildren(alertBox(errorText(e)));
    }
  });
  show('title_search', null, h('p', { class: 'lead' }, t('search_lead')), form, results);
}

// The fields shown side by side, in order, with the comparison field that
// judges each (explanation.fields[].field).
const COMPARED = [
  ['full_name', null], ['given_name', 'given_name'], ['family_name', 'family_name'],
  ['father_name', 'father_name'], ['grandfather_name', null], ['mother_name', null],
  ['alternate_names', null], ['sex', 'sex'], ['birth_date', 'birth_date'], ['age', 'birth_date'],
  ['age_as_of', null], ['birth_place', 'birth_place'], ['locality', 'locality'], ['region', 'region'],
  ['postcode', 'postcode'], ['country', null], ['last_seen_date', null],
];

function fieldValue(name, value) {
  if (value === undefined || value === '') return '';
  if (name === 'birth_date' || name === 'last_seen_date' || name === 'age_as_of') return formatPartialDate(value);
  if (name === 'sex') return tc('sex_', value);
  if (name === 'status') return tc('status_', value);
  return value;
}

function agreementClass(c) {
  if (!c || c.missing) return 'neutral';
  if (c.weight > 0.5) return 'agree';
  if (c.weight < -0.5) return 'disagree';
  return 'neutral';
}

// The explanation as a waterfall: the prior, then each field's weight,
// then the total and what it means as a probability.
function waterfall(ex, freq) {
  const steps = [];
  let run = ex.prior;
  steps.push({ label: t('wf_prior'), detail: t('wf_prior_detail'), from: 0, to: run, kind: 'prior' });
  for (const c of ex.fields) {
    const from = run;
    const counted = c.grouped ? 0 : c.weight;
    run += counted;
    steps.push({
      label: tc('field_', c.field),
      detail: c.missing ? t('wf_missing') : `${tc('level_', c.label)}${c.grouped ? ` · ${t('wf_grouped')}` : ''}`,
      from, to: run, weight: c.weight, kind: c.missing ? 'missing' : (c.grouped ? 'grouped' : (c.weight >= 0 ? 'up' : 'down')),
      freq: freq && freq[c.field] !== undefined ? freq[c.field] : undefined,
    });
  }
  const lo = Math.min(0, ...steps.map((s) => Math.min(s.from, s.to)));
  const hi = Math.max(0, ...steps.map((s) => Math.max(s.from, s.to)));
  const span = Math.max(1, hi - lo);
  const pos = (x) => ((x - lo) / span) * 100;
  const rows = steps.map((s) => {
    const bar = h('span', { class: `wf-bar ${s.kind}` });
    const a = pos(Math.min(s.from, s.to));
    const b = pos(Math.max(s.from, s.to));
    bar.style.insetInlineStart = `${a}%`;
    bar.style.width = `${Math.max(0.6, b - a)}%`;
    const zero = h('span', { class: 'wf-zero', 'aria-hidden': 'true' });
    zero.style.insetInlineStart = `${pos(0)}%`;
    const amount = s.kind === 'prior' ? formatNumber(s.to) : (s.kind === 'missing' ? '0' : formatNumber(s.weight));
    return h('li', { class: `wf-row ${s.kind}` },
      h('span', { class: 'wf-label' }, h('strong', null, s.label), h('span', { class: 'wf-detail' }, s.detail),
        s.freq !== undefined ? h('span', { class: 'wf-freq' }, t('wf_frequency', { n: s.freq })) : null),
      h('span', { class: 'wf-track', 'aria-hidden': 'true' }, zero, bar),
      h('span', { class: 'wf-amount', dir: 'ltr' }, amount));
  });
  return h('figure', { class: 'waterfall' },
    h('figcaption', null, t('wf_caption')),
    h('ol', null, rows,
      h('li', { class: 'wf-row total' },
        h('span', { class: 'wf-label' }, h('strong', null, t('wf_total')),
          h('span', { class: 'wf-detail' }, t('wf_total_detail', { p: formatPercent(ex.probability) }))),
        h('span', { class: 'wf-track', 'aria-hidden': 'true' }),
        h('span', { class: 'wf-amount', dir: 'ltr' }, formatNumber(ex.weight)))),
    h('p', { class: 'hint' }, t('wf_help')));
}

async function pageMatch(params, id) {
  const live = routeToken();
  loading();
  let m;
  try { m = await api('GET', `/matches/${id}`); } catch (e) { if (!live()) return; show('title_match', { id }, alertBox(errorText(e))); return; }
  const ex = m.explanation || { prior: 0, fields: [], weight: m.weight, probability: m.probability };
  const byField = {};
  for (const c of ex.fields || []) byField[c.field] = c;
  const freq = m.name_frequency || null;
  const sides = [m.request, m.person];
  const rows = COMPARED.filter(([n]) => sides.some((s) => s.visible && s.fields && s.fields[n]));
  const compare = h('table', { class: 'compare' },
    h('caption', { class: 'visually-hidden' }, t('side_by_side')),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('col_field')),
      h('th', { scope: 'col' }, t('col_request'), ' ', h('span', { class: 'sub' }, m.request.registry_id)),
      h('th', { scope: 'col' }, t('col_person'), ' ', h('span', { class: 'sub' }, m.person.registry_id)),
      h('th', { scope: 'col' }, t('col_agreement')))),
    h('tbody', null, rows.map(([n, cmp]) => {
      const c = cmp ? byField[cmp] : null;
      const cell = (s) => (s.visible ? h('td', null, bdi(fieldValue(n, s.fields[n]))) : h('td', { class: 'held' }, bdi(sideName(s))));
      return h('tr', { class: agreementClass(c) },
        h('th', { scope: 'row' }, tc('field_', n)), cell(m.request), cell(m.person),
        h('td', null, c ? (c.missing ? t('wf_missing') : tc('level_', c.label)) : '—'));
    })));
  const redacted = h('p', { class: 'hint' }, t('whereabouts_hidden'));

  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const actions = h('div', { class: 'card actions-card' }, h('h2', null, t('decision')));
  const act = async (fn) => {
    status.replaceChildren();
    try { await fn(); flash = t('saved'); route(); } catch (e) { status.append(alertBox(errorText(e))); }
  };
  const role = state.user.role;
  if (m.status === 'potential') {
    actions.append(h('p', null, t('propose_help')),
      h('button', { type: 'button', class: 'primary', id: 'propose', onclick: () => act(() => api('POST', `/matches/${id}/propose`, {})) }, t('propose')));
  } else if (m.status === 'proposed' && role === 'officer') {
    const reason = field('reason', 'reject_reason', {
      select: [['', 'choose'], ['different_person', 'reason_different_person'], ['insufficient_evidence', 'reason_insufficient_evidence'],
        ['duplicate_record', 'reason_duplicate_record'], ['withdrawn', 'reason_withdrawn'], ['other', 'reason_other']],
    });
    actions.append(h('p', null, t('decide_help')),
      h('div', { class: 'decide' },
        h('button', { type: 'button', class: 'primary', id: 'confirm', onclick: () => act(() => api('POST', `/matches/${id}/decision`, { decision: 'confirm' })) }, t('confirm')),
        h('div', { class: 'reject' }, reason.wrap,
          h('button', { type: 'button', class: 'danger', id: 'reject', onclick: () => {
            setError(reason, reason.input.value ? null : 'error_reason');
            if (!reason.input.value) { reason.input.focus(); return; }
            act(() => api('POST', `/matches/${id}/decision`, { decision: 'reject', reason: reason.input.value }));
          } }, t('reject')))));
  } else if (m.status === 'proposed') {
    actions.append(h('p', null, t('awaiting_officer')));
  } else if (m.status === 'confirmed') {
    if (m.has_disclosure) {
      actions.append(h('p', null, t('disclosure_done')));
    } else if (role === 'officer' && recordsDisclosure(m)) {
      actions.append(h('p', null, t('disclosure_needed')),
        h('a', { href: `#/matches/${id}/disclosure`, class: 'button primary', id: 'to-disclosure' }, t('record_disclosure')));
    } else {
      actions.append(h('p', null, t('awaiting_disclosure', { office: m.person.office })));
    }
  } else if (m.status === 'rejected') {
    actions.append(h('p', null, t('rejected_because', { reason: tc('reason_', m.reason || 'other') })));
  }
  if (m.request.visible) {
    actions.append(h('p', null, h('a', { href: `#/cases/${m.request.id}` }, t('open_case_of', { id: m.request.registry_id }))));
  }
  actions.append(status);

  // A partner match: the other side is another organisation's record; the
  // pair's reference is what both offices quote to each other.
  const partner = m.partner
    ? h('p', { class: 'partner-note', id: 'partner-note' }, t('partner_found', { partner: m.partner.organisation, ref: m.partner.pair_ref }))
    : null;
  const hubNote = ex.source === 'hub' ? h('p', { class: 'hint' }, t('wf_hub')) : null;
  if (!live()) return;
  show('title_match', { id: m.id },
    h('p', { class: 'summary' }, statusBadge(m.status), ' ', t('match_summary', { p: formatPercent(m.probability) })),
    partner,
    h('div', { class: 'review' },
      h('section', { class: 'card', 'aria-labelledby': 'cmp-h' }, h('h2', { id: 'cmp-h' }, t('side_by_side')), compare, redacted),
      h('section', { class: 'card', 'aria-labelledby': 'ev-h' }, h('h2', { id: 'ev-h' }, t('evidence')), waterfall(ex, freq), hubNote)),
    actions);
}

async function pageDisclosure(params, id) {
  const live = routeToken();
  loading();
  let m;
  try { m = await api('GET', `/matches/${id}`); } catch (e) { if (!live()) return; show('title_disclosure', null, alertBox(errorText(e))); return; }
  // A found person held by a partner organisation: their contact details
  // are not here; the partner passes them on as a message.
  const partnerHeld = Boolean(m.person.partner);
  const decisions = partnerHeld ? ['nothing', 'alive_and_well', 'message'] : ['nothing', 'alive_and_well', 'message', 'contact'];
  const radios = decisions.map((d) => {
    const rid = nextId('decision');
    return h('div', { class: 'radio block' },
      h('input', { type: 'radio', name: 'decision', id: rid, value: d, 'aria-describedby': `${rid}-help` }),
      h('label', { for: rid }, t(`disclosure_${d}`)),
      h('span', { class: 'hint', id: `${rid}-help` }, t(`disclosure_${d}_help`)));
  });
  const decisionError = h('span', { class: 'field-error', id: 'decision-error' });
  const withholdBox = h('fieldset', { class: 'withhold', hidden: true }, h('legend', null, t('withhold')),
    ['whereabouts', 'phone', 'email'].map((w) => {
      const wid = nextId('withhold');
      return h('span', { class: 'check' }, h('input', { type: 'checkbox', id: wid, name: 'withhold', value: w }), h('label', { for: wid }, t(`withhold_${w}`)));
    }));
  const message = field('message', 'disclosure_message', { textarea: true, wide: true, maxlength: MAX_MESSAGE_CHARS, hint: 'message_hint' });
  message.wrap.hidden = true;
  const status = h('div', { class: 'form-status' });
  const form = h('form', { class: 'card', novalidate: true },
    h('p', { class: 'lead' }, t('disclosure_lead', { person: m.person.registry_id || sideName(m.person), request: m.request.registry_id || sideName(m.request) })),
    partnerHeld ? h('p', { class: 'hint', id: 'disclosure-partner' }, t('disclosure_partner', { partner: m.person.office })) : null,
    h('fieldset', { 'aria-describedby': 'decision-error' }, h('legend', null, t('disclosure_question')), radios, decisionError),
    withholdBox, message.wrap, status,
    h('button', { type: 'submit', class: 'primary' }, t('save_decision')));
  form.addEventListener('change', () => {
    const d = form.querySelector('input[name=decision]:checked');
    withholdBox.hidden = !d || d.value !== 'contact';
    message.wrap.hidden = !d || d.value !== 'message';
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    decisionError.textContent = '';
    setError(message, null);
    const d = form.querySelector('input[name=decision]:checked');
    if (!d) { decisionError.textContent = t('error_choose_decision'); radios[0].querySelector('input').focus(); return; }
    const body = { decision: d.value };
    if (d.value === 'message') {
      const text = message.input.value.trim();
      if (!text) { setError(message, 'error_message_required'); message.input.focus(); return; }
      body.message = text;
    }
    if (d.value === 'contact') body.withhold = [...withholdBox.querySelectorAll('input:checked')].map((x) => x.value);
    try {
      await api('POST', `/matches/${id}/disclosure`, body);
      flash = t('disclosure_saved');
      location.hash = m.request.visible ? `#/cases/${m.request.id}` : `#/matches/${id}`;
    } catch (e) {
      status.append(alertBox(errorText(e)));
    }
  });
  if (!live()) return;
  show('title_disclosure', null, form);
}

// An audit detail ({"match":1,"decision":"contact"}) as "match 1 · decision contact".
function formatDetail(detail) {
  let parsed;
  try { parsed = JSON.parse(detail); } catch (e) { return detail; }
  if (!parsed || typeof parsed !== 'object') return detail;
  return Object.entries(parsed).filter(([k]) => k !== 'time')
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' · ');
}

const CASE_STEPS = ['open', 'match_confirmed', 'disclosure_recorded', 'enquirer_informed', 'reunited'];

async function pageCase(params, id) {
  const live = routeToken();
  loading();
  let c;
  let view = null;
  try { c = await api('GET', `/cases/${id}`); } catch (e) { if (!live()) return; show('title_case', { id }, alertBox(errorText(e))); return; }
  try { view = await api('GET', `/cases/${id}/enquirer-view`); } catch (e) { view = null; }
  const at = CASE_STEPS.indexOf(c.state);
  const steps = h('ol', { class: 'steps' }, CASE_STEPS.map((s, i) => h('li', {
    class: i < at ? 'done' : (i === at ? 'current' : ''), 'aria-current': i === at ? 'step' : null,
  }, tc('case_state_', s))));
  if (c.state === 'closed') steps.append(h('li', { class: 'current', 'aria-current': 'step' }, tc('case_state_', 'closed')));

  let enquirer = null;
  if (view) {
    const contact = Object.entries(view.contact || {});
    enquirer = h('section', { class: 'card enquirer', id: 'enquirer-view', 'aria-labelledby': 'enq-h' },
      h('h2', { id: 'enq-h' }, t('enquirer_view')),
      h('p', { class: 'outcome' }, t(`outcome_${view.outcome}`)),
      view.message ? h('blockquote', { dir: 'auto', class: 'message' }, view.message) : null,
      contact.length ? h('dl', null, contact.map(([k, v]) => [h('dt', null, tc('field_', k)), h('dd', null, bdi(v))])) : null,
      h('p', { class: 'hint' }, t('enquirer_view_help')));
  }
  const status = h('div', { class: 'form-status' });
  const move = (to) => async () => {
    status.replaceChildren();
    try { await api('POST', `/cases/${id}/state`, { state: to }); flash = t('saved'); route(); } catch (e) { status.append(alertBox(errorText(e))); }
  };
  const buttons = [];
  if (c.state === 'disclosure_recorded') buttons.push(h('button', { type: 'button', class: 'primary', onclick: move('enquirer_informed') }, t('mark_informed')));
  if (c.state === 'enquirer_informed') buttons.push(h('button', { type: 'button', class: 'primary', onclick: move('reunited') }, t('mark_reunited')));
  if (c.state !== 'closed' && c.state !== 'reunited') buttons.push(h('button', { type: 'button', onclick: move('closed') }, t('mark_closed')));

  // Repeated reads of the same thing by the same person collapse into one line.
  const events = [];
  for (const e of c.timeline) {
    const last = events[events.length - 1];
    if (last && last.action === e.action && last.actor === e.actor && last.detail === e.detail) last.count += 1;
    else events.push({ ...e, count: 1 });
  }
  const timeline = h('ol', { class: 'timeline' }, events.map((e) => h('li', null,
    h('time', null, formatTime(e.time)), ' ',
    h('strong', null, tc('action_', e.action)), e.count > 1 ? ` ×${e.count}` : '', ' ',
    h('span', { class: 'actor' }, t('by_actor', { actor: e.actor })),
    e.detail ? h('span', { class: 'detail', dir: 'ltr' }, ` (${formatDetail(e.detail)})`) : null)));

  if (!live()) return;
  show('title_case', { id: c.registry_id },
    h('section', { class: 'card', 'aria-labelledby': 'state-h' }, h('h2', { id: 'state-h' }, t('case_state')), steps,
      h('div', { class: 'actions' }, buttons), status,
      h('p', null, h('a', { href: `#/records/${c.request_id}` }, t('open_request')))),
    enquirer,
    h('section', { class: 'card', 'aria-labelledby': 'tl-h' }, h('h2', { id: 'tl-h' }, t('timeline')),
      c.timeline.length ? timeline : h('p', { class: 'empty' }, t('timeline_empty'))));
}

async function pageRecord(params, id) {
  const live = routeToken();
  loading();
  let r;
  try { r = await api('GET', `/records/${id}`); } catch (e) { if (!live()) return; show('title_record', { id }, alertBox(errorText(e))); return; }
  const entries = Object.entries(r.fields);
  if (!live()) return;
  show('title_record', { id: r.registry_id },
    h('p', null, tc('kind_', r.kind), ' · ', t('registered_at', { time: formatTime(r.created_at) })),
    h('section', { class: 'card' }, h('dl', { class: 'record' }, entries.map(([k, v]) => [
      h('dt', null, tc('field_', k)), h('dd', null, bdi(fieldValue(k, v)))]))),
    r.kind === 'request' ? h('p', null, h('a', { href: `#/cases/${r.id}`, class: 'button' }, t('open_case'))) : null);
}

async function pageImport() {
  const kind = field('kind', 'import_kind', { select: [['person', 'kind_person_list'], ['request', 'kind_request_list']] });
  const fileId = nextId('file');
  const fileInput = h('input', { type: 'file', id: fileId, name: 'file', accept: '.csv,text/csv', 'aria-describedby': `${fileId}-hint ${fileId}-error` });
  const fileError = h('span', { class: 'field-error', id: `${fileId}-error` });
  const fileWrap = h('div', { class: 'field wide' }, h('label', { for: fileId }, t('import_file')), fileInput,
    h('span', { class: 'hint', id: `${fileId}-hint` }, t('import_file_hint', { mb: MAX_UPLOAD_BYTES / (1024 * 1024) })), fileError);
  const status = h('div', { class: 'form-status' });
  const preview = h('div', { class: 'preview', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', novalidate: true }, h('div', { class: 'grid' }, kind.wrap, fileWrap), status,
    h('button', { type: 'submit', class: 'primary' }, t('import_check')));
  let text = '';
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    preview.replaceChildren();
    fileError.textContent = '';
    fileInput.removeAttribute('aria-invalid');
    const file = fileInput.files[0];
    const bad = (key, vars) => { fileError.textContent = t(key, vars); fileInput.setAttribute('aria-invalid', 'true'); fileInput.focus(); };
    if (!file) { bad('error_file_required'); return; }
    const typeOk = /\.csv$/i.test(file.name) && (!file.type || /^(text\/csv|text\/plain|application\/vnd\.ms-excel)$/.test(file.type));
    if (!typeOk) { bad('error_file_type_csv'); return; }
    if (file.size > MAX_UPLOAD_BYTES) { bad('error_file_size', { mb: MAX_UPLOAD_BYTES / (1024 * 1024) }); return; }
    if (file.size === 0) { bad('error_file_empty'); return; }
    text = await file.text();
    try {
      const r = await api('POST', `/imports?kind=${kind.input.value}&dry_run=true`, text, { contentType: 'text/csv; charset=utf-8' });
      showPreview(r);
    } catch (e) {
      status.append(alertBox(errorText(e)));
    }
  });
  const showPreview = (r) => {
    const commit = h('button', { type: 'button', class: 'primary', id: 'import-commit', disabled: r.accepted === 0 }, t('import_commit', { n: r.accepted }));
    const result = h('div', { 'aria-live': 'polite' });
    commit.addEventListener('click', async () => {
      commit.disabled = true;
      result.replaceChildren(h('p', { class: 'loading' }, t('importing')));
      try {
        const done = await api('POST', `/imports?kind=${r.kind}&dry_run=false`, text, { contentType: 'text/csv; charset=utf-8' });
        text = '';
        result.replaceChildren(h('div', { class: 'card success', role: 'status' },
          h('p', null, t('import_done', { n: done.accepted, first: done.first_id || '—', last: done.last_id || '—' })),
          h('p', null, t('import_matches', { n: done.potential_matches || 0 })),
          h('p', null, h('a', { href: '#/dashboard', class: 'button primary' }, t('nav_dashboard')))));
      } catch (e) {
        commit.disabled = false;
        result.replaceChildren(alertBox(errorText(e)));
      }
    });
    preview.replaceChildren(h('section', { class: 'card', 'aria-labelledby': 'pv-h' },
      h('h2', { id: 'pv-h' }, t('import_preview')),
      h('p', { class: 'counts' }, t('import_counts', { rows: r.rows, accepted: r.accepted, rejected: r.rejected })),
      h('h3', null, t('import_columns')),
      h('table', { class: 'list' }, h('thead', null, h('tr', null, ['col_column', 'col_header', 'col_field'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', null, r.columns.map((c) => h('tr', { class: c.field ? '' : 'ignored' },
          h('td', null, c.column), h('td', null, bdi(c.name)), h('td', null, c.field ? tc('field_', c.field) : t('column_ignored')))))),
      (r.warnings || []).length ? h('ul', { class: 'warnings' }, r.warnings.map((w) => h('li', null, w))) : null,
      r.rejected ? [h('h3', null, t('import_rejects', { n: r.rejected })),
        h('table', { class: 'list rejects' }, h('thead', null, h('tr', null, ['col_line', 'col_column', 'col_reason'].map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', null, r.rejects.map((x) => h('tr', null, h('td', null, x.line),
            h('td', null, x.column ? `${x.column} (${x.column_name})` : t('whole_row')), h('td', { dir: 'ltr' }, x.reason)))))] : null,
      h('p', { class: 'hint' }, t('import_rejects_kept')),
      commit, result));
  };
  show('title_import', null, h('p', { class: 'lead' }, t('import_lead')), form, preview);
}

async function pageAdmin() {
  const live = routeToken();
  loading();
  let users = [];
  let offices = [];
  const problems = [];
  try { users = (await api('GET', '/users')).users; } catch (e) { problems.push(errorText(e)); }
  try { offices = (await api('GET', '/offices')).offices; } catch (e) { problems.push(errorText(e)); }
  const status = h('div', { class: 'form-status' });
  const userRows = users.map((u) => h('tr', null,
    h('td', null, u.name), h('td', null, u.office || '—'), h('td', null, tc('role_', u.role)),
    h('td', null, u.second_factor ? t('yes') : t('no')),
    h('td', null, u.disabled ? t('account_disabled') : (u.locked ? t('account_locked') : t('account_active'))),
    h('td', null, u.name === state.user.name ? '' : h('button', { type: 'button', onclick: async () => {
      try { await api('PATCH', `/users/${encodeURIComponent(u.name)}`, { disabled: !u.disabled }); flash = t('saved'); route(); } catch (e) { status.append(alertBox(errorText(e))); }
    } }, u.disabled ? t('enable') : t('disable')))));
  const name = field('name', 'username', { dir: 'ltr', maxlength: 64, required: true, hint: 'username_hint' });
  const office = field('office', 'office', { required: true, maxlength: 128 });
  const role = field('role', 'role', { select: [['caseworker', 'role_caseworker'], ['officer', 'role_officer'], ['admin', 'role_admin'], ['auditor', 'role_auditor']] });
  const password = field('password', 'new_password', { type: 'password', autocomplete: 'new-password', dir: 'ltr', required: true, hint: 'password_hint' });
  const twoId = nextId('second');
  const second = h('input', { type: 'checkbox', id: twoId, name: 'second_factor' });
  const created = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card', novalidate: true }, h('h2', null, t('add_user')),
    h('div', { class: 'grid' }, name.wrap, office.wrap, role.wrap, password.wrap,
      h('span', { class: 'check' }, second, h('label', { for: twoId }, t('second_factor_always')))),
    h('button', { type: 'submit', class: 'primary' }, t('add_user')), created);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    created.replaceChildren();
    let bad = false;
    setError(name, /^[a-z0-9._-]{1,64}$/.test(name.input.value.trim()) ? null : 'error_username');
    if (!/^[a-z0-9._-]{1,64}$/.test(name.input.value.trim())) bad = true;
    setError(office, office.input.value.trim() ? null : 'error_required');
    if (!office.input.value.trim()) bad = true;
    setError(password, password.input.value.length >= 12 ? null : 'error_password_short');
    if (password.input.value.length < 12) bad = true;
    if (bad) return;
    try {
      const r = await api('POST', '/users', {
        name: name.input.value.trim(), office: office.input.value.trim(), role: role.input.value,
        password: password.input.value, second_factor: second.checked,
      });
      password.input.value = '';
      created.append(h('div', { class: 'card success', role: 'status' },
        h('p', null, t('user_added', { name: r.name })),
        r.totp_secret ? [h('p', null, t('totp_once')),
          h('p', null, h('code', { dir: 'ltr', class: 'secret' }, r.totp_secret)),
          h('p', null, h('code', { dir: 'ltr', class: 'secret small' }, r.totp_uri))] : null,
        h('button', { type: 'button', onclick: () => route() }, t('done'))));
    } catch (e) {
      created.append(alertBox(errorText(e)));
    }
  });
  const roles = ['caseworker', 'officer', 'admin', 'auditor'];
  if (!live()) return;
  show('title_admin', null, problems.map((p) => alertBox(p)),
    h('section', { class: 'card', 'aria-labelledby': 'users-h' }, h('h2', { id: 'users-h' }, t('users')),
      h('table', { class: 'list' }, h('thead', null, h('tr', null, ['username', 'office', 'role', 'second_factor', 'col_status', 'col_action'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', null, userRows)), status),
    form,
    h('section', { class: 'card', 'aria-labelledby': 'off-h' }, h('h2', { id: 'off-h' }, t('offices')),
      h('table', { class: 'list' }, h('thead', null, h('tr', null, ['office', 'col_users'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', null, offices.map((o) => h('tr', null, h('td', null, o.name), h('td', null, o.users)))))),
    h('section', { class: 'card', 'aria-labelledby': 'roles-h' }, h('h2', { id: 'roles-h' }, t('roles')),
      h('dl', null, roles.map((r) => [h('dt', null, tc('role_', r)), h('dd', null, t(`role_${r}_help`))]))));
}

async function pageAudit(params) {
  const live = routeToken();
  loading();
  const after = Math.max(0, parseInt(params.get('after') || '0', 10) || 0);
  let page;
  try { page = await api('GET', `/audit?after=${after}&limit=100`); } catch (e) { if (!live()) return; show('title_audit', null, alertBox(errorText(e))); return; }
  const verify = h('div', { 'aria-live': 'polite' });
  const table = h('table', { class: 'list audit' },
    h('thead', null, h('tr', null, ['col_seq', 'col_time', 'col_actor', 'col_action', 'col_target', 'col_detail'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', null, page.entries.map((e) => h('tr', null, h('td', null, e.seq), h('td', null, formatTime(e.time)),
      h('td', null, e.actor), h('td', null, tc('action_', e.action), h('span', { class: 'code' }, ` ${e.action}`)),
      h('td', { dir: 'ltr' }, e.target), h('td', { dir: 'ltr', class: 'detail' }, e.detail)))));
  if (!live()) return;
  show('title_audit', null,
    h('p', { class: 'lead' }, t('audit_lead')),
    h('p', { class: 'actions' }, h('button', { type: 'button', id: 'verify', onclick: async () => {
      verify.replaceChildren(h('p', { class: 'loading' }, t('loading')));
      try {
        const r = await api('GET', '/audit/verify');
        verify.replaceChildren(alertBox(r.ok ? t('audit_ok', { n: r.entries }) : t('audit_bad', { seq: r.first_bad_seq, problem: r.problem }), r.ok ? 'ok' : 'error'));
      } catch (e) { verify.replaceChildren(alertBox(errorText(e))); }
    } }, t('audit_verify'))), verify,
    page.entries.length ? table : h('p', { class: 'empty' }, t('audit_empty')),
    h('p', { class: 'actions' },
      after > 0 ? h('a', { class: 'button', href: '#/audit' }, t('audit_first')) : null,
      page.entries.length === 100 ? h('a', { class: 'button', href: `#/audit?after=${page.next_after}` }, t('audit_next')) : null));
}

// ---- The router.

const ROUTES = [
  [/^\/login$/, pageLogin, null],
  [/^\/dashboard$/, pageDashboard, ['caseworker', 'officer']],
  [/^\/register$/, pageRegister, ['caseworker', 'officer']],
  [/^\/search$/, pageSearch, ['caseworker', 'officer']],
  [/^\/import$/, pageImport, ['caseworker', 'officer']],
  [/^\/matches\/(\d+)$/, pageMatch, ['caseworker', 'officer']],
  [/^\/matches\/(\d+)\/disclosure$/, pageDisclosure, ['officer']],
  [/^\/cases\/(\d+)$/, pageCase, ['caseworker', 'officer']],
  [/^\/records\/(\d+)$/, pageRecord, ['caseworker', 'officer']],
  [/^\/admin$/, pageAdmin, ['admin']],
  [/^\/audit$/, pageAudit, ['auditor']],
];

let routing = 0;
// A page that awaited the API must not draw over a page opened since.
function routeToken() {
  const token = routing;
  return () => token === routing;
}

async function route() {
  const ticket = ++routing;
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  const params = new URLSearchParams(query || '');
  if (!state.user && path !== '/login') {
    try {
      const me = await api('GET', '/me');
      state.user = me.user;
      state.csrf = me.csrf_token;
    } catch (e) {
      if (ticket !== routing) return;
      header();
      location.hash = '#/login';
      if (path === '/login') pageLogin();
      return;
    }
  }
  if (ticket !== routing) return;
  header();
  if (path === '/' || path === '') { location.hash = home(); return; }
  for (const [re, page, roles] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    if (roles && (!state.user || !roles.includes(state.user.role))) {
      show('title_forbidden', null, alertBox(t('error_forbidden')), h('p', null, h('a', { href: home() }, t('go_home'))));
      return;
    }
    await page(params, m[1]);
    return;
  }
  show('title_not_found', null, h('p', null, h('a', { href: home() }, t('go_home'))));
}

window.addEventListener('hashchange', route);
applyLanguage();
route();
