// The production launcher (consent-service/bin/consent-service, which ./run uses) on the packaged
// jar: its first start does not wait for the class-data archive, which is made beside it for the
// next start; CONSENT_CDS_TRAINING=only makes the archive and exits; ./run does not build a jar
// that is up to date with its sources again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLauncher, startRun } from './support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const launcher = join(root, 'consent-service/bin/consent-service');
const jar = join(root, 'consent-service/target/consent-service-0.1.0-SNAPSHOT.jar');

// The JVM options the service runs with (the launcher execs java: same process).
function jvmOptions(service) {
  return readFileSync(`/proc/${service.pid}/cmdline`, 'utf8').split('\0');
}

async function until(condition, what, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('the first start answers without its class-data archive, which is made beside it for the next start', async () => {
  const archive = join(mkdtempSync(join(tmpdir(), 'consent-cds-')), 'service.jsa');
  // The default mode, as ./run uses it.
  const first = await startLauncher({ CONSENT_CDS: archive, CONSENT_CDS_TRAINING: '' });
  try {
    assert.match(first.output(), /no class-data archive for this jar yet: starting without it/);
    assert.ok(!jvmOptions(first).some((o) => o.startsWith('-XX:SharedArchiveFile')), 'started without waiting for an archive');
    assert.equal((await fetch(first.base + '/api/v1/ping')).status, 401, 'the first start serves, its security on');
    // The training run, at the lowest priority beside the service, leaves the archive when it is whole.
    await until(() => existsSync(archive) && statSync(archive).size > 0, 'the archive made', 300);
  } finally {
    await first.stop();
  }
  // The next start reads the service's classes from it (the JVM logs where each class comes from).
  const next = await startLauncher({ CONSENT_CDS: archive, CONSENT_CDS_TRAINING: '',
    CONSENT_JAVA_OPTS: '-Xshare:on -Xlog:class+load=info' });
  try {
    assert.ok(jvmOptions(next).includes('-XX:SharedArchiveFile=' + archive));
    assert.doesNotMatch(next.output(), /class-data archive/);
    assert.match(next.output(), /health\.consent\.service\.Application source: shared objects file \(top\)/);
    assert.equal((await fetch(next.base + '/health')).status, 200);
  } finally {
    await next.stop();
  }
});

test('CONSENT_CDS_TRAINING=only makes the archive and exits; an unknown mode is refused', () => {
  const folder = mkdtempSync(join(tmpdir(), 'consent-cds-'));
  const archive = join(folder, 'service.jsa');
  const only = spawnSync(launcher, [], { env: { ...process.env, CONSENT_CDS: archive, CONSENT_CDS_TRAINING: 'only' },
    encoding: 'utf8', timeout: 300_000 });
  assert.equal(only.status, 0, only.stderr);
  assert.ok(statSync(archive).size > 0, 'the archive made');
  assert.deepEqual(readdirSync(folder), ['service.jsa'], 'nothing else left beside it');

  const unknown = spawnSync(launcher, [], { env: { ...process.env, CONSENT_CDS: archive, CONSENT_CDS_TRAINING: 'later' },
    encoding: 'utf8', timeout: 60_000 });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /CONSENT_CDS_TRAINING must be background, before or only, not later/);
});

test('Ctrl-C while the archive is made first stops the launcher, starts no service and leaves no archive', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'consent-cds-'));
  const archive = join(folder, 'service.jsa');
  // A process group of its own, as a terminal gives a command, to send it the terminal's SIGINT.
  const child = spawn(launcher, [], { detached: true, stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CONSENT_CDS: archive, CONSENT_CDS_TRAINING: 'before', PORT: '-1', CONSENT_DATA_DIR: join(folder, 'data'),
      MICRONAUT_ENVIRONMENTS: 'dev', JDBC_URL: '' } });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const ended = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const training = `^java .*ArchiveClassesAtExit=${archive}`;
  try {
    // Once the training run's JVM is up.
    await until(() => spawnSync('pgrep', ['-f', training]).status === 0, 'the training run started', 60);
    process.kill(-child.pid, 'SIGINT');
    const result = await Promise.race([ended, new Promise((r) => setTimeout(() => r(null), 60_000))]);
    assert.ok(result !== null, 'the launcher went on after Ctrl-C: ' + stderr);
    assert.equal(result.signal, 'SIGINT', `stopped by the signal itself, not ${result.code}/${result.signal}: ${stderr}`);
    assert.doesNotMatch(stderr, /starting without a class-data archive/);
    await until(() => spawnSync('pgrep', ['-f', training]).status !== 0, 'the training run ended', 60);
    assert.deepEqual(readdirSync(folder), [], 'no archive, no file of the run left');
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
    spawnSync('pkill', ['-KILL', '-f', training]);
  }
});

test('./run builds a jar it did not build, then starts it without building it again while no source changes', async () => {
  const archive = join(mkdtempSync(join(tmpdir(), 'consent-cds-')), 'service.jsa');
  const env = { CONSENT_CDS: archive, CONSENT_CDS_TRAINING: '' };
  try {
    // The jar `mvn verify` made is not one ./run built: it builds (a new jar file), then starts.
    const before = statSync(jar).mtimeMs;
    // Its build counts in the time allowed to start.
    const first = await startRun(env, 300);
    await first.stop();
    assert.doesNotMatch(first.output(), /not built again/);
    const built = statSync(jar).mtimeMs;
    assert.ok(built > before, 'the jar was built again');
    // Nothing changed since: the same jar is started.
    const next = await startRun(env);
    try {
      assert.match(next.output(), /is up to date with its sources: not built again/);
      assert.equal(statSync(jar).mtimeMs, built, 'the jar is the same file');
    } finally {
      await next.stop();
    }
  } finally {
    spawnSync('pkill', ['-KILL', '-f', `ArchiveClassesAtExit=${archive}`]);
  }
});
