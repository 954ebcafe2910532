// The provider lab's common part: what every stand-in for a real provider
// (google.mjs, microsoft.mjs, github.mjs, gitlab.mjs) shares. Node built-ins
// only, so that the lab needs no npm package.
//
// A lab server listens on 127.0.0.1 on an ephemeral port and prints one line
// on stdout when ready:
//   {"base":"http://127.0.0.1:PORT","port":PORT}
// The person's pages speak the dialect of tests/idp/person.mjs (data-page on
// <body>, forms #login-form, #confirm-form, #abort-form, #op.deviceInputForm),
// so that the tests' agent signs in here as it does at tests/idp.
//
// Test-only endpoints, under /_test/:
//   GET  /_test/state            what the lab received (token requests with
//                                their parameters, revocations, User-Agent
//                                headers, authorization requests)
//   GET  /_test/access-token?token=T  whether T works, and whose it is
//   POST /_test/config?KEY=VALUE a switch of the provider's (its file lists them)
//   POST /_test/expire-refresh   every refresh token stops working
//   POST /_test/revoke-all       the person withdrew the app's access

import { createServer } from 'node:http';
import { createHash, generateKeyPairSync, randomBytes, createSign } from 'node:crypto';
import { parseArgs } from 'node:util';

export const now = () => Math.floor(Date.now() / 1000);
export const token = (prefix = '') => prefix + randomBytes(24).toString('base64url');

function b64url(data) {
  return Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64url');
}

// One signing key per run: ID tokens are RS256 JWTs, the key is in the JWKS.
export class Signer {
  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.kid = token().slice(0, 8);
    this.jwk = { ...publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  sign(claims) {
    const input = `${b64url({ alg: 'RS256', typ: 'JWT', kid: this.kid })}.${b64url(claims)}`;
    const signature = createSign('RSA-SHA256').update(input).sign(this.privateKey);
    return `${input}.${signature.toString('base64url')}`;
  }

  jwks() {
    return { keys: [this.jwk] };
  }
}

// OpenID Connect Core §3.1.3.6: the left half of the access token's SHA-256.
export function atHash(accessToken) {
  const digest = createHash('sha256').update(accessToken).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

// RFC 7636 §4.6.
export function pkceMatches(challenge, method, verifier) {
  if (!challenge) return true;
  if (!verifier) return false;
  if (method === 'S256') return createHash('sha256').update(verifier).digest('base64url') === challenge;
  return verifier === challenge;
}

export function splitScopes(value, separator = ' ') {
  return (value ?? '').split(separator).map((s) => s.trim()).filter(Boolean);
}

// RFC 6749 §2.3.1: client authentication by HTTP Basic or in the body.
export function clientCredentials(req, params) {
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString();
    const colon = decoded.indexOf(':');
    return {
      id: decodeURIComponent(decoded.slice(0, colon)),
      secret: decodeURIComponent(decoded.slice(colon + 1)),
      basic: true,
    };
  }
  return { id: params.client_id, secret: params.client_secret, basic: false };
}

export function bearer(req) {
  const header = req.headers.authorization ?? '';
  const match = /^(?:Bearer|token) (.+)$/i.exec(header);
  return match ? match[1] : null;
}

// --- responses ------------------------------------------------------------

export function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export function sendForm(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
  res.end(new URLSearchParams(body).toString());
}

export function redirect(res, location) {
  res.writeHead(302, { location });
  res.end();
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res, kind, inner, extra = '') {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><body data-page="${kind}"${extra}>${inner}</body></html>`);
}

function form(id, action, fields) {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`)
    .join('');
  return `<form id="${id}" method="post" action="${escape(action)}">${inputs}<button>Go</button></form>`;
}

// --- the server -------------------------------------------------------------

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

function parseBody(req, text) {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    try {
      return JSON.parse(text || '{}');
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

// A lab: the state every provider keeps, the person's pages, and the routes.
// A provider registers its routes with lab.route(METHOD, PATH, handler) and
// answers the person's consent through lab.onApproved.
export class Lab {
  constructor(name, { accessTokenTtl = 3600 } = {}) {
    this.name = name;
    this.signer = new Signer();
    this.accessTokenTtl = accessTokenTtl;
    this.routes = [];
    this.config = {};
    this.transactions = new Map();   // tx → the authorization request
    this.codes = new Map();          // code → { request, login }
    this.accessTokens = new Map();   // token → { login, scopes, clientId, grantId, expiresAt, ... }
    this.refreshTokens = new Map();  // token → { login, scopes, clientId, grantId, expiresAt, dead }
    this.devices = new Map();        // device_code → { userCode, clientId, scopes, status, login, expiresAt }
    this.seen = { tokenRequests: [], revocations: [], userAgents: [], authorizations: [], deviceRequests: [] };
    this.onApproved = null;          // (request, login, res) → answers the browser
    this.deviceScopesAllowed = null;
    this.addTestRoutes();
  }

  route(method, path, handler) {
    this.routes.push({ method, path, handler });
  }

  // A grant: one person's consent to one client, which revoking ends whole.
  newGrant() {
    return token('grant-');
  }

  issueAccessToken(fields, ttl = this.accessTokenTtl, prefix = '') {
    const accessToken = token(prefix);
    this.accessTokens.set(accessToken, { ...fields, expiresAt: ttl ? now() + ttl : 0 });
    return accessToken;
  }

  issueRefreshToken(fields, ttl = 0, prefix = '') {
    const refreshToken = token(prefix);
    this.refreshTokens.set(refreshToken, { ...fields, expiresAt: ttl ? now() + ttl : 0, dead: false });
    return refreshToken;
  }

  liveAccessToken(value) {
    const entry = value ? this.accessTokens.get(value) : undefined;
    if (!entry || entry.revoked || (entry.expiresAt && entry.expiresAt < now())) return null;
    return entry;
  }

  liveRefreshToken(value) {
    const entry = value ? this.refreshTokens.get(value) : undefined;
    if (!entry || entry.dead || (entry.expiresAt && entry.expiresAt < now())) return null;
    return entry;
  }

  // Every token of the grant stops working.
  revokeGrant(grantId) {
    for (const entry of this.accessTokens.values()) if (entry.grantId === grantId) entry.revoked = true;
    for (const entry of this.refreshTokens.values()) if (entry.grantId === grantId) entry.dead = true;
  }

  recordToken(req, params) {
    const { client_secret: secret, code_verifier: verifier, ...rest } = params;
    this.seen.tokenRequests.push({
      ...rest,
      has_client_secret: Boolean(secret) || (req.headers.authorization ?? '').startsWith('Basic '),
      client_auth: (req.headers.authorization ?? '').startsWith('Basic ') ? 'basic' : (secret ? 'post' : 'none'),
      has_code_verifier: Boolean(verifier),
      accept: req.headers.accept ?? null,
    });
  }

  // --- the person's pages: sign in, then consent ---------------------------

  beginAuthorization(res, request) {
    const tx = token('tx-');
    this.transactions.set(tx, request);
    page(res, 'login', form('login-form', '/_lab/login', { tx, login: '' }));
  }

  addPersonRoutes() {
    this.route('POST', '/_lab/login', (req, res, { body }) => {
      const request = this.transactions.get(body.tx);
      if (!request) return page(res, 'error', 'Unknown sign-in.', ' data-error="unknown_transaction"');
      request.login = body.login || 'alice';
      if (request.device) {
        return page(res, 'consent', form('confirm-form', '/_lab/device/confirm', { tx: body.tx })
          + form('abort-form', '/_lab/device/abort', { tx: body.tx }));
      }
      return page(res, 'consent', form('confirm-form', '/_lab/consent', { tx: body.tx })
        + form('abort-form', '/_lab/abort', { tx: body.tx }));
    });
    this.route('POST', '/_lab/consent', (req, res, { body }) => {
      const request = this.transactions.get(body.tx);
      if (!request) return page(res, 'error', 'Unknown sign-in.', ' data-error="unknown_transaction"');
      this.transactions.delete(body.tx);
      return this.onApproved(request, request.login, res);
    });
    this.route('POST', '/_lab/abort', (req, res, { body }) => {
      const request = this.transactions.get(body.tx);
      if (!request) return page(res, 'error', 'Unknown sign-in.', ' data-error="unknown_transaction"');
      this.transactions.delete(body.tx);
      return redirectWithError(res, request, { error: 'access_denied', ...(request.denyExtra ?? {}) });
    });
    this.addDevicePages();
  }

  // Issues an authorization code for the approved request and sends the
  // browser back to the client, with @extra (Google's `iss`) in the query.
  approveWithCode(request, login, res, extra = {}) {
    const code = token('code-');
    this.codes.set(code, { request, login, expiresAt: now() + 600 });
    const target = new URL(request.redirect_uri);
    target.searchParams.set('code', code);
    if (request.state !== undefined) target.searchParams.set('state', request.state);
    for (const [key, value] of Object.entries(extra)) target.searchParams.set(key, value);
    return redirect(res, target.href);
  }

  takeCode(code) {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || entry.expiresAt < now()) return null;
    return entry;
  }

  // --- device flow (RFC 8628) pages ----------------------------------------

  newDevice(clientId, scopes, ttl = 900) {
    const deviceCode = token('device-');
    const userCode = randomBytes(4).toString('hex').toUpperCase();
    this.devices.set(deviceCode, { userCode, clientId, scopes, status: 'pending', expiresAt: now() + ttl, lastPoll: 0 });
    return { deviceCode, userCode };
  }

  deviceByUserCode(userCode) {
    for (const entry of this.devices.values()) if (entry.userCode === userCode) return entry;
    return null;
  }

  addDevicePages() {
    const codeForm = (error = '') => (res) => page(res, 'device-code',
      form('op.deviceInputForm', '/_lab/device', { user_code: '' }), error ? ` data-error="${error}"` : '');
    this.route('GET', '/_lab/device', (req, res, { query }) => {
      if (query.user_code) return this.deviceLogin(res, query.user_code);
      return codeForm()(res);
    });
    this.route('POST', '/_lab/device', (req, res, { body }) => this.deviceLogin(res, body.user_code));
    this.route('POST', '/_lab/device/confirm', (req, res, { body }) => {
      const request = this.transactions.get(body.tx);
      if (!request) return page(res, 'error', 'Unknown sign-in.', ' data-error="unknown_transaction"');
      request.device.status = 'approved';
      request.device.login = request.login;
      return page(res, 'device-success', 'You are signed in; go back to your device.');
    });
    this.route('POST', '/_lab/device/abort', (req, res, { body }) => {
      const request = this.transactions.get(body.tx);
      if (request) request.device.status = 'denied';
      return codeForm('aborted')(res);
    });
  }

  deviceLogin(res, userCode) {
    const device = this.deviceByUserCode((userCode ?? '').toUpperCase());
    if (!device || device.status !== 'pending') {
      return page(res, 'device-code', form('op.deviceInputForm', '/_lab/device', { user_code: '' }),
        ' data-error="no_such_code"');
    }
    return this.beginAuthorization(res, { device });
  }

  // RFC 8628 §3.5: the answer to a poll, or null once the person approved.
  devicePoll(deviceCode, clientId, interval) {
    const device = this.devices.get(deviceCode);
    if (!device || device.clientId !== clientId) return { error: 'invalid_grant' };
    if (device.expiresAt < now()) return { error: 'expired_token' };
    const tooSoon = now() - device.lastPoll < interval;
    device.lastPoll = now();
    if (device.status === 'denied') return { error: 'access_denied' };
    if (device.status === 'pending') return { error: tooSoon ? 'slow_down' : 'authorization_pending' };
    if (device.status === 'used') return { error: 'invalid_grant' };
    device.status = 'used';
    return { device };
  }

  // --- test endpoints -------------------------------------------------------

  addTestRoutes() {
    this.route('GET', '/_test/state', (req, res) => sendJson(res, 200, {
      ...this.seen,
      config: this.config,
      refreshTokens: [...this.refreshTokens.entries()].map(([value, e]) => ({
        value, login: e.login, scopes: e.scopes, dead: e.dead || (e.expiresAt && e.expiresAt < now()), used: e.used ?? 0,
      })),
      liveAccessTokens: [...this.accessTokens.values()].filter((e) => !e.revoked).length,
    }));
    this.route('GET', '/_test/access-token', (req, res, { query }) => {
      const entry = this.liveAccessToken(query.token);
      sendJson(res, 200, entry ? { live: true, login: entry.login, scopes: entry.scopes } : { live: false });
    });
    this.route('POST', '/_test/config', (req, res, { query }) => {
      Object.assign(this.config, query);
      sendJson(res, 200, this.config);
    });
    this.route('POST', '/_test/expire-refresh', (req, res) => {
      for (const entry of this.refreshTokens.values()) entry.dead = true;
      sendJson(res, 200, {});
    });
    this.route('POST', '/_test/revoke-all', (req, res) => {
      for (const entry of this.accessTokens.values()) entry.revoked = true;
      for (const entry of this.refreshTokens.values()) entry.dead = true;
      sendJson(res, 200, {});
    });
  }

  async handle(req, res) {
    const url = new URL(req.url, 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const rawBody = await readBody(req);
    const body = parseBody(req, rawBody);
    if (!url.pathname.startsWith('/_test/')) {
      this.seen.userAgents.push({ path: url.pathname, userAgent: req.headers['user-agent'] ?? null });
    }
    const route = this.routes.find((r) => r.method === req.method
      && (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname)));
    if (!route) return sendJson(res, 404, { error: 'not_found', path: url.pathname });
    return route.handler(req, res, { url, query, body, rawBody });
  }

  async listen() {
    this.addPersonRoutes();
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        process.stderr.write(`${this.name}: ${err.stack}\n`);
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      });
    });
    await new Promise((resolve) => server.listen(labArgs().port, '127.0.0.1', resolve));
    this.port = server.address().port;
    this.base = `http://127.0.0.1:${this.port}`;
    process.stdout.write(`${JSON.stringify({ base: this.base, port: this.port })}\n`);
    for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
    return this;
  }
}

export function redirectWithError(res, request, fields) {
  const target = new URL(request.redirect_uri);
  for (const [key, value] of Object.entries(fields)) target.searchParams.set(key, value);
  if (request.state !== undefined) target.searchParams.set('state', request.state);
  return redirect(res, target.href);
}

// The error page a provider shows instead of redirecting (a bad client or
// redirect URI: RFC 6749 §4.1.2.1 forbids redirecting then).
export function errorPage(res, error) {
  return page(res, 'error', escape(error), ` data-error="${escape(error)}"`);
}

let parsedArgs;
export function labArgs() {
  if (!parsedArgs) {
    ({ values: parsedArgs } = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        'access-token-ttl': { type: 'string' },
      },
      strict: true,
    }));
    parsedArgs.port = Number(parsedArgs.port);
    parsedArgs.accessTokenTtl = parsedArgs['access-token-ttl'] === undefined
      ? undefined : Number(parsedArgs['access-token-ttl']);
  }
  return parsedArgs;
}

// A loopback redirect URI matches a registered one whatever its port
// (RFC 8252 §7.3), as every one of these providers allows for desktop apps.
export function loopbackRedirectAllowed(uri) {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]');
  } catch {
    return false;
  }
}
