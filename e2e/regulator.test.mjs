// The regulators' page in a real headless Chromium against the running service (dev environment,
// findings judged as soon as their records are in the log).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startService, launchBrowser, devToken, axeViolations } from './support.mjs';

let service;
let browser;
const REASON = 'Contrôle trimestriel des accès';

before(async () => {
  service = await startService({ CONSENT_FINDINGS_SETTLE: '0s', CONSENT_FINDINGS_INTERVAL: '200ms' });
  browser = await launchBrowser();
  // An access to statistics for a patient who never agreed: a finding once it is in the log.
  const app = await devToken(service.base, 'glycemie-plus', ['APPLICATION']);
  const response = await fetch(service.base + '/api/v1/access-records', {
    method: 'POST', headers: { Authorization: 'Bearer ' + app, 'Content-Type': 'application/json' },
    body: JSON.stringify([{ id: crypto.randomUUID(), patientId: 'p-e2e-unasked', purpose: 'STATISTICS', actor: 'analyst-1',
      dataCategory: 'glucose', outcome: 'PERMIT', at: new Date().toISOString() }])
  });
  assert.equal(response.status, 200);
  // A patient's concern to triage.
  const patient = await devToken(service.base, 'demo-bernard', ['PATIENT']);
  const filed = await fetch(service.base + '/api/v1/me/concerns', {
    method: 'POST', headers: { Authorization: 'Bearer ' + patient, 'Content-Type': 'application/json' },
    body: JSON.stringify({ applicationId: 'glycemie-plus', category: 'DID_NOT_UNDERSTAND', text: '<script>x</script>\nJe ne savais pas.' })
  });
  assert.equal(filed.status, 201);
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

async function signedIn(options = {}) {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  const page = await context.newPage();
  const failures = [];
  page.on('pageerror', (e) => failures.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') failures.push(m.text()); });
  await page.goto(service.base + '/regulator/');
  await page.getByRole('button', { name: 'Se connecter comme contrôleur de démonstration' }).click();
  await page.getByRole('heading', { name: 'Constats', level: 1 }).waitFor();
  return { page, context, failures };
}

test('a regulator finds an access without consent and checks its proof in the browser', async () => {
  const { page, context, failures } = await signedIn();
  await page.getByLabel('Type de constat').selectOption('ACCESS_WITHOUT_CONSENT');
  await page.getByLabel('Motif de la consultation').fill(REASON);
  const row = page.getByRole('row').filter({ hasText: 'p-e2e-unasked' });
  for (let i = 0; i < 50; i++) {
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByRole('status').getByText(/résultat/).waitFor();
    if (await row.count()) break;
    await page.waitForTimeout(200);
  }
  await row.getByText('Accès sans consentement').waitFor();
  await row.getByRole('button', { name: 'Vérifier' }).click();
  await page.getByRole('status').getByText(/Les entrées citées \(1\) figurent dans le journal public signé/).waitFor();
  assert.deepEqual(await axeViolations(page), []);

  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'Télécharger en CSV' }).click()]);
  assert.equal(download.suggestedFilename(), 'findings.csv');
  assert.deepEqual(failures, []);
  await context.close();
});

test('a search without a reason is refused in words naming the field', async () => {
  const { page, context } = await signedIn();
  await page.getByRole('button', { name: 'Journal des accès' }).click();
  await page.getByRole('heading', { name: 'Journal des accès', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.getByRole('alert').getByText('Vérifiez le champ « Motif de la consultation »').waitFor();
  assert.equal(await page.getByLabel('Motif de la consultation').evaluate((el) => el === document.activeElement), true,
    'the cursor is put in the field to fix');
  await page.getByLabel('Motif de la consultation').fill(REASON);
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.getByRole('row').filter({ hasText: 'p-e2e-unasked' }).first().waitFor();
  await context.close();
});

test('consent rates are drawn in SVG with their numbers, today and month by month', async () => {
  const patient = await devToken(service.base, 'demo-alice', ['PATIENT']);
  for (const [purpose, state] of [['CARE', 'GRANTED'], ['STATISTICS', 'GRANTED']]) {
    const r = await fetch(service.base + '/api/v1/me/consents/glycemie-plus/' + purpose, {
      method: 'PUT', headers: { Authorization: 'Bearer ' + patient, 'Content-Type': 'application/json' },
      body: JSON.stringify({ state, noticeVersion: 1 }) });
    assert.equal(r.status, 200);
  }
  const { page, context } = await signedIn();
  await page.getByRole('button', { name: 'Taux de consentement' }).click();
  await page.getByRole('heading', { name: 'Taux de consentement', level: 1 }).waitFor();
  const chart = page.getByRole('img', { name: /Statistiques et recherche — Glycémie\+ : \d+ acceptés/ });
  await chart.waitFor();
  await page.getByLabel('Application', { exact: true }).selectOption({ label: 'Glycémie+' });
  await page.getByLabel('Utilisation', { exact: true }).selectOption('STATISTICS');
  await page.getByRole('button', { name: 'Afficher' }).click();
  const month = new Date().toISOString().slice(0, 7);
  await page.getByRole('img', { name: /Décisions par mois pour Statistiques et recherche/ }).waitFor();
  await page.getByRole('row').filter({ hasText: month }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await context.close();
});

test('a regulator takes a concern under review and answers it; the patient’s words stay text', async () => {
  const { page, context, failures } = await signedIn();
  await page.getByRole('button', { name: 'Signalements' }).click();
  const card = page.getByRole('region', { name: /Glycémie\+ — Le patient n’a pas compris/ }).first();
  await card.waitFor();
  assert.equal(await card.locator('.words').first().innerText(), '<script>x</script>\nJe ne savais pas.');
  await card.getByRole('button', { name: 'Prendre en charge' }).click();
  await page.getByRole('status').getByText('Signalement pris en charge.').waitFor();
  await page.getByLabel('État').selectOption('UNDER_REVIEW');
  await page.getByRole('button', { name: 'Afficher' }).click();
  const reviewed = page.getByRole('region', { name: /Glycémie\+ — Le patient n’a pas compris/ }).first();
  await reviewed.getByLabel('Réponse au patient').fill('Nous avons demandé à l’éditeur de réécrire sa notice.');
  await reviewed.getByRole('button', { name: 'Envoyer la réponse' }).click();
  await page.getByRole('status').getByText('Réponse envoyée.').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(failures, []);
  await context.close();
});

test('the public log’s checkpoint is checked in the browser', async () => {
  const { page, context } = await signedIn();
  await page.getByRole('button', { name: 'Journal public' }).click();
  await page.getByRole('button', { name: 'Vérifier le point de contrôle' }).click();
  await page.getByRole('status').getByText('Signature du service valable').waitFor();
  await context.close();
});

test('every view passes axe-core in both languages, with the keyboard alone, under 60 KB', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  let bytes = 0;
  const hosts = new Set();
  page.on('response', async (r) => {
    hosts.add(new URL(r.url()).host);
    try { bytes += (await r.body()).length; } catch (e) { /* a redirect has no body */ }
  });
  await page.goto(service.base + '/regulator/');
  const demo = page.getByRole('button', { name: 'Se connecter comme contrôleur de démonstration' });
  await demo.waitFor();
  assert.deepEqual(await axeViolations(page), [], 'sign-in');
  for (let i = 0; i < 10 && !(await demo.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Constats', level: 1 }).waitFor();
  assert.ok(bytes < 60 * 1024, `the signed-in page weighs ${bytes} bytes`);
  assert.deepEqual([...hosts], [new URL(service.base).host], 'no third-party request');
  for (const lang of ['fr', 'en']) {
    const views = lang === 'fr' ? ['Constats', 'Journal des accès', 'Taux de consentement', 'Signalements', 'Journal public']
      : ['Findings', 'Access trail', 'Consent rates', 'Concerns', 'Public log'];
    for (const view of views) {
      await page.getByRole('button', { name: view, exact: true }).click();
      await page.getByRole('heading', { name: view, level: 1 }).waitFor();
      assert.deepEqual(await axeViolations(page), [], `${lang}: ${view}`);
    }
    if (lang === 'fr') await page.getByRole('button', { name: 'English' }).click();
  }
  const csp = (await fetch(service.base + '/regulator/')).headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  await context.close();
});
