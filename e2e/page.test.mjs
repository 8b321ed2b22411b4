// The patients' page in a real headless Chromium against the running service (dev environment).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startService, launchBrowser, devToken, axeViolations } from './support.mjs';

let service;
let browser;

before(async () => {
  service = await startService();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

async function signedIn(person = /Alice Martin/, options = {}) {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  const page = await context.newPage();
  const failures = [];
  page.on('pageerror', (e) => failures.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') failures.push(m.text()); });
  await page.goto(service.base + '/');
  await page.getByRole('button', { name: person, exact: typeof person === 'string' }).click();
  await page.getByRole('heading', { name: 'Mes applications', level: 1 }).waitFor();
  return { page, context, failures };
}

/** The consent block of one purpose of one application, found as a user would: by its heading. */
function purposeOf(page, appName, purposeTitle) {
  return page.getByRole('region', { name: appName }).getByRole('group', { name: purposeTitle, exact: true });
}

test('a patient signs in, grants a secondary purpose, withdraws it, and sees each new state', async () => {
  const { page, context, failures } = await signedIn();
  const care = purposeOf(page, 'Glycémie+', 'Connexion pour vos soins');
  const stats = purposeOf(page, 'Glycémie+', 'Statistiques et recherche');

  await assert.doesNotReject(stats.getByText('Votre choix : Pas encore décidé').waitFor());
  assert.equal(await stats.getByRole('button', { name: 'Accepter' }).isDisabled(), true,
    'a secondary purpose cannot be accepted before connecting the app');
  assert.equal(await stats.getByRole('button', { name: 'Refuser' }).isEnabled(), true, 'refusing is always possible');

  await care.getByRole('button', { name: 'Connecter l’application' }).click();
  await care.getByText('Votre choix : Accepté').waitFor();
  await stats.getByRole('button', { name: 'Accepter' }).click();
  await stats.getByText('Votre choix : Accepté').waitFor();
  await page.getByRole('status').getByText('vous avez accepté « Statistiques et recherche »').waitFor();

  await stats.getByRole('button', { name: 'Retirer mon accord' }).click();
  await stats.getByText('Votre choix : Accord retiré').waitFor();
  assert.equal(await stats.getByRole('button', { name: 'Accepter' }).isEnabled(), true);

  // The server agrees with what the page shows.
  const token = await page.evaluate(() => sessionStorage.getItem('consent.token'));
  const rows = await (await fetch(service.base + '/api/v1/me/consents', { headers: { Authorization: 'Bearer ' + token } })).json();
  assert.equal(rows.find((r) => r.applicationId === 'glycemie-plus' && r.purpose === 'STATISTICS').state, 'WITHDRAWN');
  assert.deepEqual(failures, []);
  await context.close();
});

test('refusing is as easy as accepting and nothing is pre-selected', async () => {
  const { page, context } = await signedIn('Se connecter comme Bernard Petit');
  const groups = page.getByRole('group', { name: /^Votre choix pour/ });
  const count = await groups.count();
  assert.ok(count >= 8);
  for (let i = 0; i < count; i++) {
    const buttons = groups.nth(i).getByRole('button');
    assert.equal(await buttons.count(), 2, 'an accept and a refuse button, side by side');
    const [a, b] = [buttons.nth(0), buttons.nth(1)];
    assert.equal(await a.getAttribute('class'), await b.getAttribute('class'), 'both choices look the same');
  }
  assert.equal(await page.locator('input[type=checkbox]:checked').count(), 0);
  await context.close();
});

test('the whole journey works with the keyboard alone', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(service.base + '/');
  await page.getByRole('button', { name: /Alice Martin/ }).waitFor();
  // Tab to the first demo person and sign in with Enter.
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => document.activeElement.textContent);
    if (/Alice Martin/.test(name)) break;
  }
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Mes applications', level: 1 }).waitFor();
  // Tab to the first "connect" button and press it.
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement.textContent)) === 'Connecter l’application') break;
  }
  const focusVisible = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(focusVisible, 'none', 'the focused control shows a visible outline');
  await page.keyboard.press('Enter');
  await page.getByRole('status').getByText('C’est enregistré').waitFor();
  // Focus stays on a control of the same purpose, so the user keeps their place.
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Déconnecter l’application');
  await context.close();
});

test('the page switches between French and English, every text included', async () => {
  const { page, context } = await signedIn();
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'My apps', level: 1 }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  const text = await page.locator('body').innerText();
  for (const french of ['Mes applications', 'Se déconnecter', 'Votre choix', 'Utilisations facultatives']) {
    assert.ok(!text.includes(french), `no French left: ${french}`);
  }
  // Notices in English too: the easy-to-read summary first, the full text behind "Read the full text".
  await page.getByText('The app reads your blood sugar. It helps you follow your diabetes.').first().waitFor();
  await page.getByRole('region', { name: 'Glycémie+' }).getByText('Read the full text').first().click();
  await page.getByText('Glycémie+ reads your blood sugar readings').waitFor();
  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByRole('heading', { name: 'Mes applications', level: 1 }).waitFor();
  await context.close();
});

test('the access log shows who read the data and why, and the history names a representative', async () => {
  const app = await devToken(service.base, 'cardio-suivi', ['APPLICATION']);
  const response = await fetch(service.base + '/api/v1/access-records', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + app },
    body: JSON.stringify([{ id: crypto.randomUUID(), patientId: 'demo-bernard', purpose: 'CARE', actor: 'dr-lefebvre',
      dataCategory: 'blood-pressure', outcome: 'PERMIT', at: new Date().toISOString() }])
  });
  assert.equal(response.status, 200);

  const caregiver = await signedIn(/Claire Petit/);
  await purposeOf(caregiver.page, 'CardioSuivi', 'Connexion pour vos soins')
    .getByRole('button', { name: 'Connecter l’application' }).click();
  await caregiver.page.getByRole('status').getByText('C’est enregistré').waitFor();
  await caregiver.context.close();

  const { page, context } = await signedIn('Se connecter comme Bernard Petit');
  await page.getByRole('button', { name: 'Qui a consulté mes données' }).click();
  await page.getByRole('heading', { name: 'Qui a consulté mes données', level: 1 }).waitFor();
  const row = page.getByRole('row', { name: /dr-lefebvre/ });
  await row.waitFor();
  assert.match(await row.innerText(), /CardioSuivi/);
  assert.match(await row.innerText(), /Vos soins/);
  assert.match(await row.innerText(), /blood-pressure/);

  await page.getByRole('button', { name: 'Historique de mes choix' }).click();
  await page.getByRole('heading', { name: 'Historique de mes choix', level: 1 }).waitFor();
  const decision = page.getByRole('row', { name: /CardioSuivi/ }).first();
  await decision.waitFor();
  assert.match(await decision.innerText(), /demo-claire, qui agit pour vous/);
  await context.close();
});

test('a patient downloads everything held about them', async () => {
  const { page, context } = await signedIn();
  await page.getByRole('button', { name: 'Télécharger mes données' }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Télécharger mon fichier' }).click()
  ]);
  const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(data.patientId, 'demo-alice');
  assert.ok(Array.isArray(data.consents) && data.consents.length > 0);
  assert.ok(Array.isArray(data.history));
  await page.getByRole('status').getByText('Votre fichier a été téléchargé.').waitFor();
  await context.close();
});

test('a patient reports a concern, sees it as their words, and reads the authority’s answer', async () => {
  const { page, context, failures } = await signedIn('Se connecter comme Bernard Petit');
  await page.getByRole('button', { name: 'Signaler un problème' }).click();
  await page.getByRole('heading', { name: 'Signaler un problème', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
  await page.getByRole('alert').getByText('Choisissez une application').waitFor();

  const words = '<img src=x onerror=alert(1)> Ils ont continué\naprès mon refus.';
  await page.getByLabel('Application concernée').selectOption({ label: 'Glycémie+' });
  await page.getByRole('radio', { name: 'Mes données ont servi à quelque chose que j’avais refusé' }).check();
  await page.getByLabel('Racontez avec vos mots').fill(words);
  await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
  await page.getByRole('status').getByText('Votre signalement a été envoyé').waitFor();
  const card = page.locator('.concern').first();
  assert.equal(await card.locator('.words').innerText(), words, 'shown as written, line break kept');
  assert.equal(await page.locator('main img').count(), 0, 'nothing in it became markup');
  await card.getByText('Reçu').waitFor();

  // A regulator answers through the API; the patient reads it on the page.
  const regulator = await devToken(service.base, 'regulator-1', ['REGULATOR']);
  const listed = await (await fetch(service.base + '/api/v1/concerns?status=RECEIVED', {
    headers: { Authorization: 'Bearer ' + regulator } })).json();
  const id = listed.items.find((c) => c.text === words).id;
  const answered = await fetch(service.base + '/api/v1/concerns/' + id, {
    method: 'PUT', headers: { Authorization: 'Bearer ' + regulator, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'ANSWERED', answer: '<b>Merci</b> : nous avons écrit à l’éditeur.' })
  });
  assert.equal(answered.status, 200);
  await page.getByRole('button', { name: 'Historique de mes choix' }).click();
  await page.getByRole('button', { name: 'Signaler un problème' }).click();
  await page.locator('.concern .answer').getByText('<b>Merci</b> : nous avons écrit à l’éditeur.').waitFor();
  await page.locator('.concern').first().getByText('Réponse reçue').waitFor();
  assert.deepEqual(failures, []);
  await context.close();
});

test('a notice reads easy first, the full text one click away; a grant can be time-boxed; a receipt is printable', async () => {
  const { page, context, failures } = await signedIn('Se connecter comme Bernard Petit');
  const stats = purposeOf(page, 'CardioSuivi', 'Statistiques et recherche');
  await stats.getByText('Des chercheurs étudient les maladies du cœur.').waitFor();
  assert.equal(await stats.getByText('aident à mieux comprendre').isVisible(), false, 'the full text waits behind a click');
  await stats.getByText('Lire le texte complet').click();
  await stats.getByText('aident à mieux comprendre').waitFor();
  assert.equal(await stats.getByRole('button', { name: 'Écouter' }).count(), 1, 'read aloud by the browser itself');
  await stats.getByText('Accord limité à 365 jours au plus.').waitFor();

  const care = purposeOf(page, 'CardioSuivi', 'Connexion pour vos soins');
  if (await care.getByRole('button', { name: 'Connecter l’application', exact: true }).count()) {
    await care.getByRole('button', { name: 'Connecter l’application', exact: true }).click();
    await page.getByRole('status').getByText('C’est enregistré').waitFor();
  }
  await stats.getByLabel('Durée de mon accord').selectOption({ label: '1 mois' });
  await stats.getByRole('button', { name: 'Accepter' }).click();
  await stats.getByText(/Votre choix : Accepté jusqu’au/).waitFor();
  assert.deepEqual(await axeViolations(page), []);

  await stats.getByRole('button', { name: 'Retirer mon accord' }).click();
  await stats.getByText('Effacement de vos données demandé à l’application').waitFor();

  await page.getByRole('button', { name: 'Historique de mes choix' }).click();
  await page.getByRole('button', { name: 'Reçu' }).first().click();
  await page.getByRole('heading', { name: 'Reçu de consentement', level: 1 }).waitFor();
  await page.getByText('Empreinte du texte (SHA-256)').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'Télécharger le reçu signé' }).click()]);
  assert.match(readFileSync(await download.path(), 'utf8'), /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.deepEqual(failures, []);
  await context.close();
});

test('an error is explained in plain words, never as raw JSON', async () => {
  const { page, context } = await signedIn();
  await page.evaluate(() => sessionStorage.setItem('consent.token', 'expired.token.value'));
  await page.reload();
  await page.getByRole('alert').getByText('Votre session a expiré. Reconnectez-vous.').waitFor();
  assert.ok(!(await page.locator('body').innerText()).includes('{'));
  await context.close();
});

test('every view passes an axe-core audit with zero violations, in both languages', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(service.base + '/');
  await page.getByRole('button', { name: /Alice Martin/ }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'sign-in');
  await page.getByRole('button', { name: /Alice Martin/ }).click();
  for (const lang of ['fr', 'en']) {
    for (const [view, heading] of lang === 'fr'
      ? [['Mes applications', 'Mes applications'], ['Qui a consulté mes données', 'Qui a consulté mes données'],
        ['Historique de mes choix', 'Historique de mes choix'], ['Signaler un problème', 'Signaler un problème'],
        ['Télécharger mes données', 'Télécharger mes données']]
      : [['My apps', 'My apps'], ['Who read my data', 'Who read my data'], ['My past choices', 'My past choices'],
        ['Report a problem', 'Report a problem'], ['Download my data', 'Download my data']]) {
      await page.getByRole('button', { name: view, exact: true }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      assert.deepEqual(await axeViolations(page), [], `${lang}: ${view}`);
    }
    if (lang === 'fr') await page.getByRole('button', { name: 'English' }).click();
  }
  await context.close();
});

test('at 200% zoom nothing is lost: no horizontal scrolling, every control reachable', async () => {
  const { page, context } = await signedIn(/Alice Martin/, { viewport: { width: 640, height: 800 }, deviceScaleFactor: 2 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
  await page.getByRole('button', { name: 'Historique de mes choix' }).click();
  await page.getByRole('heading', { name: 'Historique de mes choix', level: 1 }).waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  await context.close();
});

test('the signed-in page weighs under 60 KB and makes no third-party request', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = [];
  page.on('requestfinished', (r) => requests.push(r));
  await page.goto(service.base + '/');
  await page.getByRole('button', { name: /Alice Martin/ }).click();
  await page.getByRole('heading', { name: 'Mes applications', level: 1 }).waitFor();
  await page.waitForLoadState('networkidle');
  let bytes = 0;
  for (const r of requests) {
    assert.ok(r.url().startsWith(service.base), 'only the service is contacted: ' + r.url());
    const sizes = await r.sizes();
    bytes += sizes.responseBodySize + sizes.responseHeadersSize;
  }
  console.log(`signed-in page: ${requests.length} requests, ${bytes} bytes transferred`);
  assert.ok(bytes < 60 * 1024, `${bytes} bytes`);
  await context.close();
});

test('security headers forbid inline script, framing and sniffing', async () => {
  const response = await fetch(service.base + '/');
  const csp = response.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(response.headers.get('access-control-allow-origin'), null);
});

test('odd rows in the access log never hide the others, and what an application wrote is shown as its words', async () => {
  const { page, context } = await signedIn('Se connecter comme Bernard Petit');
  const label = { fr: 'Vos soins', en: 'Your care' };
  const entry = (id, at, actor, extra = {}) => Object.assign({ id, at, accessorType: 'APPLICATION',
    applicationId: 'cardio-suivi', applicationName: 'CardioSuivi', actor, purpose: 'CARE', purposeText: label,
    dataCategory: 'vitals', outcome: 'PERMIT', reason: null }, extra);
  const items = [
    entry('a', new Date().toISOString(), 'dr-ordinary'),
    entry('b', '-999999999-01-01T00:00:00Z', 'dr-far-past'),
    entry('c', '0000-01-01T00:00:00Z', 'dr-year-zero'),
    entry('d', new Date().toISOString(), 'Autorit\u00e9 \u202eappelez le 0800'),
    entry('e', new Date().toISOString(), 'dr-broken', { purposeText: null })
  ];
  // Rows the service would no longer store: served here as an older database could hold them.
  await page.route('**/api/v1/me/access-log**', (route) => route.fulfill({
    status: 200, contentType: 'application/json',
    body: JSON.stringify({ items, page: 0, size: 20, totalItems: items.length, totalPages: 1 })
  }));
  await page.getByRole('button', { name: 'Qui a consulté mes données' }).click();
  await page.getByRole('heading', { name: 'Qui a consulté mes données', level: 1 }).waitFor();
  await page.getByRole('row', { name: /dr-ordinary/ }).waitFor();
  assert.match(await page.getByRole('row', { name: /dr-far-past/ }).innerText(), /-999999999-01-01/);
  assert.match(await page.getByRole('row', { name: /dr-year-zero/ }).innerText(), /dr-year-zero/);
  assert.equal(await page.getByText('Cette ligne ne peut pas être affichée.').count(), 1);
  const planted = page.locator('bdi', { hasText: 'appelez le 0800' });
  assert.equal(await planted.count(), 1, 'the application\u2019s words are isolated');
  assert.match(await page.getByRole('row', { name: /appelez/ }).innerText(), /indiqué par l’application/);
  assert.equal(await page.getByRole('alert').isVisible(), false, 'no error for the whole page');
  assert.deepEqual(await axeViolations(page), []);
  await context.close();
});

test('a patient checks in the browser that an entry of their history is in the public log, and a tampered proof is caught', async () => {
  const { page, context } = await signedIn(/Alice Martin/);
  await purposeOf(page, 'Sommeil Serein', 'Connexion pour vos soins')
    .getByRole('button', { name: 'Connecter l’application' }).click();
  await page.getByRole('status').getByText('C’est enregistré').waitFor();
  // The entry reaches the log within a moment: show the history again until it can be checked.
  const check = page.getByRole('button', { name: 'Vérifier' }).first();
  for (let i = 0; i < 50; i++) {
    await page.getByRole('button', { name: 'Historique de mes choix' }).click();
    await page.getByRole('heading', { name: 'Historique de mes choix', level: 1 }).waitFor();
    try {
      await check.waitFor({ timeout: 300 });
      break;
    } catch (e) {
      // Not in the log yet: show the history again.
    }
  }
  await check.click();
  await page.getByRole('status').getByText('Cette entrée figure dans le journal public').waitFor();
  assert.deepEqual(await axeViolations(page), []);

  await page.route('**/api/v1/me/proofs/**', async (route) => {
    const response = await route.fetch();
    const proof = await response.json();
    proof.leaf.state = proof.leaf.state === 'GRANTED' ? 'REFUSED' : 'GRANTED';
    await route.fulfill({ response, json: proof });
  });
  await page.getByRole('button', { name: 'Historique de mes choix' }).click();
  await page.getByRole('heading', { name: 'Historique de mes choix', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Vérifier' }).first().click();
  await page.getByRole('status').getByText('Nous n’avons pas pu vérifier cette entrée').waitFor();
  assert.match(await page.getByRole('status').innerText(), /ne correspond pas/);
  await context.close();
});
