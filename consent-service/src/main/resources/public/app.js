'use strict';
// The patients' page (with common.js and log-check.js): plain DOM, no framework, no third-party request. Every text is in French
// and English; data from the API is only ever inserted as text, never as HTML.

const TEXT = {
  fr: {
    EXPIRED: 'Accord arrivé à échéance', grantedUntil: 'Accepté jusqu’au {d}', fullText: 'Lire le texte complet',
    readAloud: 'Écouter', stopReading: 'Arrêter la lecture', duration: 'Durée de mon accord',
    untilChange: 'Jusqu’à ce que je change d’avis', longest: 'Le plus longtemps permis ({n} jours)',
    oneMonth: '1 mois', sixMonths: '6 mois', oneYear: '1 an', limited: 'Accord limité à {n} jours au plus.',
    erasurePending: 'Effacement de vos données demandé à l’application le {d} : en attente de sa confirmation.',
    erasureDone: 'L’application a confirmé le {d} avoir effacé les données utilisées pour cela.',
    expiry: 'automatiquement, à l’échéance', service: 'Le service', receiptCol: 'Reçu', receipt: 'Reçu',
    receiptTitle: 'Reçu de consentement', receiptIntro: 'La preuve de ce choix, signée par le service. Gardez-la, imprimez-la ou téléchargez-la.',
    receiptId: 'Numéro', controller: 'Responsable', noticeVersion: 'Version du texte', noticeHash: 'Empreinte du texte (SHA-256)',
    receiptState: 'Choix', receiptWhen: 'Date du choix', receiptBy: 'Décidé par', receiptChannel: 'Canal',
    receiptLeaf: 'Entrée du journal public', print: 'Imprimer', downloadReceipt: 'Télécharger le reçu signé',
    back: 'Retour à l’historique', WEB: 'cette page', API: 'une autre application', CASCADE: 'automatique', EXPIRY: 'échéance',
    navConcerns: 'Signaler un problème', concernsTitle: 'Signaler un problème',
    concernsIntro: 'Quelque chose vous inquiète dans la façon dont une application utilise vos données ? Dites-le à l’autorité de contrôle. L’application n’en est pas informée par ce service.',
    concernApp: 'Application concernée', concernWhat: 'Ce qui s’est passé',
    USED_DESPITE_REFUSAL: 'Mes données ont servi à quelque chose que j’avais refusé',
    REFUSAL_COST_ME_THE_SERVICE: 'Je ne pouvais pas refuser sans perdre le service',
    DID_NOT_UNDERSTAND: 'Je n’ai pas compris ce que j’acceptais', OTHER: 'Autre chose',
    concernText: 'Racontez avec vos mots', concernHint: 'Jusqu’à 2 000 caractères. N’indiquez pas d’informations médicales inutiles.',
    send: 'Envoyer le signalement', sent: 'Votre signalement a été envoyé à l’autorité de contrôle.',
    concernMissing: 'Choisissez une application, ce qui s’est passé, et écrivez quelques mots.',
    myConcerns: 'Mes signalements', noConcerns: 'Vous n’avez encore rien signalé.',
    RECEIVED: 'Reçu', UNDER_REVIEW: 'En cours d’examen', ANSWERED: 'Réponse reçue', answer: 'Réponse de l’autorité :',
    sentOn: 'Envoyé le {d}', tooManyConcerns: 'Vous avez envoyé beaucoup de signalements. Réessayez plus tard.',
    skip: 'Aller au contenu', brand: 'Mes consentements santé', signOut: 'Se déconnecter', navLabel: 'Rubriques',
    navApps: 'Mes applications', navLog: 'Qui a consulté mes données', navHistory: 'Historique de mes choix',
    navExport: 'Télécharger mes données', loading: 'Chargement…', switchTo: 'English',
    signInTitle: 'Se connecter', signInIntro: 'Choisissez une personne de démonstration pour essayer la page.',
    signInAs: 'Se connecter comme', demoNote: 'Environnement de démonstration : aucune vraie donnée.',
    portalOnly: 'Ouvrez cette page depuis votre espace santé : il vous connecte automatiquement.',
    appsTitle: 'Mes applications',
    appsIntro: 'Pour chaque application, vous décidez de chaque utilisation de vos données. Les utilisations facultatives sont désactivées tant que vous ne les acceptez pas. Les refuser ne change rien à vos soins.',
    by: 'Éditeur :', care: 'Connexion pour vos soins', optional: 'Utilisations facultatives',
    state: 'Votre choix :', GRANTED: 'Accepté', REFUSED: 'Refusé', WITHDRAWN: 'Accord retiré', NOT_SET: 'Pas encore décidé',
    connect: 'Connecter l’application', dontConnect: 'Ne pas connecter', disconnect: 'Déconnecter l’application',
    accept: 'Accepter', refuse: 'Refuser', withdraw: 'Retirer mon accord',
    needCare: 'Connectez d’abord l’application pour vos soins pour pouvoir accepter cette utilisation.',
    reconsent: 'Le texte a changé depuis votre accord : décidez à nouveau.',
    suspended: 'Cette application est suspendue : elle ne peut plus utiliser vos données.',
    choiceFor: 'Votre choix pour : ',
    savedGRANTED: 'C’est enregistré : vous avez accepté « {p} » pour {a}.',
    savedREFUSED: 'C’est enregistré : vous avez refusé « {p} » pour {a}.',
    savedWITHDRAWN: 'C’est enregistré : vous avez retiré votre accord pour « {p} » ({a}).',
    cascade: 'Les utilisations facultatives de cette application ont aussi été arrêtées.',
    CARE: 'Vos soins', STATISTICS: 'Statistiques et recherche', SERVICE_IMPROVEMENT: 'Amélioration du service',
    COMMERCIALISATION: 'Utilisation commerciale', SUPERVISION: 'Contrôle par l’autorité de santé',
    logTitle: 'Qui a consulté mes données', logIntro: 'Chaque consultation de vos données, la plus récente en premier.',
    logEmpty: 'Personne n’a encore consulté vos données.', when: 'Date', who: 'Qui', why: 'Pour quoi', what: 'Quelles données',
    regulator: 'Autorité de contrôle', reasonGiven: 'Motif donné :', denied: 'refusé', more: 'Voir plus',
    namedBy: 'personne ou service indiqué par l’application :', badRow: 'Cette ligne ne peut pas être affichée.',
    tooMany: 'Trop de changements d’un coup. Attendez un peu, puis réessayez.',
    verifyCol: 'Preuve', verify: 'Vérifier', checking: 'Vérification…', notYet: 'En cours d’inscription au journal',
    checked0: 'Cette entrée figure dans le journal public signé par le service ; aucun témoin indépendant ne l’a encore confirmée.',
    checked1: 'Cette entrée figure dans le journal public, confirmée par un témoin indépendant.',
    checked: 'Cette entrée figure dans le journal public, confirmée par {n} témoins indépendants.',
    notChecked: 'Nous n’avons pas pu vérifier cette entrée :',
    why_record: 'elle ne correspond pas à ce que le journal contient.', why_proof: 'la preuve ne mène pas au journal signé.',
    why_signature: 'la signature du journal n’est pas valable.', why_unavailable: 'le service ne répond pas ; réessayez plus tard.',
    why_browser: 'votre navigateur ne sait pas vérifier les signatures.',
    historyTitle: 'Historique de mes choix', historyIntro: 'Toutes vos décisions, la plus récente en premier.',
    historyEmpty: 'Vous n’avez encore pris aucune décision.', app: 'Application', purposeCol: 'Utilisation',
    choice: 'Choix', decidedBy: 'Par', you: 'Vous', representative: '{r}, qui agit pour vous', automatic: 'automatiquement, suite à la déconnexion',
    exportTitle: 'Télécharger mes données', exportIntro: 'Obtenez en un fichier tout ce que ce service garde sur vous : vos choix, leur historique, les textes que vous avez acceptés, qui a consulté vos données et vos signalements.',
    download: 'Télécharger mon fichier', downloaded: 'Votre fichier a été téléchargé.',
    errSession: 'Votre session a expiré. Reconnectez-vous.', errNetwork: 'Le service ne répond pas. Réessayez dans quelques minutes.',
    errStale: 'Vos choix ont changé depuis l’affichage de la page. La page a été mise à jour : vérifiez et recommencez.',
    errCare: 'Connectez d’abord l’application pour vos soins.', errNotice: 'Le texte a changé. La page a été mise à jour : relisez-le avant de décider.',
    errOther: 'Une erreur est survenue. Réessayez plus tard.', signedInAs: 'Connecté : {n}'
  },
  en: {
    EXPIRED: 'Agreement ended', grantedUntil: 'Agreed until {d}', fullText: 'Read the full text',
    readAloud: 'Listen', stopReading: 'Stop reading', duration: 'How long I agree',
    untilChange: 'Until I change my mind', longest: 'As long as allowed ({n} days)',
    oneMonth: '1 month', sixMonths: '6 months', oneYear: '1 year', limited: 'Agreement limited to {n} days at most.',
    erasurePending: 'Erasure of your data asked of the app on {d}: waiting for its confirmation.',
    erasureDone: 'The app confirmed on {d} that it erased the data used for this.',
    expiry: 'automatically, when it ended', service: 'The service', receiptCol: 'Receipt', receipt: 'Receipt',
    receiptTitle: 'Consent receipt', receiptIntro: 'The proof of this choice, signed by the service. Keep it, print it or download it.',
    receiptId: 'Number', controller: 'Controller', noticeVersion: 'Text version', noticeHash: 'Text fingerprint (SHA-256)',
    receiptState: 'Choice', receiptWhen: 'Date of the choice', receiptBy: 'Decided by', receiptChannel: 'Channel',
    receiptLeaf: 'Public log entry', print: 'Print', downloadReceipt: 'Download the signed receipt',
    back: 'Back to my past choices', WEB: 'this page', API: 'another app', CASCADE: 'automatic', EXPIRY: 'end date',
    navConcerns: 'Report a problem', concernsTitle: 'Report a problem',
    concernsIntro: 'Something worries you in how an app uses your data? Tell the supervisory authority. This service does not tell the app.',
    concernApp: 'App concerned', concernWhat: 'What happened',
    USED_DESPITE_REFUSAL: 'My data was used for something I refused',
    REFUSAL_COST_ME_THE_SERVICE: 'I could not say no without losing the service',
    DID_NOT_UNDERSTAND: 'I did not understand what I agreed to', OTHER: 'Something else',
    concernText: 'Tell us in your own words', concernHint: 'Up to 2,000 characters. Leave out medical details that are not needed.',
    send: 'Send the report', sent: 'Your report was sent to the supervisory authority.',
    concernMissing: 'Choose an app and what happened, and write a few words.',
    myConcerns: 'My reports', noConcerns: 'You have not reported anything yet.',
    RECEIVED: 'Received', UNDER_REVIEW: 'Being reviewed', ANSWERED: 'Answered', answer: 'The authority’s answer:',
    sentOn: 'Sent on {d}', tooManyConcerns: 'You have sent many reports. Try again later.',
    skip: 'Skip to content', brand: 'My health consents', signOut: 'Sign out', navLabel: 'Sections',
    navApps: 'My apps', navLog: 'Who read my data', navHistory: 'My past choices',
    navExport: 'Download my data', loading: 'Loading…', switchTo: 'Français',
    signInTitle: 'Sign in', signInIntro: 'Choose a demonstration person to try the page.',
    signInAs: 'Sign in as', demoNote: 'Demonstration environment: no real data.',
    portalOnly: 'Open this page from your health portal: it signs you in automatically.',
    appsTitle: 'My apps',
    appsIntro: 'For each app, you decide on each use of your data. Optional uses stay off until you accept them. Saying no changes nothing in your care.',
    by: 'Publisher:', care: 'Connection for your care', optional: 'Optional uses',
    state: 'Your choice:', GRANTED: 'Accepted', REFUSED: 'Refused', WITHDRAWN: 'Agreement withdrawn', NOT_SET: 'Not decided yet',
    connect: 'Connect the app', dontConnect: 'Do not connect', disconnect: 'Disconnect the app',
    accept: 'Accept', refuse: 'Refuse', withdraw: 'Withdraw my agreement',
    needCare: 'Connect the app for your care first to be able to accept this use.',
    reconsent: 'The text changed since you agreed: please decide again.',
    suspended: 'This app is suspended: it can no longer use your data.',
    choiceFor: 'Your choice for: ',
    savedGRANTED: 'Saved: you accepted “{p}” for {a}.',
    savedREFUSED: 'Saved: you refused “{p}” for {a}.',
    savedWITHDRAWN: 'Saved: you withdrew your agreement to “{p}” ({a}).',
    cascade: 'The optional uses of this app were stopped too.',
    CARE: 'Your care', STATISTICS: 'Statistics and research', SERVICE_IMPROVEMENT: 'Improving the service',
    COMMERCIALISATION: 'Commercial use', SUPERVISION: 'Supervision by the health authority',
    logTitle: 'Who read my data', logIntro: 'Every time your data was read, most recent first.',
    logEmpty: 'Nobody has read your data yet.', when: 'Date', who: 'Who', why: 'What for', what: 'Which data',
    regulator: 'Health authority', reasonGiven: 'Reason given:', denied: 'refused', more: 'Show more',
    namedBy: 'person or service as named by the application:', badRow: 'This line cannot be shown.',
    tooMany: 'Too many changes at once. Wait a moment, then try again.',
    verifyCol: 'Proof', verify: 'Check', checking: 'Checking…', notYet: 'Being added to the log',
    checked0: 'This entry is in the public log signed by the service; no independent witness has confirmed it yet.',
    checked1: 'This entry is in the public log, confirmed by one independent witness.',
    checked: 'This entry is in the public log, confirmed by {n} independent witnesses.',
    notChecked: 'We could not check this entry:',
    why_record: 'it does not match what the log holds.', why_proof: 'the proof does not lead to the signed log.',
    why_signature: 'the log’s signature is not valid.', why_unavailable: 'the service does not answer; try again later.',
    why_browser: 'your browser cannot check signatures.',
    historyTitle: 'My past choices', historyIntro: 'All your decisions, most recent first.',
    historyEmpty: 'You have not made any decision yet.', app: 'App', purposeCol: 'Use',
    choice: 'Choice', decidedBy: 'By', you: 'You', representative: '{r}, acting for you', automatic: 'automatically, after disconnecting',
    exportTitle: 'Download my data', exportIntro: 'Get in one file everything this service keeps about you: your choices, their history, the texts you agreed to, who read your data and your reports.',
    download: 'Download my file', downloaded: 'Your file was downloaded.',
    errSession: 'Your session has expired. Please sign in again.', errNetwork: 'The service is not answering. Please try again in a few minutes.',
    errStale: 'Your choices changed since the page was shown. The page is now up to date: check and try again.',
    errCare: 'Connect the app for your care first.', errNotice: 'The text changed. The page is now up to date: read it again before deciding.',
    errOther: 'Something went wrong. Please try again later.', signedInAs: 'Signed in: {n}'
  }
};

const state = { lang: 'fr', token: null, view: 'apps', apps: [], consents: [], person: null };

function t(key, vars) {
  let s = TEXT[state.lang][key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace('{' + k + '}', v);
  return s;
}

const api = (path, options = {}) => callApi(path, options, state.token);

const json = async (path, options) => (await api(path, options)).json();

// Words a patient understands, never raw JSON.
function explain(error) {
  if (error.status === 0) return t('errNetwork');
  if (error.status === 401) return t('errSession');
  if (error.status === 412) return t('errStale');
  if (error.status === 429) return t('tooMany');
  // Not every error is the service's answer (a bug, an odd value): never fail while explaining one.
  const type = (error && error.problem && error.problem.type) || '';
  if (type.endsWith('care-not-granted')) return t('errCare');
  if (type.endsWith('notice-not-current')) return t('errNotice');
  return t('errOther');
}

function fail(error) {
  warn(explain(error));
  if (error.status === 401) signOut(false);
}

// ---- Sign-in ----

function readToken() {
  state.token = tokenFromFragment('consent.token');
  state.person = sessionStorage.getItem('consent.person');
}

async function signInView() {
  const view = [h('h1', {}, t('signInTitle'))];
  let people = null;
  try { people = await json('/dev/demo-patients'); } catch (e) { people = null; }
  if (!people) {
    view.push(h('p', {}, t('portalOnly')));
  } else {
    view.push(h('p', {}, t('signInIntro')), h('p', { class: 'muted' }, t('demoNote')));
    view.push(h('ul', { class: 'people' }, people.map((p) => h('li', {},
      h('button', { type: 'button', class: 'primary', onclick: () => demoSignIn(p) },
        t('signInAs') + ' ' + (p.label[state.lang] || p.label.fr))))));
  }
  show(view);
}

async function demoSignIn(person) {
  try {
    const body = { subject: person.subject, roles: ['PATIENT'] };
    if (person.actor) body.actor = person.actor;
    const answer = await json('/dev/tokens', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
    });
    state.token = answer.token;
    state.person = person.label[state.lang] || person.label.fr;
    sessionStorage.setItem('consent.token', state.token);
    sessionStorage.setItem('consent.person', state.person);
    await go('apps');
    say(t('signedInAs', { n: state.person }));
  } catch (e) {
    fail(e);
  }
}

function signOut(clearMessages = true) {
  sessionStorage.removeItem('consent.token');
  sessionStorage.removeItem('consent.person');
  state.token = null;
  $('nav').hidden = true;
  $('signout').hidden = true;
  if (clearMessages) say('');
  signInView();
}

// ---- Views ----

function show(children) {
  const view = $('view');
  view.replaceChildren(...children);
}

async function go(name, focus = true) {
  state.view = name;
  $('nav').hidden = false;
  $('signout').hidden = false;
  for (const b of document.querySelectorAll('nav button')) {
    if (b.dataset.view === name) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
  }
  try {
    if (name === 'apps') await appsView();
    else if (name === 'log') await pagedView('log');
    else if (name === 'history') await pagedView('history');
    else if (name === 'concerns') await concernsView();
    else exportView();
    if (focus) {
      say('');
      $('view').querySelector('h1').focus();
    }
  } catch (e) {
    fail(e);
  }
}

async function appsView() {
  const [apps, consents] = await Promise.all([json('/api/v1/applications'), json('/api/v1/me/consents')]);
  state.apps = apps;
  state.consents = consents;
  renderApps();
}

function renderApps() {
  show([h('h1', { tabindex: '-1' }, t('appsTitle')), h('p', {}, t('appsIntro')),
    ...state.apps.map(renderApp)]);
}

function row(appId, purpose) {
  return state.consents.find((c) => c.applicationId === appId && c.purpose === purpose);
}

function renderApp(app) {
  const headingId = 'app-' + app.id;
  const care = app.purposes.find((p) => p.purpose === 'CARE');
  const optional = app.purposes.filter((p) => p.purpose !== 'CARE');
  return h('section', { class: 'card', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, app.name),
    h('p', { class: 'muted' }, t('by') + ' ' + app.publisher),
    app.status === 'SUSPENDED' ? h('p', { class: 'warn' }, t('suspended')) : null,
    care ? renderPurpose(app, care, t('care')) : null,
    optional.length ? h('h3', {}, t('optional')) : null,
    optional.map((p) => renderPurpose(app, p, t(p.purpose))));
}

function renderPurpose(app, declared, title) {
  const consent = row(app.id, declared.purpose) || { state: 'NOT_SET', version: 0, reason: 'NOT_SET' };
  const isCare = declared.purpose === 'CARE';
  const careGranted = (row(app.id, 'CARE') || {}).state === 'GRANTED';
  const reconsent = consent.reason === 'RECONSENT_REQUIRED';
  const id = 'p-' + app.id + '-' + declared.purpose;
  const choices = [];
  const decide = (target) => () => change(app, declared, consent, target);
  if (consent.state === 'GRANTED' && !reconsent) {
    choices.push(h('button', { type: 'button', onclick: decide('WITHDRAWN') }, isCare ? t('disconnect') : t('withdraw')));
  } else {
    const blocked = !isCare && !careGranted;
    choices.push(h('button', { type: 'button', class: 'primary', disabled: blocked || app.status === 'SUSPENDED',
      'aria-describedby': blocked ? id + '-why' : null, onclick: decide('GRANTED') }, isCare ? t('connect') : t('accept')));
    if (consent.state !== 'REFUSED' || reconsent) {
      choices.push(h('button', { type: 'button', class: 'primary', onclick: decide('REFUSED') },
        isCare ? t('dontConnect') : t('refuse')));
    }
  }
  const stateClass = 'state ' + consent.state;
  const until = consent.state === 'GRANTED' && consent.expiresAt ? t('grantedUntil', { d: formatDate(consent.expiresAt, state.lang, { dateStyle: 'long' }) }) : t(consent.state);
  if (!isCare && choices.length && consent.state !== 'GRANTED' || reconsent && !isCare) {
    choices.unshift(durationChoice(id, declared));
  }
  const summary = declared.easyRead ? declared.easyRead[state.lang] : null;
  return h('div', { class: 'purpose', role: 'group', 'aria-labelledby': id },
    h(isCare ? 'h3' : 'h4', { id }, title),
    h('p', { class: 'notice', lang: state.lang }, summary || declared.notice[state.lang]),
    summary ? h('details', {}, h('summary', {}, t('fullText')), h('p', { lang: state.lang }, declared.notice[state.lang])) : null,
    readAloudButton(summary || declared.notice[state.lang]),
    declared.longestGrantDays ? h('p', { class: 'muted' }, t('limited', { n: declared.longestGrantDays })) : null,
    h('p', { class: stateClass }, t('state') + ' ' + until),
    consent.erasure ? h('p', { class: 'muted' }, consent.erasure.confirmedAt
      ? t('erasureDone', { d: formatDate(consent.erasure.confirmedAt, state.lang) })
      : t('erasurePending', { d: formatDate(consent.erasure.owedSince, state.lang) })) : null,
    reconsent ? h('p', { class: 'warn' }, t('reconsent')) : null,
    !isCare && !careGranted && consent.state !== 'GRANTED' ? h('p', { id: id + '-why', class: 'muted' }, t('needCare')) : null,
    h('div', { class: 'choices', role: 'group', 'aria-label': t('choiceFor') + title + ' (' + app.name + ')' }, choices));
}

// How long a secondary grant lasts: until the patient changes their mind, or a duration (never
// beyond the longest grant the application declares, which is then the default).
function durationChoice(id, declared) {
  const max = declared.longestGrantDays;
  const options = [[null, max ? t('longest', { n: max }) : t('untilChange')], [30, t('oneMonth')], [182, t('sixMonths')],
    [365, t('oneYear')]].filter(([days]) => days == null || !max || days < max);
  return h('p', { class: 'duration' }, h('label', { for: id + '-duration' }, t('duration')), h('br'),
    h('select', { id: id + '-duration' }, options.map(([days, label]) => h('option', { value: days == null ? '' : days }, label))));
}

// The browser's own speech synthesis, where it has it: nothing is sent anywhere.
function readAloudButton(text) {
  if (!('speechSynthesis' in window)) return null;
  const button = h('button', { type: 'button', class: 'listen', 'aria-pressed': 'false', onclick: () => {
    if (speechSynthesis.speaking) {
      speechSynthesis.cancel();
      button.setAttribute('aria-pressed', 'false');
      button.textContent = t('readAloud');
      return;
    }
    const u = new SpeechSynthesisUtterance(text);
    u.lang = state.lang === 'fr' ? 'fr-FR' : 'en-GB';
    u.onend = () => { button.setAttribute('aria-pressed', 'false'); button.textContent = t('readAloud'); };
    button.setAttribute('aria-pressed', 'true');
    button.textContent = t('stopReading');
    speechSynthesis.speak(u);
  } }, t('readAloud'));
  return h('p', {}, button);
}

async function change(app, declared, consent, target) {
  try {
    const body = { state: target, noticeVersion: declared.noticeVersion, channel: 'WEB' };
    const duration = document.getElementById('p-' + app.id + '-' + declared.purpose + '-duration');
    if (target === 'GRANTED' && duration && duration.value) {
      body.expiresAt = new Date(Date.now() + Number(duration.value) * 86400000).toISOString();
    }
    const answer = await json('/api/v1/me/consents/' + encodeURIComponent(app.id) + '/' + declared.purpose, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'If-Match': '"' + consent.version + '"' },
      body: JSON.stringify(body)
    });
    // The page shows what the server answered, not what was asked.
    for (const c of [answer.consent, ...answer.cascaded]) {
      const i = state.consents.findIndex((r) => r.applicationId === c.applicationId && r.purpose === c.purpose);
      if (i >= 0) state.consents[i] = c; else state.consents.push(c);
    }
    renderApps();
    const p = declared.purpose === 'CARE' ? t('care') : t(declared.purpose);
    say(t('saved' + answer.consent.state, { p, a: app.name }) + (answer.cascaded.length ? ' ' + t('cascade') : ''));
    const heading = document.getElementById('p-' + app.id + '-' + declared.purpose);
    const next = heading && heading.parentElement.querySelector('.choices button:not([disabled])');
    if (next) next.focus();
  } catch (e) {
    fail(e);
    if (e.status === 412 || e.status === 409) await appsView();
  }
}

const PAGED = {
  log: { path: '/api/v1/me/access-log', title: 'logTitle', intro: 'logIntro', empty: 'logEmpty',
    columns: ['when', 'who', 'why', 'what', 'verifyCol'], cells: logCells },
  history: { path: '/api/v1/me/consents/history', title: 'historyTitle', intro: 'historyIntro', empty: 'historyEmpty',
    columns: ['when', 'app', 'purposeCol', 'choice', 'decidedBy', 'verifyCol', 'receiptCol'], cells: historyCells }
};

async function pagedView(name, page = 0, items = []) {
  const spec = PAGED[name];
  if (name === 'history' && !state.apps.length) state.apps = await json('/api/v1/applications');
  const answer = await json(spec.path + '?size=20&page=' + page);
  const all = items.concat(answer.items);
  const body = [h('h1', { tabindex: '-1' }, t(spec.title)), h('p', {}, t(spec.intro))];
  if (!all.length) {
    body.push(h('p', {}, t(spec.empty)));
  } else {
    body.push(h('table', {},
      h('caption', { class: 'sr-only' }, t(spec.title)),
      h('thead', {}, h('tr', {}, spec.columns.map((c) => h('th', { scope: 'col' }, t(c))))),
      h('tbody', {}, all.map((item) => tableRow(spec, item)))));
    if (answer.page + 1 < answer.totalPages) {
      body.push(h('p', {}, h('button', { type: 'button', onclick: () => pagedView(name, page + 1, all).catch(fail) }, t('more'))));
    }
  }
  show(body);
}

// One odd row never hides the others: it is shown as a line that cannot be displayed.
function tableRow(spec, item) {
  let cells;
  try {
    cells = spec.cells(item);
  } catch (e) {
    return h('tr', {}, h('td', { colspan: spec.columns.length }, t('badRow')));
  }
  return h('tr', {}, cells.map((cell, i) => h('td', { 'data-label': t(spec.columns[i]) }, cell)));
}

// What an application or a regulator wrote is shown as their words, isolated (bdi) so that no
// character in it can reorder the text around it.
function logCells(e) {
  const who = e.accessorType === 'REGULATOR'
    ? [t('regulator') + ' (', h('bdi', {}, e.actor), ')', h('br'), t('reasonGiven') + ' ', h('bdi', {}, e.reason)]
    : [h('strong', {}, h('bdi', {}, e.applicationName)), h('br'),
      h('span', { class: 'named' }, t('namedBy') + ' ', h('bdi', {}, e.actor))];
  return [formatDate(e.at, state.lang), who, e.purposeText[state.lang] + (e.outcome === 'DENY' ? ' (' + t('denied') + ')' : ''),
    e.dataCategory, verifyCell(e)];
}

function historyCells(e) {
  const app = state.apps.find((a) => a.id === e.applicationId);
  let by = e.decidedBy.type === 'REPRESENTATIVE' ? t('representative', { r: e.decidedBy.id })
    : e.decidedBy.type === 'SERVICE' ? t('service') : t('you');
  if (e.channel === 'CASCADE') by += ', ' + t('automatic');
  if (e.channel === 'EXPIRY') by += ', ' + t('expiry');
  return [formatDate(e.at, state.lang), app ? app.name : e.applicationId, t(e.purpose), t(e.state), by, verifyCell(e),
    h('button', { type: 'button', onclick: () => receiptView(e.seq).catch(fail) }, t('receipt'))];
}

// A consent receipt, readable and printable, with the signed one to download.
async function receiptView(seq) {
  const { receipt: r, jws } = await json('/api/v1/me/receipts/' + seq);
  const p = r.purposes[0];
  const row = (label, value) => [h('dt', {}, t(label)), h('dd', {}, h('bdi', {}, value == null ? '—' : String(value)))];
  const download = () => downloadBlob(new Blob([jws], { type: 'application/jose' }), 'consent-receipt-' + seq + '.jws');
  show([h('h1', { tabindex: '-1' }, t('receiptTitle')), h('p', {}, t('receiptIntro')),
    h('dl', { class: 'card receipt' },
      row('receiptId', r.receiptId), row('controller', r.controller.name + ' — ' + (r.controller.applicationName || r.controller.applicationId)),
      row('purposeCol', t(p.purpose)), row('noticeVersion', p.noticeVersion), row('noticeHash', p.noticeSha256),
      row('receiptState', t(r.state) + (r.expiresAt ? ' (' + t('grantedUntil', { d: formatDate(r.expiresAt, state.lang) }) + ')' : '')),
      row('receiptWhen', formatDate(r.consentTimestamp, state.lang)),
      row('receiptBy', r.decidedBy.type === 'REPRESENTATIVE' ? t('representative', { r: r.decidedBy.id })
        : r.decidedBy.type === 'SERVICE' ? t('service') : t('you')),
      row('receiptChannel', t(r.channel)), row('receiptLeaf', r.leafIndex)),
    h('p', { class: 'choices noprint' }, h('button', { type: 'button', class: 'primary', onclick: () => window.print() }, t('print')),
      h('button', { type: 'button', onclick: download }, t('downloadReceipt')),
      h('button', { type: 'button', onclick: () => go('history') }, t('back')))]);
  $('view').querySelector('h1').focus();
}

// ---- Checking an entry of the public log, in the browser (log-check.js) ----

// Checks one entry: its record hashes to its leaf, the proof leads to the signed checkpoint, the
// log's key signed it; and counts the witnesses whose cosignatures verify. Throws a reason word.
async function checkEntry(leafIndex) {
  const proof = await json('/api/v1/me/proofs/' + leafIndex);
  const leafHash = await LogCheck.leafHash(proof.leaf);
  if (LogCheck.toHex(leafHash) !== proof.leafHash) throw new Error('record');
  const checkpoint = await LogCheck.checkpoint(proof.checkpoint);
  if (!(await LogCheck.includes(checkpoint, leafIndex, leafHash, proof.proof))) throw new Error('proof');
  return checkpoint.witnesses;
}

async function verifyEntry(leafIndex, cell) {
  cell.replaceChildren(t('checking'));
  let message;
  try {
    const n = await checkEntry(leafIndex);
    message = n === 0 ? t('checked0') : n === 1 ? t('checked1') : t('checked', { n });
  } catch (e) {
    const reason = ['record', 'proof', 'signature', 'unavailable', 'browser'].includes(e.message) ? e.message
      : (e instanceof ApiError ? 'unavailable' : 'browser');
    message = t('notChecked') + ' ' + t('why_' + reason);
  }
  cell.replaceChildren(message);
  say(message);
}

function verifyCell(e) {
  if (e.leafIndex == null) return t('notYet');
  const cell = h('span', {});
  cell.append(h('button', { type: 'button', onclick: () => verifyEntry(e.leafIndex, cell) }, t('verify')));
  return cell;
}

// ---- Concerns: the patient tells the supervisory authority, and reads its answer ----

const CATEGORIES = ['USED_DESPITE_REFUSAL', 'REFUSAL_COST_ME_THE_SERVICE', 'DID_NOT_UNDERSTAND', 'OTHER'];

async function concernsView() {
  const [apps, mine] = await Promise.all([json('/api/v1/applications'), json('/api/v1/me/concerns?size=50')]);
  state.apps = apps;
  const form = h('form', { class: 'card', novalidate: true, onsubmit: (e) => { e.preventDefault(); sendConcern(form); } },
    h('p', {}, h('label', { for: 'concern-app' }, t('concernApp')), h('br'),
      h('select', { id: 'concern-app', name: 'app', required: true }, h('option', { value: '' }, '—'),
        apps.map((a) => h('option', { value: a.id }, a.name)))),
    h('fieldset', {}, h('legend', {}, t('concernWhat')),
      CATEGORIES.map((c) => h('p', { class: 'radio' }, h('input', { type: 'radio', name: 'category', value: c, id: 'cat-' + c }),
        ' ', h('label', { for: 'cat-' + c }, t(c))))),
    h('p', {}, h('label', { for: 'concern-text' }, t('concernText')), h('br'),
      h('textarea', { id: 'concern-text', name: 'text', rows: '5', maxlength: '2000', required: true,
        'aria-describedby': 'concern-hint' }), h('br'), h('span', { id: 'concern-hint', class: 'muted' }, t('concernHint'))),
    h('button', { type: 'submit', class: 'primary' }, t('send')));
  const list = mine.items.length ? mine.items.map(concernCard) : [h('p', {}, t('noConcerns'))];
  show([h('h1', { tabindex: '-1' }, t('concernsTitle')), h('p', {}, t('concernsIntro')), form,
    h('h2', {}, t('myConcerns')), ...list]);
}

// The patient's own words and the authority's answer are shown as text, line breaks kept.
function concernCard(c) {
  const app = state.apps.find((a) => a.id === c.applicationId);
  return h('section', { class: 'card concern' },
    h('h3', {}, h('bdi', {}, app ? app.name : c.applicationId), ' — ', t(c.category)),
    h('p', { class: 'muted' }, t('sentOn', { d: formatDate(c.createdAt, state.lang) }), ' · ', h('strong', {}, t(c.status))),
    h('p', { class: 'words' }, h('bdi', {}, c.text)),
    c.answer ? h('div', { class: 'answer' }, h('p', {}, h('strong', {}, t('answer'))), h('p', { class: 'words' }, h('bdi', {}, c.answer))) : null);
}

async function sendConcern(form) {
  const category = form.querySelector('input[name=category]:checked');
  const body = { applicationId: form.app.value, category: category && category.value, text: form.text.value.trim() };
  if (!body.applicationId || !body.category || !body.text) {
    warn(t('concernMissing'));
    return;
  }
  try {
    await json('/api/v1/me/concerns', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await concernsView();
    say(t('sent'));
    $('view').querySelector('h2').setAttribute('tabindex', '-1');
    $('view').querySelector('h2').focus();
  } catch (e) {
    if (e.status === 429) warn(t('tooManyConcerns')); else fail(e);
  }
}

function exportView() {
  show([h('h1', { tabindex: '-1' }, t('exportTitle')), h('p', {}, t('exportIntro')),
    h('button', { type: 'button', class: 'primary', onclick: download }, t('download'))]);
}

async function download() {
  try {
    downloadBlob(await (await api('/api/v1/me/export')).blob(), 'my-consent-data.json');
    say(t('downloaded'));
  } catch (e) {
    fail(e);
  }
}

// ---- Start ----

startPage({ state, t, go, signInView, signOut, readToken, first: 'apps' });
