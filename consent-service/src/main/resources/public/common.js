'use strict';
// What the patients' and the regulators' pages share: building elements (API data only ever as
// text, never as HTML), messages, calls to the API, dates.

// Builds an element; strings become text nodes, so API data can never inject markup.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v == null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const $ = (id) => document.getElementById(id);

function say(message) {
  $('alert').hidden = true;
  $('status').textContent = message;
}

function warn(message) {
  $('status').textContent = '';
  $('alert').textContent = message;
  $('alert').hidden = false;
}

class ApiError extends Error {
  constructor(status, problem) { super('HTTP ' + status); this.status = status; this.problem = problem || {}; }
}

// Calls the API with the token; a failure is an ApiError with the problem document, if any.
async function callApi(path, options, token) {
  const headers = Object.assign({ Accept: 'application/json' }, options.headers);
  if (token) headers.Authorization = 'Bearer ' + token;
  let response;
  try {
    response = await fetch(path, Object.assign({}, options, { headers }));
  } catch (e) {
    throw new ApiError(0);
  }
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch (e) { /* not a problem document */ }
    throw new ApiError(response.status, problem);
  }
  return response;
}

// A date the browser cannot show (out of its range, malformed) is shown as it came.
function formatDate(iso, lang, style = { dateStyle: 'long', timeStyle: 'short' }) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  try {
    return new Intl.DateTimeFormat(lang, style).format(date);
  } catch (e) {
    return String(iso);
  }
}

// Saves what the API answered as a file the person downloads.
function downloadBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A token the portal passed in the URL fragment (which never reaches a server): kept in the tab's
// session storage only, and taken out of the address bar.
function tokenFromFragment(key) {
  const m = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (m) {
    sessionStorage.setItem(key, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem(key);
}

// Every fixed text of the page in its language: [data-t] elements, the navigation's label, the switch.
function applyLanguage(lang, t) {
  document.documentElement.lang = lang;
  document.title = t('brand');
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  $('nav').setAttribute('aria-label', t('navLabel'));
  $('lang').textContent = t('switchTo');
  $('lang').setAttribute('lang', lang === 'fr' ? 'en' : 'fr');
}

// Starts a page: its language (remembered), the language switch, sign-out, the navigation, then the
// first view, or sign-in. `page` gives {state, t, go, signInView, signOut, readToken, first}.
function startPage(page) {
  document.addEventListener('DOMContentLoaded', () => {
    const { state } = page;
    state.lang = localStorage.getItem('consent.lang') === 'en' ? 'en' : 'fr';
    applyLanguage(state.lang, page.t);
    $('lang').addEventListener('click', async () => {
      state.lang = state.lang === 'fr' ? 'en' : 'fr';
      localStorage.setItem('consent.lang', state.lang);
      applyLanguage(state.lang, page.t);
      say('');
      if (state.token) await page.go(state.view, false); else await page.signInView();
    });
    $('signout').addEventListener('click', () => page.signOut());
    for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => page.go(b.dataset.view));
    page.readToken();
    if (state.token) page.go(page.first, false); else page.signInView();
  });
}
