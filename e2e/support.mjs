// Starts the packaged service in the dev environment (demo catalogue, dev tokens) on a free
// port with a fresh data folder, and a headless Chromium from the system: nothing is downloaded.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const jar = join(root, 'consent-service/target/consent-service-0.1.0-SNAPSHOT.jar');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function startService(extraEnv = {}) {
  return startProcess('java', ['-XX:TieredStopAtLevel=1', '-jar', jar], extraEnv);
}

/** The service as `./run` and production start it: through consent-service/bin/consent-service. */
export async function startLauncher(extraEnv = {}) {
  return startProcess(join(root, 'consent-service/bin/consent-service'), [], extraEnv);
}

/** The service as a newcomer starts it: `./run` (dev environment, as it sets by default). */
export async function startRun(extraEnv = {}, seconds = 60) {
  return startProcess(join(root, 'run'), [], extraEnv, seconds);
}

async function startProcess(command, args, extraEnv, seconds = 60) {
  if (!existsSync(jar)) throw new Error(`${jar} is missing: build it first with mvn -DskipTests package`);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'consent-e2e-'));
  const child = spawn(command, args, {
    env: { ...process.env, MICRONAUT_ENVIRONMENTS: 'dev', PORT: String(port), CONSENT_DATA_DIR: dataDir, JDBC_URL: '', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('the service stopped:\n' + output);
    try {
      if ((await fetch(base + '/health')).ok) break;
    } catch (e) { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not start in ${seconds} s:\n` + output);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    pid: child.pid,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.exitCode !== null ? r() : child.on('exit', r));
    }
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: browserPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync']
  });
}

/** A development token, as the API's own clients would get one in dev. */
export async function devToken(base, subject, roles, actor) {
  const response = await fetch(base + '/dev/tokens', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(actor ? { subject, roles, actor } : { subject, roles })
  });
  if (!response.ok) throw new Error('dev token: ' + response.status);
  return (await response.json()).token;
}

const axeSource = readFileSync(join(root, 'e2e/node_modules/axe-core/axe.min.js'), 'utf8');

/** Runs axe-core in the page (WCAG 2.0, 2.1 A and AA rules) and returns its violations. */
export async function axeViolations(page) {
  // evaluate() is not subject to the page's Content-Security-Policy, which forbids inline scripts.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }
  }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
