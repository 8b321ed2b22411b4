'use strict';
// The regulators' page (with common.js and log-check.js): findings and their proofs, the access
// trail, consent rates drawn in SVG, patients' concerns to triage, and the public log checked in
// the browser. Plain DOM, no framework, no third-party request; French and English.

const TEXT = {
  fr: {
    skip: 'Aller au contenu', brand: 'Contrôle des consentements', signOut: 'Se déconnecter', navLabel: 'Rubriques',
    navFindings: 'Constats', navTrail: 'Journal des accès', navRates: 'Taux de consentement', navConcerns: 'Signalements',
    navLog: 'Journal public', loading: 'Chargement…', switchTo: 'English',
    signInTitle: 'Se connecter', portalOnly: 'Ouvrez cette page depuis le portail de l’autorité : il vous connecte automatiquement.',
    demo: 'Se connecter comme contrôleur de démonstration', demoNote: 'Environnement de démonstration : aucune vraie donnée.',
    findingsTitle: 'Constats', findingsIntro: 'Ce que le journal montre d’anormal. Chaque constat cite les entrées du journal public qui le prouvent.',
    kind: 'Type de constat', anyKind: 'Tous', application: 'Application', anyApp: 'Toutes', from: 'Du', to: 'Au',
    patient: 'Patient (identifiant)', purpose: 'Utilisation', anyPurpose: 'Toutes',
    reason: 'Motif de la consultation', reasonHint: 'Obligatoire, 10 caractères au moins : chaque patient concerné le verra.',
    search: 'Rechercher', csv: 'Télécharger en CSV', none: 'Aucun résultat.', total: '{n} résultat(s).', more: 'Voir plus',
    totalMore: 'Plus de {n} résultats : précisez la recherche.',
    ACCESS_WITHOUT_CONSENT: 'Accès sans consentement', UNDECLARED_PURPOSE: 'Utilisation non déclarée',
    ACCESS_WHILE_SUSPENDED: 'Accès pendant une suspension', LATE_REPORT: 'Déclaration tardive', PURGE_OVERDUE: 'Effacement en retard',
    when: 'Date', what: 'Constat', detail: 'Détail', proofs: 'Preuves', entries: 'entrées {l}',
    checkProofs: 'Vérifier', checking: 'Vérification…',
    proven: 'Les entrées citées ({n}) figurent dans le journal public signé ({s} entrées), confirmé par {w} témoin(s).',
    notProven: 'Non vérifié :', why_proof: 'une preuve ne mène pas au journal signé.', why_signature: 'la signature du journal n’est pas valable.',
    why_unavailable: 'le service ne répond pas.', why_browser: 'ce navigateur ne sait pas vérifier les signatures.',
    trailTitle: 'Journal des accès', trailIntro: 'Les accès déclarés par les applications et les consultations des autorités, les plus récents en premier.',
    who: 'Qui', data: 'Données', outcome: 'Résultat', PERMIT: 'autorisé', DENY: 'refusé', leaf: 'Entrée',
    ratesTitle: 'Taux de consentement', ratesIntro: 'Pour chaque application et utilisation : les choix des patients aujourd’hui, puis mois par mois.',
    GRANTED: 'Accepté', REFUSED: 'Refusé', WITHDRAWN: 'Retiré', NOT_SET: 'Pas décidé', patients: '{n} patients',
    monthly: 'Mois par mois', chartOf: 'Choix de {n} patients pour {p} : {g} acceptés, {r} refusés, {w} retirés, {u} pas décidés.',
    monthChart: 'Décisions par mois pour {p} ({a})', month: 'Mois', show: 'Afficher',
    CARE: 'Soins', STATISTICS: 'Statistiques et recherche', SERVICE_IMPROVEMENT: 'Amélioration du service',
    COMMERCIALISATION: 'Utilisation commerciale',
    concernsTitle: 'Signalements', concernsIntro: 'Les inquiétudes des patients au sujet d’une application, à examiner puis à répondre.',
    status: 'État', RECEIVED: 'Reçu', UNDER_REVIEW: 'En cours d’examen', ANSWERED: 'Répondu',
    USED_DESPITE_REFUSAL: 'Données utilisées malgré un refus', REFUSAL_COST_ME_THE_SERVICE: 'Refuser faisait perdre le service',
    DID_NOT_UNDERSTAND: 'Le patient n’a pas compris ce qu’il acceptait', OTHER: 'Autre',
    review: 'Prendre en charge', answerLabel: 'Réponse au patient', answerSend: 'Envoyer la réponse',
    answered: 'Réponse envoyée. Le patient la lira sur sa page.', reviewing: 'Signalement pris en charge.',
    filedBy: 'Déposé par {p}', on: 'le {d}', answerOf: 'Réponse de {r} :',
    logTitle: 'Journal public', logIntro: 'Le dernier point de contrôle du journal, vérifié dans ce navigateur avec la clé publique du service et celles des témoins.',
    check: 'Vérifier le point de contrôle', origin: 'Journal', size: 'Entrées', root: 'Racine',
    logOk: 'Signature du service valable ; confirmé par {w} témoin(s) indépendant(s).',
    errSession: 'Votre session a expiré. Reconnectez-vous.', errNetwork: 'Le service ne répond pas. Réessayez dans quelques minutes.',
    errInput: 'Vérifiez le champ « {f} » : {m}', errOther: 'Une erreur est survenue. Réessayez plus tard.',
    errConflict: 'Ce signalement a déjà reçu une réponse.'
  },
  en: {
    skip: 'Skip to content', brand: 'Consent supervision', signOut: 'Sign out', navLabel: 'Sections',
    navFindings: 'Findings', navTrail: 'Access trail', navRates: 'Consent rates', navConcerns: 'Concerns',
    navLog: 'Public log', loading: 'Loading…', switchTo: 'Français',
    signInTitle: 'Sign in', portalOnly: 'Open this page from the authority’s portal: it signs you in automatically.',
    demo: 'Sign in as the demonstration regulator', demoNote: 'Demonstration environment: no real data.',
    findingsTitle: 'Findings', findingsIntro: 'What the trail shows to be wrong. Each finding names the entries of the public log that prove it.',
    kind: 'Kind of finding', anyKind: 'All', application: 'App', anyApp: 'All', from: 'From', to: 'To',
    patient: 'Patient (id)', purpose: 'Use', anyPurpose: 'All',
    reason: 'Reason for reading', reasonHint: 'Required, at least 10 characters: each patient concerned will see it.',
    search: 'Search', csv: 'Download as CSV', none: 'No result.', total: '{n} result(s).', more: 'Show more',
    totalMore: 'More than {n} results: narrow the search.',
    ACCESS_WITHOUT_CONSENT: 'Access without consent', UNDECLARED_PURPOSE: 'Undeclared use',
    ACCESS_WHILE_SUSPENDED: 'Access while suspended', LATE_REPORT: 'Late report', PURGE_OVERDUE: 'Erasure overdue',
    when: 'Date', what: 'Finding', detail: 'Detail', proofs: 'Proofs', entries: 'entries {l}',
    checkProofs: 'Check', checking: 'Checking…',
    proven: 'The entries named ({n}) are in the signed public log ({s} entries), confirmed by {w} witness(es).',
    notProven: 'Not checked:', why_proof: 'a proof does not lead to the signed log.', why_signature: 'the log’s signature is not valid.',
    why_unavailable: 'the service does not answer.', why_browser: 'this browser cannot check signatures.',
    trailTitle: 'Access trail', trailIntro: 'Accesses reported by apps and reads by authorities, newest first.',
    who: 'Who', data: 'Data', outcome: 'Outcome', PERMIT: 'permitted', DENY: 'denied', leaf: 'Entry',
    ratesTitle: 'Consent rates', ratesIntro: 'For each app and use: what patients chose as of today, then month by month.',
    GRANTED: 'Granted', REFUSED: 'Refused', WITHDRAWN: 'Withdrawn', NOT_SET: 'Not decided', patients: '{n} patients',
    monthly: 'Month by month', chartOf: 'Choices of {n} patients for {p}: {g} granted, {r} refused, {w} withdrawn, {u} not decided.',
    monthChart: 'Decisions per month for {p} ({a})', month: 'Month', show: 'Show',
    CARE: 'Care', STATISTICS: 'Statistics and research', SERVICE_IMPROVEMENT: 'Service improvement',
    COMMERCIALISATION: 'Commercial use',
    concernsTitle: 'Concerns', concernsIntro: 'Patients’ concerns about an app, to review and answer.',
    status: 'Status', RECEIVED: 'Received', UNDER_REVIEW: 'Under review', ANSWERED: 'Answered',
    USED_DESPITE_REFUSAL: 'Data used despite a refusal', REFUSAL_COST_ME_THE_SERVICE: 'Refusing cost the service',
    DID_NOT_UNDERSTAND: 'The patient did not understand what they agreed to', OTHER: 'Other',
    review: 'Start review', answerLabel: 'Answer to the patient', answerSend: 'Send the answer',
    answered: 'Answer sent. The patient will read it on their page.', reviewing: 'Concern under review.',
    filedBy: 'Filed by {p}', on: 'on {d}', answerOf: 'Answer from {r}:',
    logTitle: 'Public log', logIntro: 'The log’s latest checkpoint, checked in this browser with the service’s public key and the witnesses’ keys.',
    check: 'Check the checkpoint', origin: 'Log', size: 'Entries', root: 'Root',
    logOk: 'The service’s signature is valid; confirmed by {w} independent witness(es).',
    errSession: 'Your session has expired. Sign in again.', errNetwork: 'The service does not answer. Try again in a few minutes.',
    errInput: 'Check the field “{f}”: {m}', errOther: 'Something went wrong. Try again later.',
    errConflict: 'This concern has already been answered.'
  }
};

const KINDS = ['ACCESS_WITHOUT_CONSENT', 'UNDECLARED_PURPOSE', 'ACCESS_WHILE_SUSPENDED', 'LATE_REPORT', 'PURGE_OVERDUE'];
const PURPOSES = ['CARE', 'STATISTICS', 'SERVICE_IMPROVEMENT', 'COMMERCIALISATION'];
const STATES = ['GRANTED', 'REFUSED', 'WITHDRAWN', 'NOT_SET'];
const TOKEN_KEY = 'consent.regulator.token';
const state = { lang: 'fr', token: null, view: 'findings', apps: [], reason: '' };

function t(key, vars) {
  let s = TEXT[state.lang][key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace('{' + k + '}', v);
  return s;
}

const api = (path, options = {}) => callApi(path, options, state.token);
const json = async (path, options) => (await api(path, options)).json();
const date = (iso) => formatDate(iso, state.lang);

function fail(error) {
  const problem = error.problem || {};
  const field = (problem.errors || problem.fields || [])[0];
  if (error.status === 0) warn(t('errNetwork'));
  else if (error.status === 401) { warn(t('errSession')); signOut(false); }
  else if (error.status === 409) warn(t('errConflict'));
  else if (error.status === 400 && field) {
    // The field as the form names it, and the cursor put there.
    const control = $('view').querySelector('[name="' + CSS.escape(field.field || '') + '"]');
    const label = control && control.id && $('view').querySelector('label[for="' + control.id + '"]');
    warn(t('errInput', { f: label ? label.textContent : field.field, m: field.message || '' }));
    if (control) control.focus();
  }
  else warn(t('errOther'));
}

// ---- Sign-in: the authority's portal passes a REGULATOR token in the URL fragment ----

function readToken() {
  state.token = tokenFromFragment(TOKEN_KEY);
}

async function signInView() {
  const view = [h('h1', { tabindex: '-1' }, t('signInTitle'))];
  let dev = false;
  try { dev = (await fetch('/dev/demo-patients')).ok; } catch (e) { dev = false; }
  if (dev) {
    view.push(h('p', { class: 'muted' }, t('demoNote')),
      h('p', {}, h('button', { type: 'button', class: 'primary', onclick: demoSignIn }, t('demo'))));
  } else {
    view.push(h('p', {}, t('portalOnly')));
  }
  show(view);
}

async function demoSignIn() {
  try {
    const answer = await json('/dev/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ subject: 'demo-regulator', roles: ['REGULATOR'] }) });
    state.token = answer.token;
    sessionStorage.setItem(TOKEN_KEY, state.token);
    await go('findings');
  } catch (e) {
    fail(e);
  }
}

function signOut(clearMessages = true) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  $('nav').hidden = true;
  $('signout').hidden = true;
  if (clearMessages) say('');
  signInView();
}

// ---- Views ----

function show(children) {
  $('view').replaceChildren(...children);
}

async function go(name, focus = true) {
  state.view = name;
  $('nav').hidden = false;
  $('signout').hidden = false;
  for (const b of document.querySelectorAll('nav button')) {
    if (b.dataset.view === name) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
  }
  try {
    if (!state.apps.length) state.apps = await json('/api/v1/applications');
    await VIEWS[name]();
    if (focus) {
      say('');
      $('view').querySelector('h1').focus();
    }
  } catch (e) {
    fail(e);
  }
}

const appName = (id) => (state.apps.find((a) => a.id === id) || {}).name || id;

// A labelled field; `control` is the input or select itself.
function field(id, label, control, hint) {
  control.id = id;
  if (hint) control.setAttribute('aria-describedby', id + '-hint');
  return h('p', { class: 'field' }, h('label', { for: id }, label), h('br'), control,
    hint ? h('span', { id: id + '-hint', class: 'muted hint' }, hint) : null);
}

function choice(name, any, values, label) {
  return h('select', { name }, h('option', { value: '' }, any), values.map((v) => h('option', { value: v }, label(v))));
}

function reasonField() {
  return field('reason', t('reason'), h('input', { name: 'reason', type: 'text', required: true, minlength: '10',
    maxlength: '500', value: state.reason, autocomplete: 'off' }), t('reasonHint'));
}

// The query string of a search form's filled fields.
function query(form, names) {
  const params = new URLSearchParams();
  for (const n of names) if (form[n] && form[n].value.trim()) params.set(n, form[n].value.trim());
  state.reason = form.reason ? form.reason.value.trim() : state.reason;
  return params;
}

function table(caption, columns, rows) {
  return h('table', {}, h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell, i) => h('td', { 'data-label': columns[i] }, cell))))));
}

// ---- Findings ----

async function findingsView() {
  const results = h('div', { id: 'results' });
  const form = h('form', { class: 'card filters', novalidate: true, onsubmit: (e) => { e.preventDefault(); searchFindings(form, results, 0, []); } },
    field('kind', t('kind'), choice('kind', t('anyKind'), KINDS, t)),
    field('applicationId', t('application'), choice('applicationId', t('anyApp'), state.apps.map((a) => a.id), appName)),
    field('from', t('from'), h('input', { name: 'from', type: 'date' })),
    field('to', t('to'), h('input', { name: 'to', type: 'date' })),
    reasonField(),
    h('p', { class: 'choices' }, h('button', { type: 'submit', class: 'primary' }, t('search')),
      h('button', { type: 'button', onclick: () => downloadCsv(form) }, t('csv'))));
  show([h('h1', { tabindex: '-1' }, t('findingsTitle')), h('p', {}, t('findingsIntro')), form, results]);
}

const FINDING_FILTERS = ['kind', 'applicationId', 'from', 'to', 'reason'];

async function searchFindings(form, results, page, shown) {
  try {
    const params = query(form, FINDING_FILTERS);
    params.set('page', page);
    params.set('size', '50');
    const answer = await json('/api/v1/audit/findings?' + params);
    const all = shown.concat(answer.items);
    const rows = all.map((f) => {
      const leaves = [f.record.leafIndex, ...f.events.map((e) => e.leafIndex)];
      const cell = h('span', {});
      cell.append(h('span', {}, t('entries', { l: leaves.join(', ') })), h('br'),
        h('button', { type: 'button', onclick: () => checkLeaves(leaves, cell) }, t('checkProofs')));
      return [date(f.at), t(f.kind), appName(f.applicationId), h('bdi', {}, f.patientId), f.detail, cell];
    });
    const total = answer.totalExact === false ? t('totalMore', { n: answer.totalItems }) : t('total', { n: answer.totalItems });
    results.replaceChildren(h('p', {}, total),
      all.length ? table(t('findingsTitle'), [t('when'), t('what'), t('application'), t('patient'), t('detail'), t('proofs')], rows)
        : h('p', {}, t('none')),
      answer.page + 1 < answer.totalPages
        ? h('p', {}, h('button', { type: 'button', onclick: () => searchFindings(form, results, page + 1, all) }, t('more'))) : '');
    say(total);
  } catch (e) {
    fail(e);
  }
}

async function downloadCsv(form) {
  try {
    const params = query(form, FINDING_FILTERS);
    params.set('format', 'csv');
    params.set('size', '1000');
    downloadBlob(await (await api('/api/v1/audit/findings?' + params, { headers: { Accept: 'text/csv' } })).blob(),
      'findings.csv');
  } catch (e) {
    fail(e);
  }
}

// The latest signed checkpoint, checked; then each leaf's inclusion proof in it.
async function checkLeaves(leaves, cell) {
  cell.replaceChildren(t('checking'));
  let message;
  try {
    const cp = await LogCheck.checkpoint(await LogCheck.publicText('/log/checkpoint'));
    for (const leaf of leaves) {
      const proof = await json('/api/v1/audit/proofs/inclusion?leaf=' + leaf + '&treeSize=' + cp.size);
      if (!(await LogCheck.includes(cp, leaf, LogCheck.fromHex(proof.leafHash), proof.proof))) throw new Error('proof');
    }
    message = t('proven', { n: leaves.length, s: cp.size, w: cp.witnesses });
  } catch (e) {
    const reason = ['proof', 'signature', 'unavailable'].includes(e.message) ? e.message
      : e instanceof ApiError ? 'unavailable' : 'browser';
    message = t('notProven') + ' ' + t('why_' + reason);
  }
  cell.replaceChildren(message);
  say(message);
}

// ---- The access trail ----

const TRAIL_FILTERS = ['applicationId', 'patientId', 'purpose', 'from', 'to', 'reason'];

async function trailView() {
  const results = h('div', { id: 'results' });
  const form = h('form', { class: 'card filters', novalidate: true, onsubmit: (e) => { e.preventDefault(); searchTrail(form, results, 0, []); } },
    field('applicationId', t('application'), choice('applicationId', t('anyApp'), state.apps.map((a) => a.id), appName)),
    field('patientId', t('patient'), h('input', { name: 'patientId', type: 'text', autocomplete: 'off' })),
    field('purpose', t('purpose'), choice('purpose', t('anyPurpose'), PURPOSES, t)),
    field('from', t('from'), h('input', { name: 'from', type: 'date' })),
    field('to', t('to'), h('input', { name: 'to', type: 'date' })),
    reasonField(),
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, t('search'))));
  show([h('h1', { tabindex: '-1' }, t('trailTitle')), h('p', {}, t('trailIntro')), form, results]);
}

async function searchTrail(form, results, page, shown) {
  try {
    const params = query(form, TRAIL_FILTERS);
    params.set('page', page);
    params.set('size', '50');
    const answer = await json('/api/v1/audit/access-records?' + params);
    const all = shown.concat(answer.items);
    const rows = all.map((r) => [date(r.at), h('bdi', {}, r.applicationId + ' · ' + r.actor), h('bdi', {}, r.patientId),
      r.purpose ? t(r.purpose) : h('bdi', {}, r.reason || ''), h('bdi', {}, r.dataCategory), t(r.outcome),
      r.leafIndex == null ? '—' : String(r.leafIndex)]);
    results.replaceChildren(h('p', {}, t('total', { n: answer.totalItems })),
      all.length ? table(t('trailTitle'), [t('when'), t('who'), t('patient'), t('purpose'), t('data'), t('outcome'), t('leaf')], rows)
        : h('p', {}, t('none')),
      answer.page + 1 < answer.totalPages
        ? h('p', {}, h('button', { type: 'button', onclick: () => searchTrail(form, results, page + 1, all) }, t('more'))) : '');
    say(t('total', { n: answer.totalItems }));
  } catch (e) {
    fail(e);
  }
}

// ---- Consent rates, drawn in SVG (the numbers are also written out) ----

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  for (const c of children.flat()) if (c != null) el.append(c instanceof Node ? c : String(c));
  return el;
}

async function ratesView() {
  const [rates, monthly] = await Promise.all([json('/api/v1/reports/consent-rates'), json('/api/v1/reports/consent-rates/monthly')]);
  const cards = rates.map((r) => {
    const label = t(r.purpose) + ' — ' + r.applicationName;
    const counts = { GRANTED: r.granted, REFUSED: r.refused, WITHDRAWN: r.withdrawn, NOT_SET: r.notSet };
    const summary = t('chartOf', { n: r.patients, p: label, g: r.granted, r: r.refused, w: r.withdrawn, u: r.notSet });
    let x = 0;
    const bars = STATES.map((s) => {
      const width = r.patients ? (counts[s] / r.patients) * 300 : 0;
      const bar = svg('rect', { x, y: 0, width, height: 24, class: 'bar-' + s });
      x += width;
      return bar;
    });
    return h('figure', { class: 'card rate' }, h('figcaption', {}, h('strong', {}, label), ' · ', t('patients', { n: r.patients })),
      svg('svg', { viewBox: '0 0 300 24', width: '100%', height: '24', role: 'img', 'aria-label': summary, preserveAspectRatio: 'none' },
        svg('title', {}, summary), bars),
      h('ul', { class: 'legend' }, STATES.map((s) => h('li', {}, h('span', { class: 'swatch bar-' + s, 'aria-hidden': 'true' }),
        ' ' + t(s) + ' : ' + counts[s]))));
  });
  const pick = h('form', { class: 'card filters', novalidate: true, onsubmit: (e) => { e.preventDefault(); drawMonthly(pick, monthly, chart); } },
    field('m-app', t('application'), choice('app', '—', state.apps.map((a) => a.id), appName)),
    field('m-purpose', t('purpose'), choice('purpose', '—', PURPOSES, t)),
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, t('show'))));
  const chart = h('div', {});
  show([h('h1', { tabindex: '-1' }, t('ratesTitle')), h('p', {}, t('ratesIntro')), ...cards,
    h('h2', {}, t('monthly')), pick, chart]);
}

function drawMonthly(form, monthly, chart) {
  const app = form.app.value;
  const purpose = form.purpose.value;
  const months = monthly.filter((m) => m.applicationId === app && m.purpose === purpose);
  const title = t('monthChart', { p: t(purpose), a: appName(app) });
  if (!months.length) {
    chart.replaceChildren(h('p', {}, t('none')));
    return;
  }
  const top = Math.max(1, ...months.flatMap((m) => [m.granted, m.refused, m.withdrawn]));
  const groups = months.map((m, i) => svg('g', { transform: 'translate(' + (i * 60 + 30) + ',0)' },
    ['granted', 'refused', 'withdrawn'].map((k, j) => {
      const height = (m[k] / top) * 120;
      return svg('rect', { x: j * 14, y: 130 - height, width: 12, height, class: 'bar-' + k.toUpperCase() });
    }),
    svg('text', { x: 20, y: 148, 'text-anchor': 'middle', class: 'axis' }, m.month)));
  chart.replaceChildren(h('figure', { class: 'card' }, h('figcaption', {}, h('strong', {}, title)),
    svg('svg', { viewBox: '0 0 ' + (months.length * 60 + 40) + ' 156', width: '100%', role: 'img', 'aria-label': title },
      svg('title', {}, title), svg('line', { x1: 20, y1: 130, x2: months.length * 60 + 30, y2: 130, class: 'axis-line' }), groups),
    table(title, [t('month'), t('GRANTED'), t('REFUSED'), t('WITHDRAWN')],
      months.map((m) => [m.month, String(m.granted), String(m.refused), String(m.withdrawn)]))));
}

// ---- Concerns to triage ----

async function concernsView(status = 'RECEIVED') {
  const list = h('div', {});
  const form = h('form', { class: 'card filters', novalidate: true, onsubmit: (e) => { e.preventDefault(); listConcerns(form.status.value, list); } },
    field('c-status', t('status'), h('select', { name: 'status' },
      ['RECEIVED', 'UNDER_REVIEW', 'ANSWERED'].map((s) => h('option', { value: s, selected: s === status }, t(s))))),
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, t('show'))));
  show([h('h1', { tabindex: '-1' }, t('concernsTitle')), h('p', {}, t('concernsIntro')), form, list]);
  await listConcerns(status, list);
}

async function listConcerns(status, list) {
  const answer = await json('/api/v1/concerns?size=50&status=' + status);
  list.replaceChildren(h('p', {}, t('total', { n: answer.totalItems })), ...answer.items.map((c) => concernCard(c, list)));
}

// The patient's words are shown as text, line breaks kept.
function concernCard(c, list) {
  const id = 'c-' + c.id;
  const actions = [];
  if (c.status === 'RECEIVED') {
    actions.push(h('button', { type: 'button', onclick: () => triage(c, { status: 'UNDER_REVIEW' }, list, 'reviewing') }, t('review')));
  }
  if (c.status !== 'ANSWERED') {
    const form = h('form', { onsubmit: (e) => { e.preventDefault(); triage(c, { status: 'ANSWERED', answer: form.answer.value }, list, 'answered'); } },
      field(id + '-answer', t('answerLabel'), h('textarea', { name: 'answer', rows: '3', maxlength: '2000', required: true })),
      h('button', { type: 'submit', class: 'primary' }, t('answerSend')));
    actions.push(form);
  }
  return h('section', { class: 'card concern', 'aria-labelledby': id },
    h('h2', { id }, h('bdi', {}, appName(c.applicationId)), ' — ', t(c.category)),
    h('p', { class: 'muted' }, t('filedBy', { p: c.filedBy }), ' ', t('on', { d: date(c.createdAt) }), ' · ', h('strong', {}, t(c.status))),
    h('p', { class: 'words' }, h('bdi', {}, c.text)),
    c.answer ? h('div', { class: 'answer' }, h('p', {}, t('answerOf', { r: c.answeredBy })), h('p', { class: 'words' }, h('bdi', {}, c.answer))) : null,
    actions);
}

async function triage(c, body, list, done) {
  try {
    await json('/api/v1/concerns/' + c.id, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await listConcerns(c.status, list);
    say(t(done));
  } catch (e) {
    fail(e);
  }
}

// ---- The public log ----

async function logView() {
  const out = h('div', {});
  show([h('h1', { tabindex: '-1' }, t('logTitle')), h('p', {}, t('logIntro')),
    h('p', {}, h('button', { type: 'button', class: 'primary', onclick: () => checkLog(out) }, t('check'))), out]);
}

async function checkLog(out) {
  out.replaceChildren(t('checking'));
  let message;
  try {
    const cp = await LogCheck.checkpoint(await LogCheck.publicText('/log/checkpoint'));
    message = t('logOk', { w: cp.witnesses });
    out.replaceChildren(h('dl', { class: 'card' }, h('dt', {}, t('origin')), h('dd', {}, cp.origin),
      h('dt', {}, t('size')), h('dd', {}, String(cp.size)), h('dt', {}, t('root')), h('dd', { class: 'hash' }, LogCheck.toHex(cp.root))),
    h('p', {}, message));
  } catch (e) {
    message = t('notProven') + ' ' + t('why_' + (['signature', 'unavailable'].includes(e.message) ? e.message : 'browser'));
    out.replaceChildren(h('p', {}, message));
  }
  say(message);
}

const VIEWS = { findings: findingsView, trail: trailView, rates: ratesView, concerns: () => concernsView(), log: logView };

// ---- Start ----

startPage({ state, t, go, signInView, signOut, readToken, first: 'findings' });
