#!/usr/bin/env node
// A scripted person who signs in on server.mjs's pages as a browser would:
// one cookie jar, redirects followed by hand, forms read from the HTML.
//
//   node person.mjs [--login NAME] [--deny] [--follow] AUTHORIZATION_URL
//     Signs in and consents (or denies), stops at the first redirect that
//     leaves the provider's origin and prints its URI on stdout.  That URI is
//     only requested with --follow (status reported on stderr; exit 0 on 2xx).
//   node person.mjs --device [--login NAME] [--deny] VERIFICATION_URI_COMPLETE
//   node person.mjs --device-code USER_CODE [--login NAME] [--deny] VERIFICATION_URI
//     Device flow: confirms the code, signs in, consents (or denies); exit 0
//     on the page that ends it (success, or the denial page with --deny).
//
// Exits non-zero, with a message on stderr, on anything unexpected.

import { parseArgs } from 'node:util';

const MAX_STEPS = 30;
const REQUEST_TIMEOUT_MS = 30000;

function fail(message) {
  process.stderr.write(`person.mjs: ${message}\n`);
  process.exit(1);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      login: { type: 'string', default: 'alice' },
      deny: { type: 'boolean', default: false },
      follow: { type: 'boolean', default: false },
      device: { type: 'boolean', default: false },
      'device-code': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
} catch (err) {
  fail(err.message);
}
const { values: opts, positionals } = parsed;
if (positionals.length !== 1) fail('expected exactly one URL');
if (opts.device && opts['device-code'] !== undefined) fail('--device and --device-code exclude each other');
const deviceMode = opts.device || opts['device-code'] !== undefined;
if (deviceMode && opts.follow) fail('--follow only applies to an authorization URL');

const startUrl = new URL(positionals[0]);
const providerOrigin = startUrl.origin;

// A browser's cookie jar, reduced to one origin: name + path → cookie.
const jar = new Map();

function storeCookies(response) {
  for (const header of response.headers.getSetCookie()) {
    const [pair, ...attributes] = header.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = '/';
    let expired = value === '';
    for (const attribute of attributes) {
      const [key, ...rest] = attribute.trim().split('=');
      const attrValue = rest.join('=');
      switch (key.toLowerCase()) {
        case 'path': path = attrValue || '/'; break;
        case 'max-age': expired ||= Number(attrValue) <= 0; break;
        case 'expires': expired ||= Date.parse(attrValue) <= Date.now(); break;
        default: break;
      }
    }
    const key = `${name}\n${path}`;
    if (expired) jar.delete(key);
    else jar.set(key, { name, value, path });
  }
}

function cookieHeader(url) {
  const path = url.pathname;
  return [...jar.values()]
    .filter((c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
}

async function request(url, { method = 'GET', form } = {}) {
  const headers = { 'user-agent': 'sesame-test-person/1', accept: 'text/html' };
  const cookies = cookieHeader(url);
  if (cookies) headers.cookie = cookies;
  let body;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    fail(`${method} ${url}: ${err.cause?.message ?? err.message}`);
  }
  storeCookies(response);
  const text = await response.text();
  process.stderr.write(`person.mjs: ${method} ${url.pathname} -> ${response.status}\n`);
  return { response, text, url };
}

// --- reading this provider's HTML ---------------------------------------

const ENTITIES = {
  amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'",
};

function decodeEntities(text) {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, name) => ENTITIES[name]);
}

function attributes(tag) {
  const out = {};
  for (const [, name, value1, value2] of tag.matchAll(/([\w.:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?/g)) {
    out[name.toLowerCase()] = decodeEntities(value1 ?? value2 ?? '');
  }
  return out;
}

function pageKind(html) {
  const body = /<body\b([^>]*)>/i.exec(html);
  return body ? attributes(body[1]) : {};
}

// Every <form>: its attributes and the name → value of its inputs.
function forms(html) {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, attrs, inner]) => {
    const fields = {};
    for (const [, input] of inner.matchAll(/<input\b([^>]*)>/gi)) {
      const a = attributes(input);
      if (a.name) fields[a.name] = a.value ?? '';
    }
    return { ...attributes(attrs), fields };
  });
}

function formById(page, id) {
  const form = forms(page.text).find((f) => f.id === id);
  if (!form) fail(`no form #${id} on ${page.url}`);
  return form;
}

function submit(page, form, extra = {}) {
  if ((form.method ?? 'get').toLowerCase() !== 'post') fail(`form on ${page.url} is not a POST form`);
  const action = new URL(form.action || page.url.href, page.url);
  if (action.origin !== providerOrigin) fail(`form on ${page.url} posts off the provider: ${action}`);
  return request(action, { method: 'POST', form: { ...form.fields, ...extra } });
}

// --- the walk ------------------------------------------------------------

// Walks from the start URL to the end: { redirect: URI } for the first
// redirect off the provider (authorization mode), { device: OUTCOME } for the
// page that closes a device sign-in.
async function walk() {
  let page = await request(startUrl);
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const { response } = page;
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      if (!location) fail(`${response.status} without Location from ${page.url}`);
      const next = new URL(location, page.url);
      if (next.origin !== providerOrigin) return { redirect: next.href };
      page = await request(next);
      continue;
    }
    if (response.status !== 200) {
      fail(`unexpected ${response.status} from ${page.url}: ${page.text.slice(0, 500)}`);
    }

    const body = pageKind(page.text);
    switch (body['data-page']) {
      case 'login':
        page = await submit(page, formById(page, 'login-form'), { login: opts.login });
        break;
      case 'consent':
        page = await submit(page, formById(page, opts.deny ? 'abort-form' : 'confirm-form'));
        break;
      case 'device-code': {
        // After a denial the provider shows the code form again, saying so.
        if (body['data-error'] === 'aborted') return { device: 'denied' };
        if (body['data-error']) fail(`device code page reports ${body['data-error']}`);
        const userCode = opts['device-code'];
        if (userCode === undefined) fail('the provider asks for a user code but none was given (use --device-code)');
        page = await submit(page, formById(page, 'op.deviceInputForm'), { user_code: userCode });
        break;
      }
      case 'device-confirm':
        page = await submit(page, formById(page, 'op.deviceConfirmForm'));
        break;
      case 'device-success':
        return { device: 'signed-in' };
      case 'error':
        return fail(`error page at ${page.url}: ${body['data-error']}`);
      default: {
        // oidc-provider's own self-submitting form (its form_post page, used
        // when the verification URI carries the user code): submit it, as
        // the page's script would.
        const all = forms(page.text);
        if (all.length !== 1 || !/document\.forms\[0\]\.submit\(\)/.test(page.text)) {
          fail(`unknown page at ${page.url}: ${page.text.slice(0, 500)}`);
        }
        page = await submit(page, all[0]);
      }
    }
  }
  return fail(`no end after ${MAX_STEPS} steps`);
}

const result = await walk();

if (deviceMode) {
  if (!result.device) fail(`device flow redirected off the provider: ${result.redirect}`);
  const expected = opts.deny ? 'denied' : 'signed-in';
  if (result.device !== expected) fail(`device sign-in ended ${result.device}, expected ${expected}`);
  process.stderr.write(`person.mjs: device sign-in ${result.device}\n`);
  process.exit(0);
}

if (!result.redirect) fail(`authorization ended on a device page (${result.device})`);
process.stdout.write(`${result.redirect}\n`);

if (opts.follow) {
  let response;
  try {
    response = await fetch(result.redirect, {
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.arrayBuffer();
  } catch (err) {
    fail(`GET ${result.redirect}: ${err.cause?.message ?? err.message}`);
  }
  process.stderr.write(`person.mjs: followed ${result.redirect} -> ${response.status}\n`);
  if (response.status < 200 || response.status > 299) process.exit(1);
}
