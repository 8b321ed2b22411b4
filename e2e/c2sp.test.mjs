// An independent conformance check of the public log (/log/...) against the C2SP specifications,
// as a Go sumdb/tlog client, a witness or an auditor written against them would read it:
//   c2sp.org/signed-note       (note text, signature lines, key IDs, verifier keys)
//   c2sp.org/tlog-checkpoint   (origin, tree size, root hash, extension lines)
//   c2sp.org/tlog-tiles        (tile paths, widths, levels, caching)
//   c2sp.org/tlog-cosignature  (timestamped Ed25519 cosignatures, type 0x04)
// and RFC 6962 section 2.1 hashing: leaf = SHA-256(0x00 || leaf), node = SHA-256(0x01 || left || right).
// Every byte layout here comes from those texts, none from the service's code.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startService, devToken } from './support.mjs';

const ORIGIN = 'consent.example/audit/v2'; // README: AUDIT_LOG_ORIGIN's default
const TILE_HEIGHT = 8;
const TILE_WIDTH = 256; // 2 ** TILE_HEIGHT
const HASH = 32;
const YEAR = 31536000;

// ---------------------------------------------------------------- bytes and hashes

const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const node = (left, right) => sha256(Buffer.from([0x01]), left, right); // RFC 6962 2.1
const EMPTY_ROOT = sha256(Buffer.alloc(0)); // RFC 6962 2.1: MTH({}) = SHA-256()

/** RFC 6962 MTH over already-hashed inputs (leaf hashes, or complete-subtree hashes of equal size). */
function mth(hashes) {
  if (hashes.length === 0) return EMPTY_ROOT;
  if (hashes.length === 1) return hashes[0];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2; // the largest power of two smaller than n
  return node(mth(hashes.slice(0, k)), mth(hashes.slice(k)));
}

/** Standard base64 (RFC 4648 section 4), strictly: the only encoding whose decoding re-encodes to it. */
function strictBase64(text, what) {
  assert.match(text, /^[A-Za-z0-9+/]*={0,2}$/, `${what} is standard base64: ${JSON.stringify(text)}`);
  const bytes = Buffer.from(text, 'base64');
  assert.equal(bytes.toString('base64'), text, `${what} is canonical, padded base64: ${JSON.stringify(text)}`);
  return bytes;
}

function ed25519Key(raw) {
  assert.equal(raw.length, 32, 'an Ed25519 public key is 32 bytes (RFC 8032)');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

// ---------------------------------------------------------------- signed notes and checkpoints

/**
 * signed-note, "Format": a text ending in newline, a blank line, one or more lines
 * "— <key name> <base64(4-byte key ID || signature)>\n"; valid UTF-8, no control character but
 * newline; the text is separated from the signatures by the last empty line.
 */
function parseNote(bytes) {
  let s;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    assert.fail('a signed note MUST be valid UTF-8');
  }
  assert.doesNotMatch(s, /[\x00-\x09\x0b-\x1f]/, 'a signed note MUST NOT contain ASCII control characters other than newline');
  assert.ok(s.endsWith('\n'), 'the last signature line ends in a newline');
  const split = s.lastIndexOf('\n\n');
  assert.ok(split >= 0, 'the text is followed by a blank line');
  const text = s.slice(0, split + 1); // the note text includes its final newline, not the blank line
  const signatureLines = s.slice(split + 2, -1).split('\n');
  assert.ok(signatureLines.length >= 1 && signatureLines[0] !== '', 'at least one signature line');
  const signatures = signatureLines.map((line) => {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    assert.ok(m, `a signature line is "— <key name> <base64>": ${JSON.stringify(line)}`);
    const [, name, b64] = m;
    assert.doesNotMatch(name, /[\s+]/u, 'a key name contains no Unicode space and no "+"');
    const raw = strictBase64(b64, `the signature of ${name}`);
    assert.ok(raw.length > 4, 'a signature is 4 + n bytes');
    return { name, line, keyId: raw.subarray(0, 4), signature: raw.subarray(4) };
  });
  return { text, signatures };
}

/** tlog-checkpoint, "Note text": origin, tree size (decimal, no leading zero), base64 root, extension lines. */
function parseCheckpoint(bytes) {
  const note = parseNote(bytes);
  const lines = note.text.slice(0, -1).split('\n');
  assert.ok(lines.length >= 3, 'a checkpoint\'s text has at least three lines');
  for (const line of lines) assert.notEqual(line, '', 'every line of a checkpoint\'s text is non-empty (extension lines too)');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  assert.match(sizeLine, /^(0|[1-9][0-9]*)$/, 'the tree size is ASCII decimal with no leading zero');
  const size = Number(sizeLine);
  assert.ok(Number.isSafeInteger(size), 'a tree size this test can handle');
  const root = strictBase64(rootLine, 'the root hash');
  assert.equal(root.length, HASH, 'the root hash is a 32-byte SHA-256 hash');
  return { ...note, origin, size, root, extensions };
}

/** signed-note, "Verifier keys": <name>+hex(key ID)+base64(type || public key), key ID = SHA-256(name || 0x0A || type || key)[:4]. */
function parseVerifierKey(vkey, type) {
  // Three parts separated by "+": the name has none, the hex ID none; the base64 key material may.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  assert.ok(first > 0 && second > first, `a verifier key has three parts separated by "+": ${JSON.stringify(vkey)}`);
  const [name, hexId, b64] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  assert.ok(name.length > 0, 'a key name is non-empty');
  assert.doesNotMatch(name, /\s/u, 'a key name contains no Unicode space');
  // "The hex encoding of a positive integer is the fixed length lowercase Base 16 encoding."
  assert.match(hexId, /^[0-9a-f]{8}$/, `the key ID is 8 lowercase hex digits: ${hexId}`);
  const material = strictBase64(b64, 'the key material');
  assert.equal(material[0], type, `the signature type byte is 0x0${type}`);
  assert.equal(material.length, 33, 'type byte and a 32-byte Ed25519 key');
  const publicKey = material.subarray(1);
  const expected = sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, type]), publicKey).subarray(0, 4);
  assert.equal(hexId, expected.toString('hex'),
    `the key ID is SHA-256(name || 0x0A || 0x0${type} || key)[:4] = ${expected.toString('hex')}`);
  return { name, keyId: Buffer.from(hexId, 'hex'), publicKey, key: ed25519Key(publicKey), vkey };
}

/** The vkey a spec-following tool derives from a raw Ed25519 public key. */
function verifierKeyOf(name, type, publicKey) {
  const id = sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, type]), publicKey).subarray(0, 4);
  return `${name}+${id.toString('hex')}+${Buffer.concat([Buffer.from([type]), publicKey]).toString('base64')}`;
}

/** signed-note, "Signatures": the signature line of a known key is the one with its name and key ID. */
function signatureOf(note, vkey) {
  const lines = note.signatures.filter((s) => s.name === vkey.name && s.keyId.equals(vkey.keyId));
  assert.equal(lines.length, 1, `exactly one signature line by ${vkey.name}+${vkey.keyId.toString('hex')}, lines: `
    + note.signatures.map((s) => `${s.name} ${s.keyId.toString('hex')}`).join(', '));
  return lines[0];
}

/** signed-note, "Ed25519 signatures": RFC 8032 over the note text (with its final newline). */
function verifyOperator(note, vkey) {
  const line = signatureOf(note, vkey);
  assert.equal(line.signature.length, 64, 'an Ed25519 signature is 64 bytes (4 + 64 after base64 decoding)');
  return verify(null, Buffer.from(note.text, 'utf8'), vkey.key, line.signature);
}

/** tlog-cosignature: key ID type 0x04; u64 big-endian timestamp || 64-byte Ed25519 signature over
 *  "cosignature/v1\ntime <t>\n" || note text. */
function cosignedMessage(noteText, timestamp) {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${noteText}`, 'utf8');
}

// ---------------------------------------------------------------- tiles

/** tlog-tiles: <N> in zero-padded 3-digit path elements, all but the last with an "x". */
function tilePath(level, index, width) {
  let n = index;
  let path = String(n % 1000).padStart(3, '0');
  n = Math.floor(n / 1000);
  while (n > 0) {
    path = `x${String(n % 1000).padStart(3, '0')}/${path}`;
    n = Math.floor(n / 1000);
  }
  return `/log/tile/${level}/${path}${width ? `.p/${width}` : ''}`;
}

/** The tiles a tree of size s has (tlog-tiles, "Partial Tiles"): per level, the full ones and the partial one's width. */
function tilesOf(size) {
  const tiles = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const full = Math.floor(size / TILE_WIDTH ** (level + 1));
    for (let n = 0; n < full; n++) tiles.push({ level, index: n, width: TILE_WIDTH });
    const partial = Math.floor(size / TILE_WIDTH ** level) % TILE_WIDTH;
    if (partial > 0) tiles.push({ level, index: full, width: partial, partial: true });
  }
  return tiles;
}

async function fetchTiles(base, size) {
  const fetched = [];
  for (const t of tilesOf(size)) {
    const path = tilePath(t.level, t.index, t.partial ? t.width : 0);
    const response = await fetch(base + path);
    fetched.push({ ...t, path, status: response.status, headers: response.headers,
      bytes: Buffer.from(await response.arrayBuffer()) });
  }
  return fetched;
}

function tileMap(tiles) {
  return new Map(tiles.map((t) => [`${t.level}/${t.index}`, t.bytes]));
}

/** The i-th hash stored at a tile level (level 0: leaf hashes; level l: hashes of 256^l leaves). */
function storedHash(map, level, i) {
  const tile = map.get(`${level}/${Math.floor(i / TILE_WIDTH)}`);
  assert.ok(tile, `tile ${level}/${Math.floor(i / TILE_WIDTH)} was fetched`);
  const at = (i % TILE_WIDTH) * HASH;
  assert.ok(at + HASH <= tile.length, `tile ${level}/${Math.floor(i / TILE_WIDTH)} holds hash ${i % TILE_WIDTH}`);
  return tile.subarray(at, at + HASH);
}

/** The root as RFC 6962 defines it, from every leaf hash of the level-0 tiles. */
function rootFromLeafHashes(map, size) {
  const leaves = [];
  for (let i = 0; i < size; i++) leaves.push(storedHash(map, 0, i));
  return mth(leaves);
}

/**
 * The root as a tiled client computes it: the tree of size s is the complete subtrees of its binary
 * decomposition, largest first, folded from the right (RFC 6962's split at the largest power of two);
 * each complete subtree of height h is read at tile level floor(h / 8), from the highest tiles available.
 */
function rootFromHighestTiles(map, size) {
  if (size === 0) return EMPTY_ROOT;
  const subtrees = [];
  let start = 0;
  for (let h = Math.floor(Math.log2(size)) + 1; h >= 0; h--) {
    const span = 2 ** h;
    if (size - start < span) continue;
    const level = Math.floor(h / TILE_HEIGHT);
    const count = 2 ** (h - level * TILE_HEIGHT);
    const first = start / TILE_WIDTH ** level;
    const hashes = [];
    for (let i = 0; i < count; i++) hashes.push(storedHash(map, level, first + i));
    subtrees.push(mth(hashes));
    start += span;
  }
  assert.equal(start, size);
  let root = subtrees.pop();
  while (subtrees.length) root = node(subtrees.pop(), root);
  return root;
}

// ---------------------------------------------------------------- filling the log

async function postRecords(base, appToken, count, tag) {
  const records = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(), patientId: `p-c2sp-${tag}-${i % 13}`, purpose: 'CARE', actor: 'nurse-c2sp',
    dataCategory: 'glucose', outcome: 'PERMIT', at: new Date().toISOString()
  }));
  const response = await fetch(base + '/api/v1/access-records', {
    method: 'POST', headers: { Authorization: 'Bearer ' + appToken, 'Content-Type': 'application/json' },
    body: JSON.stringify(records)
  });
  assert.equal(response.status, 200, await response.clone().text());
  assert.deepEqual(await response.json(), { received: count, stored: count });
}

async function grantCare(base, patient) {
  const token = await devToken(base, patient, ['PATIENT']);
  const response = await fetch(base + '/api/v1/me/consents/glycemie-plus/CARE', {
    method: 'PUT', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ state: 'GRANTED', noticeVersion: 1 })
  });
  assert.equal(response.status, 200, await response.clone().text());
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/** Asks for a checkpoint now (README: POST /api/v1/audit/checkpoints) until /log/checkpoint's size reaches min. */
async function checkpointCovering(base, regulatorToken, min, tries = 100) {
  let last = '';
  for (let i = 0; i < tries; i++) {
    const signed = await fetch(base + '/api/v1/audit/checkpoints', {
      method: 'POST', headers: { Authorization: 'Bearer ' + regulatorToken } });
    await signed.arrayBuffer();
    const response = await fetch(base + '/log/checkpoint');
    const bytes = Buffer.from(await response.arrayBuffer());
    last = bytes.toString('utf8');
    const size = /^[^\n]*\n([0-9]+)\n/.exec(last);
    if (response.status === 200 && size && Number(size[1]) >= min) return { bytes, headers: response.headers };
    await pause(200);
  }
  assert.fail(`no checkpoint of at least ${min} leaves after ${tries} tries; the last:\n${last}`);
}

// ================================================================= a log with the dev defaults

describe('C2SP conformance of the public log (dev environment, no witness)', () => {
  let service;
  let fresh; // the checkpoint before anything was logged
  let served; // { bytes, headers } of the checkpoint covering the records
  let checkpoint;
  let keyResponse;
  let tiles;
  let regulator;
  let app;
  const RECORDS = [300, 300];
  const PATIENTS = ['c2sp-anne', 'c2sp-boris', 'c2sp-chloe'];

  before(async () => {
    service = await startService();
    const first = await fetch(service.base + '/log/checkpoint');
    fresh = { status: first.status, bytes: Buffer.from(await first.arrayBuffer()) };
    app = await devToken(service.base, 'glycemie-plus', ['APPLICATION']);
    regulator = await devToken(service.base, 'regulator-c2sp', ['REGULATOR']);
    for (const p of PATIENTS) await grantCare(service.base, p);
    // Each request's records are one batch, numbered into the log as a whole (README, "Transparency").
    for (const [i, n] of RECORDS.entries()) await postRecords(service.base, app, n, `b${i}`);
    served = await checkpointCovering(service.base, regulator, RECORDS[0] + RECORDS[1] + PATIENTS.length);
    checkpoint = parseCheckpoint(served.bytes);
    const k = await fetch(service.base + '/log/key');
    keyResponse = { status: k.status, text: await k.text() };
    tiles = await fetchTiles(service.base, checkpoint.size);
  });

  after(async () => {
    await service?.stop();
  });

  test('a fresh log\'s checkpoint is the empty tree: size 0, root SHA-256 of nothing, signed', async (t) => {
    if (fresh.status !== 200) return t.skip(`no checkpoint at start (${fresh.status})`);
    const c = parseCheckpoint(fresh.bytes);
    if (c.size !== 0) return t.skip(`the log held ${c.size} leaves at start`);
    assert.equal(c.root.toString('base64'), EMPTY_ROOT.toString('base64'), 'RFC 6962: MTH({}) = SHA-256()');
    assert.ok(verifyOperator(c, parseVerifierKey(keyResponse.text.replace(/\n$/, ''), 0x01)),
      'the empty checkpoint is signed by the log\'s key');
  });

  test('the log grows past a full level-0 tile and a partial one once consents and record batches are in', () => {
    assert.ok(checkpoint.size >= 603, `size ${checkpoint.size}`);
    assert.ok(Math.floor(checkpoint.size / TILE_WIDTH) >= 1, 'at least one full level-0 tile');
    assert.ok(checkpoint.size % TILE_WIDTH > 0, `a partial level-0 tile (size ${checkpoint.size})`);
    assert.ok(tiles.some((t) => t.level === 1 && t.partial), 'and a partial level-1 tile');
  });

  test('/log/key is a note verifier key <origin>+<key ID>+base64(0x01 || key), key ID = SHA-256(name || 0x0A || 0x01 || key)[:4]', () => {
    assert.equal(keyResponse.status, 200);
    assert.match(keyResponse.text, /^[^\n]+\n?$/, 'one line');
    const vkey = parseVerifierKey(keyResponse.text.replace(/\n$/, ''), 0x01);
    assert.equal(vkey.name, ORIGIN, 'the key is named after the origin (README)');
  });

  test('/log/checkpoint is a strict checkpoint note: origin, decimal size, base64 root, blank line, signature lines', () => {
    // parseCheckpoint (in before) has checked the syntax; here what the specs and README add.
    assert.equal(checkpoint.origin, ORIGIN, 'the origin line is AUDIT_LOG_ORIGIN\'s default');
    assert.deepEqual(checkpoint.extensions, [], 'no extension line (NOT RECOMMENDED, and README lists none)');
    assert.equal(served.bytes.toString('utf8'),
      `${checkpoint.text}\n${checkpoint.signatures.map((s) => s.line + '\n').join('')}`, 'nothing but text, blank line, signatures');
    // tlog-tiles, "Checkpoints": text/plain; charset=utf-8; mutable, so not cached beyond a few seconds.
    assert.equal(served.headers.get('content-type').replace(/\s/g, '').toLowerCase(), 'text/plain;charset=utf-8');
    const cache = served.headers.get('cache-control') || '';
    const maxAge = /max-age=(\d+)/.exec(cache);
    assert.ok(/no-store|no-cache/.test(cache) || (maxAge && Number(maxAge[1]) <= 10),
      `the checkpoint is not cached beyond a few seconds: ${cache}`);
  });

  test('the operator\'s Ed25519 signature verifies over the note text exactly, and fails on an altered text', () => {
    const vkey = parseVerifierKey(keyResponse.text.replace(/\n$/, ''), 0x01);
    // tlog-checkpoint: "The log's key name in its signature line SHOULD match the origin line."
    assert.equal(checkpoint.signatures[0].name, checkpoint.origin, 'the first signature line is the log\'s, named after the origin');
    assert.ok(verifyOperator(checkpoint, vkey), 'Ed25519 over the note text, final newline included');
    const altered = { ...checkpoint, text: checkpoint.text.replace(`\n${checkpoint.size}\n`, `\n${checkpoint.size + 1}\n`) };
    assert.notEqual(altered.text, checkpoint.text);
    assert.equal(verifyOperator(altered, vkey), false, 'a checkpoint with another size does not verify');
    const noNewline = { ...checkpoint, text: checkpoint.text.slice(0, -1) };
    assert.equal(verifyOperator(noNewline, vkey), false, 'the signed text includes its final newline');
  });

  test('tiles are served at tlog-tiles paths as application/octet-stream, 32 bytes a hash, 256 hashes a full tile', () => {
    assert.equal(tilePath(0, 1234067), '/log/tile/0/x001/x234/067', 'this checker encodes the spec\'s example');
    assert.equal(tilePath(1, 2, 17), '/log/tile/1/002.p/17');
    for (const t of tiles) {
      assert.equal(t.status, 200, `${t.path} is served`);
      assert.equal((t.headers.get('content-type') || '').split(';')[0].trim().toLowerCase(), 'application/octet-stream', t.path);
      assert.equal(t.bytes.length, t.width * HASH, `${t.path} is ${t.width} hashes of 32 bytes`);
    }
    assert.ok(tiles.some((t) => t.level === 0 && !t.partial && t.bytes.length === 8192), 'a full tile is 8,192 bytes');
  });

  test('each level-1 tile hash is the RFC 6962 root of the full level-0 tile it stands for', () => {
    const map = tileMap(tiles);
    const upper = tiles.filter((t) => t.level >= 1);
    assert.ok(upper.length > 0, 'the tree has level-1 tiles');
    for (const t of upper) {
      for (let j = 0; j < t.width; j++) {
        const below = map.get(`${t.level - 1}/${t.index * TILE_WIDTH + j}`);
        assert.equal(below?.length, TILE_WIDTH * HASH, `tile ${t.level - 1}/${t.index * TILE_WIDTH + j} is full`);
        const hashes = [];
        for (let i = 0; i < TILE_WIDTH; i++) hashes.push(below.subarray(i * HASH, (i + 1) * HASH));
        assert.equal(t.bytes.subarray(j * HASH, (j + 1) * HASH).toString('hex'), mth(hashes).toString('hex'),
          `${t.path} hash ${j}`);
      }
    }
  });

  test('the root recomputed from the tiles (leaf by leaf, and from the highest tiles) is the checkpoint\'s root hash', () => {
    const map = tileMap(tiles);
    assert.equal(rootFromLeafHashes(map, checkpoint.size).toString('base64'), checkpoint.root.toString('base64'),
      'MTH over every leaf hash of the level-0 tiles');
    assert.equal(rootFromHighestTiles(map, checkpoint.size).toString('base64'), checkpoint.root.toString('base64'),
      'complete subtrees read from the highest tile levels');
  });

  test('a full tile is served immutable, cached for a year', () => {
    const full = tiles.filter((t) => !t.partial);
    assert.ok(full.length > 0);
    for (const t of full) {
      const cache = (t.headers.get('cache-control') || '').toLowerCase();
      assert.match(cache, /\bimmutable\b/, `${t.path}: ${cache}`);
      const maxAge = /max-age=(\d+)/.exec(cache);
      assert.ok(maxAge && Number(maxAge[1]) >= YEAR, `${t.path} is cached for a year: ${cache}`);
      assert.doesNotMatch(cache, /no-store|no-cache|private/, t.path);
    }
  });

  test('malformed tile paths get a 4xx, and tiles outside the tree are not served', async () => {
    const malformed = [
      '/log/tile/0/0', '/log/tile/0/00', '/log/tile/0/0000', // not a 3-digit element
      '/log/tile/0/x000', // the last element has no x
      '/log/tile/0/000/001', // an element before the last without x
      '/log/tile/00/000', '/log/tile/64/000', '/log/tile/-1/000', '/log/tile/a/000', // L: 0 to 63, no leading zero
      '/log/tile/0/abc', '/log/tile/0/-01',
      '/log/tile/0/000.p/0', '/log/tile/0/000.p/256', '/log/tile/0/000.p/01', '/log/tile/0/000.p/', '/log/tile/0/000.p/x'
    ];
    for (const path of malformed) {
      const r = await fetch(service.base + path);
      await r.arrayBuffer();
      assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
    }
    // "Empty tiles MUST NOT be served": a level-0 tile past the tree's end, a level-2 tile of a tree under 65,536.
    const past = Math.floor(checkpoint.size / TILE_WIDTH) + 1;
    for (const path of [tilePath(0, past), tilePath(0, past, 1), tilePath(2, 0, 1)]) {
      const r = await fetch(service.base + path);
      await r.arrayBuffer();
      assert.ok(r.status >= 400 && r.status < 500, `${path} is outside the tree: ${r.status}`);
    }
  });

  test('without witnesses, /log/witnesses lists none and the checkpoint carries the operator\'s signature alone', async () => {
    const r = await fetch(service.base + '/log/witnesses');
    assert.equal(r.status, 200);
    assert.equal((await r.text()).trim(), '', 'no verifier key when AUDIT_WITNESSES is unset');
    assert.deepEqual(checkpoint.signatures.map((s) => s.name), [ORIGIN], 'one signature line, the log\'s');
  });

  test('after the log grows, the earlier tiles are unchanged and the earlier root is recomputed from the new tiles', async () => {
    const old = checkpoint;
    await postRecords(service.base, app, 40, 'grow');
    const grown = parseCheckpoint((await checkpointCovering(service.base, regulator, old.size + 40)).bytes);
    const vkey = parseVerifierKey(keyResponse.text.replace(/\n$/, ''), 0x01);
    assert.ok(verifyOperator(grown, vkey), 'the new checkpoint is signed');
    for (const t of tiles) {
      const r = await fetch(service.base + t.path);
      assert.equal(r.status, 200, `${t.path} is still served`);
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(t.bytes), `${t.path} has not changed`);
    }
    const newTiles = await fetchTiles(service.base, grown.size);
    const map = tileMap(newTiles);
    for (const t of newTiles) assert.equal(t.bytes.length, t.width * HASH, t.path);
    assert.equal(rootFromLeafHashes(map, grown.size).toString('base64'), grown.root.toString('base64'), 'the new root');
    assert.equal(rootFromHighestTiles(map, grown.size).toString('base64'), grown.root.toString('base64'), 'the new root, tiled');
    assert.equal(rootFromLeafHashes(map, old.size).toString('base64'), old.root.toString('base64'),
      'the earlier tree is a prefix of the new one');
  });
});

// ================================================================= a log cosigned by a witness

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sdkClasspath = [join(root, 'client-sdk/target/client-sdk-0.1.0-SNAPSHOT.jar'),
  join(root, 'consent-model/target/consent-model-0.1.0-SNAPSHOT.jar')];

/** The SDK's witness (README, "Witnesses"), which prints "witness <vkey> port <port>" once listening. */
async function startWitness(name, logKey) {
  for (const jar of sdkClasspath) if (!existsSync(jar)) throw new Error(`${jar} is missing`);
  const dir = mkdtempSync(join(tmpdir(), 'consent-c2sp-witness-'));
  const child = spawn('java', ['-XX:TieredStopAtLevel=1', '-cp', sdkClasspath.join(':'),
    'health.consent.sdk.verifier.AuditVerifierCli', 'witness', '--name', name, '--log-key', logKey,
    '--state', join(dir, 'w.state'), '--key-file', join(dir, 'w.key'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the witness did not start in 60 s:\n' + output)), 60000);
    const onData = (d) => {
      output += d;
      const m = /^witness (\S+) port (\d+)$/m.exec(output);
      if (m) { clearTimeout(timer); resolve(m); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => { output += d; });
    child.on('exit', () => { clearTimeout(timer); reject(new Error('the witness stopped:\n' + output)); });
  });
  return {
    vkey: line[1], url: `http://127.0.0.1:${line[2]}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.exitCode !== null ? r() : child.on('exit', r));
    }
  };
}

describe('C2SP cosignatures on the public log (a witness from the SDK)', () => {
  const WITNESS = 'witness.example/c2sp';
  let service;
  let witness;
  let logPublicKey;
  let bytes;
  let startedAt;

  before(async () => {
    startedAt = Math.floor(Date.now() / 1000);
    // The log's key is ours, so that the witness can pin it before the service starts.
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    logPublicKey = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
    witness = await startWitness(WITNESS, verifierKeyOf(ORIGIN, 0x01, logPublicKey));
    service = await startService({
      AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
      AUDIT_WITNESSES: `${witness.url} ${witness.vkey}`
    });
    const app = await devToken(service.base, 'glycemie-plus', ['APPLICATION']);
    const regulator = await devToken(service.base, 'regulator-c2sp', ['REGULATOR']);
    await postRecords(service.base, app, 20, 'w');
    await checkpointCovering(service.base, regulator, 20);
    // The witness's cosignature is added after the log's signature; a failed attempt is retried after 10 s.
    for (let i = 0; i < 150; i++) {
      bytes = Buffer.from(await (await fetch(service.base + '/log/checkpoint')).arrayBuffer());
      if (bytes.toString('utf8').includes(`\n\u2014 ${WITNESS} `)) break;
      await pause(200);
    }
  });

  after(async () => {
    await service?.stop();
    await witness?.stop();
  });

  test('/log/key is the verifier key a spec-following tool derives from the configured signing key', async () => {
    const text = await (await fetch(service.base + '/log/key')).text();
    assert.equal(text.replace(/\n$/, ''), verifierKeyOf(ORIGIN, 0x01, logPublicKey));
    assert.ok(verifyOperator(parseCheckpoint(bytes), parseVerifierKey(text.replace(/\n$/, ''), 0x01)),
      'the cosigned checkpoint still verifies with the log\'s key');
  });

  test('/log/witnesses lists each witness as a cosigner vkey: type 0x04, key ID = SHA-256(name || 0x0A || 0x04 || key)[:4]', async () => {
    const r = await fetch(service.base + '/log/witnesses');
    assert.equal(r.status, 200);
    const lines = (await r.text()).split('\n').filter((l) => l !== '');
    assert.deepEqual(lines, [witness.vkey], 'the configured witness, one a line');
    for (const line of lines) parseVerifierKey(line, 0x04);
  });

  test('each witness\'s line is a tlog-cosignature: key ID, u64 timestamp, Ed25519 over "cosignature/v1\\ntime <t>\\n" and the body', async () => {
    const note = parseCheckpoint(bytes);
    assert.ok(note.size >= 20, `the checkpoint covers the records: ${note.size}`);
    assert.equal(note.signatures[0].name, ORIGIN, 'the operator\'s signature comes first (README)');
    const listed = (await (await fetch(service.base + '/log/witnesses')).text()).split('\n').filter((l) => l !== '');
    const known = listed.map((l) => parseVerifierKey(l, 0x04));
    let verified = 0;
    for (const w of known) {
      const line = signatureOf(note, w);
      assert.equal(line.signature.length, 8 + 64, 'timestamped_signature: 8-byte timestamp, 64-byte Ed25519 signature');
      const timestamp = line.signature.readBigUInt64BE(0);
      assert.ok(timestamp <= 2n ** 63n - 1n, 'the timestamp does not exceed 2^63 - 1');
      const now = BigInt(Math.floor(Date.now() / 1000));
      assert.ok(timestamp >= BigInt(startedAt - 300) && timestamp <= now + 300n,
        `the timestamp is POSIX seconds of this run: ${timestamp}`);
      const signature = line.signature.subarray(8);
      assert.ok(verify(null, cosignedMessage(note.text, timestamp), w.key, signature),
        `${w.name}'s cosignature verifies over "cosignature/v1\\ntime ${timestamp}\\n" + the note body`);
      assert.equal(verify(null, cosignedMessage(note.text, timestamp + 1n), w.key, signature), false,
        'and not over another time');
      verified++;
    }
    // README: AUDIT_WITNESS_QUORUM defaults to all of them.
    assert.equal(verified, known.length);
    const names = new Set([ORIGIN, ...known.map((k) => k.name)]);
    for (const s of note.signatures) assert.ok(names.has(s.name), `a signature line from a listed key: ${s.name}`);
  });
});
