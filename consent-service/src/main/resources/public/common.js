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
