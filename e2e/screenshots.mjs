// Takes the screenshots shown in the README: node screenshots.mjs (after mvn -DskipTests package).
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startService, launchBrowser, devToken } from './support.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const service = await startService();
const browser = await launchBrowser();
try {
  const app = await devToken(service.base, 'glycemie-plus', ['APPLICATION']);
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  await page.goto(service.base + '/');
  await page.screenshot({ path: join(out, 'sign-in.png') });
  await page.getByRole('button', { name: /Alice Martin/ }).click();
  await page.getByRole('button', { name: 'Connecter l’application' }).first().click();
  await page.getByText('C’est enregistré').waitFor();
  await page.screenshot({ path: join(out, 'my-apps.png') });
  await fetch(service.base + '/api/v1/access-records', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + app },
    body: JSON.stringify([{ id: crypto.randomUUID(), patientId: 'demo-alice', purpose: 'CARE', actor: 'dr-martin',
      dataCategory: 'blood-glucose', outcome: 'PERMIT', at: new Date().toISOString() }])
  });
  await page.getByRole('button', { name: 'Qui a consulté mes données' }).click();
  await page.getByRole('cell', { name: /dr-martin/ }).waitFor();
  await page.screenshot({ path: join(out, 'access-log.png') });
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('button', { name: 'My past choices' }).click();
  await page.getByRole('heading', { name: 'My past choices', level: 1 }).waitFor();
  await page.screenshot({ path: join(out, 'history-en.png') });
} finally {
  await browser.close();
  await service.stop();
}
