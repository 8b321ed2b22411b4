// The production launcher (consent-service/bin/consent-service, which ./run uses) on the packaged
// jar: its first start does not wait for the class-data archive (Java 17: an application
// class-data archive; Java 25 and later: the ahead-of-time cache), which is made beside it for the
// next start; CONSENT_CDS_TRAINING=only makes the archive and exits, and makes it again for other
// options; ./run does not build a jar that is up to date with its sources again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLauncher, startRun } from './support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const launcher = join(root, 'consent-service/bin/consent-service');
const jar = join(root, 'consent-service/target/consent-service-0.1.0-SNAPSHOT.jar');

// The runtimes the launcher can run on here: the PATH's java, and the newest Java 25 or later under
// /usr/lib/jvm (which the launcher prefers), when there is one.
function feature(javaPath) {
  try {
    const release = readFileSync(join(dirname(dirname(javaPath)), 'release'), 'utf8');
    return Number(/^JAVA_VERSION="(\d+)/m.exec(release)[1]);
  } catch (e) {
    return 0;
  }
}
const pathJava = realpathSync(spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).stdout.trim());
const newest = (existsSync('/usr/lib/jvm') ? readdirSync('/usr/lib/jvm') : [])
  .map((d) => join('/usr/lib/jvm', d, 'bin/java')).filter((j) => existsSync(j)).map((j) => realpathSync(j))
  .filter((j) => feature(j) >= 25).sort((a, b) => feature(b) - feature(a))[0];
const runtimes = [
  { name: `Java ${feature(pathJava)} (the PATH's)`, java: pathJava },
  { name: newest ? `Java ${feature(newest)} (${newest})` : 'Java 25 or later', java: newest }
].filter((r, i, all) => i === 0 || r.java !== all[0].java);
// The archive's JVM option on a runtime, and the training run's.
const useOption = (java) => (feature(java) >= 25 ? '-XX:AOTCache=' : '-XX:SharedArchiveFile=');
const training = (archive) => `java .*(ArchiveClassesAtExit|AOTCacheOutput)=${archive}`;

// The methods and profiles of the training run an ahead-of-time cache holds (Java 25), printed by
// the JVM it was made for, opened with the runtime and options noted beside it (and refusing to run
// without the cache).
function trainingData(archive) {
  const [made, , options] = readFileSync(archive + '.options', 'utf8').split(' | ');
  const java = made.slice(0, made.lastIndexOf(' '));
  const print = spawnSync(java, [...options.trim().split(/\s+/), `-XX:AOTCache=${archive}`, '-XX:AOTMode=on',
    '-cp', process.env.CONSENT_JAR || jar, '-XX:+UnlockDiagnosticVMOptions', '-XX:+AOTPrintTrainingInfo', '-version'],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
  const output = print.stdout + print.stderr;
  const listed = output.split('Archived TrainingData Dictionary\n')[1];
  assert.ok(print.status === 0 && listed !== undefined, `the cache's training data listed: ${output.slice(-2000)}`);
  return listed.split('\n').filter((line) => /^\s*\d+: /.test(line));
}

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

for (const runtime of runtimes) {
  test(`on ${runtime.name}: the first start answers without its class-data archive, which is made beside it for the next start`,
    { skip: runtime.java ? false : 'no Java 25 or later under /usr/lib/jvm' }, async () => {
      const archive = join(mkdtempSync(join(tmpdir(), 'consent-cds-')), 'service.archive');
      // The default mode, as ./run uses it.
      // Every class the JVM loads logged, with where it came from (the archive is made with that option too).
      const env = { CONSENT_JAVA: runtime.java, CONSENT_CDS: archive, CONSENT_CDS_TRAINING: '',
        CONSENT_JAVA_OPTS: '-Xlog:class+load=info' };
      const first = await startLauncher(env);
      try {
        assert.equal(jvmOptions(first)[0], runtime.java);
        assert.match(first.output(), /no class-data archive for this jar, runtime and options yet: starting without it/);
        assert.ok(!jvmOptions(first).some((o) => o.startsWith(useOption(runtime.java))), 'started without waiting for an archive');
        assert.equal((await fetch(first.base + '/api/v1/ping')).status, 401, 'the first start serves, its security on');
        // The training run, at the lowest priority beside the service, leaves the archive when it is whole.
        await until(() => existsSync(archive + '.options') && statSync(archive).size > 0, 'the archive made', 300);
        const noted = readFileSync(archive + '.options', 'utf8');
        assert.ok(noted.startsWith(runtime.java + ' ') && noted.includes('-XX:+UseSerialGC') && noted.includes('-Xlog:class+load=info'),
          'what it was made with, noted: ' + noted);
      } finally {
        await first.stop();
      }
      // The next start reads the service's classes from it.
      const next = await startLauncher(env);
      try {
        assert.ok(jvmOptions(next).includes(useOption(runtime.java) + archive));
        assert.doesNotMatch(next.output(), /class-data archive/);
        assert.match(next.output(), /health\.consent\.service\.Application source: shared objects file/);
        // The framework took its services from the list the service read from its jar, and did
        // not walk the jar for them (the walk's file visitor never loaded).
        assert.match(next.output(), /health\.consent\.service\.ops\.ServiceIndex source:/);
        assert.doesNotMatch(next.output(), /MicronautMetaServiceLoaderUtils\$1 source:/);
        // Nor did it open the jar as a zip file system to read application.yml. (Java 25's cache
        // loads every class of the training run as the JVM starts, used or not: told before Java 25.)
        if (feature(runtime.java) < 25) {
          assert.doesNotMatch(next.output(), /jdk\.nio\.zipfs\.ZipFileSystem source:/);
        }
        assert.equal((await fetch(next.base + '/health')).status, 200);
      } finally {
        await next.stop();
      }
      // On Java 25, without the training run's compiled methods and profiles, which only the
      // optimising compiler the service does not run would use, and whose compilation again at
      // each start would take the second core from it.
      if (feature(runtime.java) === 25) {
        assert.deepEqual(trainingData(archive), [], 'no training data in the cache');
      }
    });
}

test('CONSENT_CDS_TRAINING=only makes the archive and exits, again for other options; an unknown mode is refused', () => {
  const folder = mkdtempSync(join(tmpdir(), 'consent-cds-'));
  const archive = join(folder, 'service.archive');
  const only = spawnSync(launcher, [], { env: { ...process.env, CONSENT_CDS: archive, CONSENT_CDS_TRAINING: 'only' },
    encoding: 'utf8', timeout: 300_000 });
  assert.equal(only.status, 0, only.stderr);
  assert.ok(statSync(archive).size > 0, 'the archive made');
  assert.deepEqual(readdirSync(folder), ['service.archive', 'service.archive.options'], 'nothing else left beside it');
  const made = statSync(archive).mtimeMs;
  // The same again: it is there, nothing to make.
  const same = spawnSync(launcher, [], { env: { ...process.env, CONSENT_CDS: archive, CONSENT_CDS_TRAINING: 'only' },
    encoding: 'utf8', timeout: 300_000 });
  assert.equal(same.status, 0, same.stderr);
  assert.equal(statSync(archive).mtimeMs, made, 'not made again');
  // Other JVM options: an archive made with others may not serve them (an ahead-of-time cache made
  // for one heap shape stops a JVM given another), so it is made again, with them. Options that
  // choose the compilers (the optimising one here) keep Java 25's training data, which it uses.
  const other = spawnSync(launcher, [], { env: { ...process.env, CONSENT_CDS: archive, CONSENT_CDS_TRAINING: 'only',
    CONSENT_JAVA_OPTS: '-Xmx200m -XX:TieredStopAtLevel=4' }, encoding: 'utf8', timeout: 300_000 });
  assert.equal(other.status, 0, other.stderr);
  assert.ok(statSync(archive).mtimeMs > made, 'made again');
  const noted = readFileSync(archive + '.options', 'utf8');
  assert.match(noted, / -Xmx200m -XX:TieredStopAtLevel=4 \|/);
  if (feature(noted.split(' ')[0]) === 25) {
    assert.ok(trainingData(archive).length > 0, 'training data kept for the optimising compiler');
  }

  const unknown = spawnSync(launcher, [], { env: { ...process.env, CONSENT_CDS: archive, CONSENT_CDS_TRAINING: 'later' },
    encoding: 'utf8', timeout: 60_000 });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /CONSENT_CDS_TRAINING must be background, before or only, not later/);
});

test('Ctrl-C while the archive is made first stops the launcher, starts no service and leaves no archive', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'consent-cds-'));
  const archive = join(folder, 'service.archive');
  // A process group of its own, as a terminal gives a command, to send it the terminal's SIGINT.
  const child = spawn(launcher, [], { detached: true, stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CONSENT_CDS: archive, CONSENT_CDS_TRAINING: 'before', PORT: '-1', CONSENT_DATA_DIR: join(folder, 'data'),
      MICRONAUT_ENVIRONMENTS: 'dev', JDBC_URL: '' } });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const ended = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const run = training(archive);
  try {
    // Once the training run's JVM is up.
    await until(() => spawnSync('pgrep', ['-f', run]).status === 0, 'the training run started', 60);
    process.kill(-child.pid, 'SIGINT');
    const result = await Promise.race([ended, new Promise((r) => setTimeout(() => r(null), 60_000))]);
    assert.ok(result !== null, 'the launcher went on after Ctrl-C: ' + stderr);
    assert.equal(result.signal, 'SIGINT', `stopped by the signal itself, not ${result.code}/${result.signal}: ${stderr}`);
    assert.doesNotMatch(stderr, /starting without a class-data archive/);
    await until(() => spawnSync('pgrep', ['-f', run]).status !== 0, 'the training run ended', 60);
    assert.deepEqual(readdirSync(folder), [], 'no archive, no file of the run left');
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
    spawnSync('pkill', ['-KILL', '-f', run]);
  }
});

test('./run builds a jar it did not build, then starts it without building it again while no source changes', async () => {
  const archive = join(mkdtempSync(join(tmpdir(), 'consent-cds-')), 'service.archive');
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
    spawnSync('pkill', ['-KILL', '-f', training(archive)]);
  }
});
