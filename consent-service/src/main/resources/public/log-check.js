'use strict';
// Checking the public log in the browser, with Web Crypto alone (SHA-256, Ed25519): a leaf's hash
// (RFC 9162), an inclusion proof, a checkpoint's signed note (c2sp.org/signed-note) and its
// witnesses' cosignatures (c2sp.org/tlog-cosignature). Shared by the patients' and the regulators'
// pages. A failure throws an Error whose message is one word: proof, signature, unavailable, browser.

const LogCheck = (() => {
  const utf8 = new TextEncoder();
  const ONE = new Uint8Array([1]);

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  const sha256 = async (...parts) => new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));
  const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const fromHex = (s) => new Uint8Array((s.match(/../g) || []).map((h) => parseInt(h, 16)));
  const fromBase64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  // The leaf's canonical JSON (keys sorted), as the service hashes it.
  function canonical(leaf) {
    return '{' + Object.keys(leaf).sort().map((k) => JSON.stringify(k) + ':' + JSON.stringify(leaf[k])).join(',') + '}';
  }
  const leafHash = (leaf) => sha256(new Uint8Array([0]), utf8.encode(canonical(leaf)));

  // RFC 9162 2.1.3.2: the root an inclusion proof leads to, or null.
  async function rootOf(index, size, hash, proof) {
    if (index >= size) return null;
    let fn = index; let sn = size - 1; let r = hash;
    for (const p of proof) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(ONE, p, r);
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await sha256(ONE, r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  // c2sp.org/signed-note: the text, and the signature lines as {name, id, sig}.
  function readNote(note) {
    const split = note.lastIndexOf('\n\n');
    const lines = note.slice(split + 2).split('\n').filter((l) => l);
    return { text: note.slice(0, split + 1), signatures: lines.map((l) => {
      const [, name, data] = l.match(/^\u2014 (\S+) (\S+)$/) || [];
      const bytes = data ? fromBase64(data) : new Uint8Array(0);
      return { name, id: bytes.slice(0, 4), sig: bytes.slice(4) };
    }) };
  }

  // A verifier key, name+id+base64(type || key): the key, if the id matches it.
  async function readKey(vkey) {
    const [name, id, data] = vkey.trim().split(/\+(.*?)\+(.*)/s).filter((x) => x !== '');
    const typed = fromBase64(data);
    const hash = await sha256(utf8.encode(name), new Uint8Array([10]), typed);
    if (toHex(hash.slice(0, 4)) !== id) throw new Error('signature');
    return { name, id: fromHex(id), type: typed[0],
      key: await crypto.subtle.importKey('raw', typed.slice(1), { name: 'Ed25519' }, false, ['verify']) };
  }

  const verifyEd25519 = (key, sig, data) => crypto.subtle.verify({ name: 'Ed25519' }, key, sig, data);

  // The log's public texts (its key, its witnesses' keys): plain text, for anyone.
  async function publicText(path) {
    let response;
    try { response = await fetch(path); } catch (e) { throw new Error('unavailable'); }
    if (!response.ok) throw new Error('unavailable');
    return response.text();
  }

  // A checkpoint's note, checked against the log's key (/log/key): its size, root, and how many of
  // the witnesses listed at /log/witnesses cosigned it.
  async function checkpoint(noteText) {
    const note = readNote(noteText);
    const [origin, size, root] = note.text.split('\n');
    let logKey;
    try {
      logKey = await readKey(await publicText('/log/key'));
    } catch (e) {
      throw new Error(['signature', 'unavailable'].includes(e.message) ? e.message : 'browser');
    }
    const signed = note.signatures.find((s) => s.name === logKey.name && same(s.id, logKey.id));
    if (!signed || !(await verifyEd25519(logKey.key, signed.sig, utf8.encode(note.text)))) throw new Error('signature');
    let witnesses = 0;
    for (const vkey of (await publicText('/log/witnesses')).split('\n').filter((l) => l)) {
      const w = await readKey(vkey);
      const line = note.signatures.find((s) => s.name === w.name && same(s.id, w.id) && s.sig.length === 72);
      if (!line) continue;
      const time = new DataView(line.sig.buffer, line.sig.byteOffset, 8).getBigUint64(0);
      const message = utf8.encode('cosignature/v1\ntime ' + time + '\n' + note.text);
      if (await verifyEd25519(w.key, line.sig.slice(8), message)) witnesses++;
    }
    return { origin, size: Number(size), root: fromBase64(root), witnesses };
  }

  // Whether the leaf (its hash, bytes) is in the checked checkpoint by the proof (hex hashes).
  async function includes(cp, index, hash, proofHex) {
    const reached = await rootOf(index, cp.size, hash, proofHex.map(fromHex));
    return reached != null && same(reached, cp.root);
  }

  return { leafHash, checkpoint, includes, toHex, fromHex, publicText };
})();
