#!/usr/bin/env node
// A real OpenID Connect provider (oidc-provider) for Sesame's tests.
//
//   node server.mjs [--port N] [--access-token-ttl SECONDS] [--state FILE]
//                   [--device-interval SECONDS]
//
// Listens on 127.0.0.1 only.  When ready it prints exactly one line on stdout,
//   {"issuer":"http://127.0.0.1:PORT","port":PORT}
// and everything else goes to stderr.  SIGTERM or SIGINT stops it.
// With --state FILE, grants, tokens, device codes, sessions and the signing
// keys survive a restart on the same port with the same file.
// --device-interval puts "interval" into device authorization responses, so
// that tests need not poll at RFC 8628's default of 5 seconds.

import { once } from 'node:events';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import * as pages from './pages.mjs';
import { Store } from './state.mjs';

const USAGE = 'usage: node server.mjs [--port N] [--access-token-ttl SECONDS] [--state FILE] [--device-interval SECONDS]';

function usageError(message) {
  console.error(`server.mjs: ${message}\n${USAGE}`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'access-token-ttl': { type: 'string', default: '3600' },
      state: { type: 'string' },
      'device-interval': { type: 'string' },
    },
    strict: true,
  }));
} catch (err) {
  usageError(err.message);
}

function intArg(name, min, max) {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < min || value > max) {
    usageError(`--${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

const port = intArg('port', 0, 65535);
const accessTokenTtl = intArg('access-token-ttl', 1, 10 * 365 * 24 * 3600);
const deviceInterval = args['device-interval'] === undefined
  ? undefined : intArg('device-interval', 1, 3600);

const ROUTES = {
  authorization: '/auth',
  code_verification: '/device',
  device_authorization: '/device/auth',
  introspection: '/token/introspection',
  jwks: '/jwks',
  revocation: '/token/revocation',
  token: '/token',
  userinfo: '/me',
};

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const API_SCOPES = ['api:read', 'api:write'];
// Scopes named by a resource's URL, as Microsoft's are: tests of one token
// per resource (DESIGN.md, Tokens per scope set) refresh for each alone.
const RESOURCE_SCOPES = ['https://a.example/read', 'https://b.example/read'];

const CLIENTS = [
  {
    client_id: 'sesame-test',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    // oidc-provider accepts any port on a registered loopback redirect URI
    // of a native client (RFC 8252 §7.3), so this one entry covers
    // http://127.0.0.1:PORT/callback for every PORT.
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
    response_types: ['code'],
  },
  // A client for device sign-in alone, as Google registers one of type "TVs
  // and Limited Input devices" beside the desktop one: its tokens are its
  // own, and only it may revoke them (RFC 7009 §2.1).
  {
    client_id: 'sesame-tv',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['refresh_token', DEVICE_CODE_GRANT],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'sesame-confidential',
    client_secret: 'sesame-test-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'api:read api:write',
  },
  {
    client_id: 'sesame-post',
    client_secret: 'sesame-post-secret',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'api:read',
  },
];

const AUTH_METHOD = new Map(CLIENTS.map((c) => [c.client_id, c.token_endpoint_auth_method]));

// The one client allowed to introspect every client's tokens.
const INTROSPECTOR = 'sesame-confidential';

// oidc-provider prints its notices with console.info, i.e. on stdout, which
// is reserved for the ready line.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const { default: Provider } = await import('oidc-provider');

let store;
try {
  store = new Store(args.state);
} catch (err) {
  console.error(`server.mjs: ${err.message}`);
  process.exit(1);
}

// Any login name L is account L.
async function findAccount(ctx, accountId) {
  return {
    accountId,
    async claims() {
      return {
        sub: accountId,
        email: `${accountId}@example.test`,
        email_verified: true,
        name: accountId,
      };
    },
  };
}

// Counters for GET /_test/stats; token requests by grant_type, whatever
// their outcome (requests failed on purpose by /_test/token-fail included).
function emptyStats() {
  return {
    token: {
      authorization_code: 0,
      refresh_token: 0,
      client_credentials: 0,
      [DEVICE_CODE_GRANT]: 0,
    },
    revocation: 0,
    userinfo: 0,
    // The `scope` of the last refresh request (null: none sent).
    lastRefreshScope: null,
  };
}

let stats = emptyStats();
let tokenDelayMs = 0;
// How long the discovery document waits (POST /_test/discovery-delay?ms=):
// calls made while a broker discovers must wait for it.
let discoveryDelayMs = 0;
// Refresh tokens as /_test/refresh-tokens sets them: their lifetime, whether
// a rotation starts a fresh one (renew) or keeps the first one's end (as
// absolute lifetimes do), and whether token responses say so in
// refresh_token_expires_in (as GitHub Apps do).
const refreshTokens = { ttl: 14 * 24 * 3600, renew: true, announce: false };

function refreshTokenTtl(ctx) {
  const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
  return !refreshTokens.renew && rotated ? rotated.remainingTTL : refreshTokens.ttl;
}
// A provider that does not narrow: refreshes ignore `scope` and answer for
// the whole grant (set by POST /_test/refresh-ignores-scope?on=1).
let refreshIgnoresScope = false;
const tokenFailure = { status: 503, remaining: 0, error: null };

// The client_id of an HTTP Basic Authorization header (RFC 6749 §2.3.1:
// form-urlencoded, then base64), or undefined.
function basicClientId(header) {
  const [scheme, value] = header?.split(' ') ?? [];
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

// oidc-provider takes a client secret from the Basic header or from the body
// whether the client registered client_secret_basic or client_secret_post.
// Stricter providers refuse the other method, and the tests must see which
// one the broker used, so the token endpoint refuses it.  Returns the
// registered method's name when the request used the other one.
function wrongAuthMethod(ctx, form) {
  const basicId = basicClientId(ctx.get('authorization'));
  if (basicId !== undefined) {
    return AUTH_METHOD.get(basicId) === 'client_secret_post' ? 'client_secret_post' : undefined;
  }
  if (form.has('client_secret')) {
    const method = AUTH_METHOD.get(form.get('client_id'));
    return method === 'client_secret_basic' ? method : undefined;
  }
  return undefined;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function json(ctx, body, status = 200) {
  ctx.status = status;
  ctx.body = body;
}

// Parses a query parameter as an integer in [min, max]; answers 400 if not.
function queryInt(ctx, name, fallback, min, max) {
  const raw = ctx.query[name] ?? fallback;
  const value = Number(raw);
  if (raw === undefined || raw === '' || !Number.isInteger(value) || value < min || value > max) {
    json(ctx, { error: `${name} must be an integer from ${min} to ${max}` }, 400);
    return undefined;
  }
  return value;
}

// The test-only admin endpoints, plain JSON.
async function adminRoutes(ctx) {
  const route = `${ctx.method} ${ctx.path}`;
  switch (route) {
    case 'GET /_test/stats':
      return json(ctx, stats);
    case 'POST /_test/reset-stats':
      stats = emptyStats();
      return json(ctx, stats);
    case 'POST /_test/revoke-account': {
      const account = ctx.query.account;
      if (!account) return json(ctx, { error: 'account is required' }, 400);
      return json(ctx, { account, deleted: store.deleteAccount(account) });
    }
    case 'POST /_test/refresh-ignores-scope':
      refreshIgnoresScope = ctx.query.on === '1';
      return json(ctx, { on: refreshIgnoresScope });
    case 'POST /_test/token-scope': {
      // The scopes an access token carries; the token comes in the body,
      // never in a URL.
      const token = await provider.AccessToken.find((await readBody(ctx.req)).trim());
      if (!token) return json(ctx, { error: 'no such access token' }, 404);
      return json(ctx, { scope: token.scope });
    }
    case 'POST /_test/token-delay': {
      const ms = queryInt(ctx, 'ms', undefined, 0, 600000);
      if (ms === undefined) return undefined;
      tokenDelayMs = ms;
      return json(ctx, { ms });
    }
    case 'POST /_test/discovery-delay': {
      const ms = queryInt(ctx, 'ms', undefined, 0, 600000);
      if (ms === undefined) return undefined;
      discoveryDelayMs = ms;
      return json(ctx, { ms });
    }
    case 'POST /_test/refresh-tokens': {
      const ttl = queryInt(ctx, 'ttl', String(refreshTokens.ttl), 1, 10 * 365 * 24 * 3600);
      const renew = ttl === undefined ? undefined : queryInt(ctx, 'renew', '1', 0, 1);
      const announce = renew === undefined ? undefined : queryInt(ctx, 'announce', '0', 0, 1);
      if (announce === undefined) return undefined;
      Object.assign(refreshTokens, { ttl, renew: renew === 1, announce: announce === 1 });
      return json(ctx, refreshTokens);
    }
    case 'POST /_test/token-fail': {
      // With `error`, the failure is an OAuth error object, as providers
      // with codes of their own send it (GitHub even with 200 OK).
      const error = ctx.query.error ?? null;
      const status = queryInt(ctx, 'status', '503', error ? 200 : 400, 599);
      const count = status === undefined ? undefined : queryInt(ctx, 'count', '1', 0, 1000);
      if (count === undefined) return undefined;
      Object.assign(tokenFailure, { status, remaining: count, error });
      return json(ctx, { status, count, error });
    }
    default:
      return json(ctx, { error: `no such test endpoint: ${route}` }, 404);
  }
}

// Counts requests to the token, revocation and userinfo endpoints, applies
// the delays and the failures set through /_test/, the strict client
// authentication method at the token endpoint, and --device-interval.
async function instrument(ctx, next) {
  if (ctx.method === 'POST' && ctx.path === ROUTES.token) {
    const body = await readBody(ctx.req);
    const form = new URLSearchParams(body);
    const grantType = form.get('grant_type') ?? '(none)';
    stats.token[grantType] = (stats.token[grantType] ?? 0) + 1;
    if (grantType === 'refresh_token') {
      stats.lastRefreshScope = form.get('scope');
      if (refreshIgnoresScope) form.delete('scope');
    }
    // The body has to be read here to count the request on arrival (a test
    // holding a refresh in flight polls the stats to know it has arrived).
    // oidc-provider then takes it from req.body, a fallback it supports (and
    // warns about once on stderr).
    ctx.req.body = form.toString();

    if (tokenDelayMs) await sleep(tokenDelayMs);
    if (tokenFailure.remaining > 0) {
      tokenFailure.remaining -= 1;
      if (tokenFailure.error) {
        return json(ctx, {
          error: tokenFailure.error,
          error_description: 'failure injected by /_test/token-fail',
        }, tokenFailure.status);
      }
      ctx.status = tokenFailure.status;
      ctx.type = 'text/plain';
      ctx.body = `${tokenFailure.status} failure injected by /_test/token-fail\n`;
      return undefined;
    }
    const registered = wrongAuthMethod(ctx, form);
    if (registered) {
      return json(ctx, {
        error: 'invalid_client',
        error_description: `the client must authenticate with ${registered}`,
      }, 401);
    }
    await next();
    return announceRefreshLifetime(ctx);
  } else if (ctx.method === 'POST' && ctx.path === ROUTES.device_authorization && deviceInterval) {
    await next();
    if (ctx.status === 200) ctx.body.interval = deviceInterval;
    return undefined;
  } else if (ctx.path === '/.well-known/openid-configuration' && discoveryDelayMs) {
    await sleep(discoveryDelayMs);
  } else if (ctx.method === 'POST' && ctx.path === ROUTES.revocation) {
    stats.revocation += 1;
  } else if (ctx.path === ROUTES.userinfo) {
    stats.userinfo += 1;
  }
  return next();
}

// With announce set, a token response carrying a refresh token says how
// long that token lives: refresh_token_expires_in, in seconds.
async function announceRefreshLifetime(ctx) {
  if (!refreshTokens.announce || ctx.status !== 200 || !ctx.body?.refresh_token) return undefined;
  const token = await provider.RefreshToken.find(ctx.body.refresh_token);
  if (token) ctx.body.refresh_token_expires_in = token.remainingTTL;
  return undefined;
}

// The sign-in pages: /interaction/UID (login or consent, whichever the
// provider asks for), and the forms they post to.
const INTERACTION = /^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/;

async function parseForm(ctx) {
  return new URLSearchParams(await readBody(ctx.req));
}

async function interactionRoutes(ctx, uid, action) {
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== uid) {
    ctx.status = 400;
    ctx.body = pages.errorPage('invalid_request', 'this sign-in page is stale; start again');
    return undefined;
  }
  const { prompt, params, session } = details;
  const finish = async (result, mergeWithLastSubmission) => {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
      mergeWithLastSubmission,
    });
    ctx.status = 303;
    ctx.redirect(returnTo);
  };

  switch (`${ctx.method} ${action}`) {
    case 'GET undefined':
      ctx.set('cache-control', 'no-store');
      ctx.type = 'html';
      if (prompt.name === 'login') {
        ctx.body = pages.loginPage({ uid, clientId: params.client_id });
      } else {
        ctx.body = pages.consentPage({
          uid,
          clientId: params.client_id,
          accountId: session.accountId,
          scopes: params.scope ? params.scope.split(' ') : [],
        });
      }
      return undefined;
    case 'POST login': {
      const login = (await parseForm(ctx)).get('login')?.trim();
      if (prompt.name !== 'login' || !login) {
        ctx.status = 400;
        ctx.body = pages.errorPage('invalid_request', 'a login name is required');
        return undefined;
      }
      return finish({ login: { accountId: login } }, false);
    }
    case 'POST confirm': {
      if (prompt.name !== 'consent') {
        ctx.status = 400;
        ctx.body = pages.errorPage('invalid_request', 'nothing to consent to');
        return undefined;
      }
      // Grant what the provider found missing (as its own dev pages do).
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const missing = prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      return finish({ consent: { grantId: await grant.save() } }, true);
    }
    case 'POST abort':
      return finish({ error: 'access_denied', error_description: 'End-User denied the request' }, false);
    default:
      ctx.status = 405;
      ctx.body = pages.errorPage('invalid_request', 'method not allowed');
      return undefined;
  }
}

async function testMiddleware(ctx, next) {
  if (ctx.path.startsWith('/_test/')) return adminRoutes(ctx);

  const interaction = INTERACTION.exec(ctx.path);
  if (interaction) {
    try {
      return await interactionRoutes(ctx, interaction[1], interaction[2]);
    } catch (err) {
      console.error(`interaction ${ctx.method} ${ctx.path}:`, err);
      ctx.status = err.statusCode ?? 500;
      ctx.type = 'html';
      ctx.body = pages.errorPage(err.error ?? 'server_error', err.error_description ?? err.message);
      return undefined;
    }
  }

  return instrument(ctx, next);
}

const server = createServer();
server.listen(port, '127.0.0.1');
try {
  await once(server, 'listening');
} catch (err) {
  console.error(`server.mjs: cannot listen on 127.0.0.1:${port}: ${err.message}`);
  process.exit(1);
}
const actualPort = server.address().port;
const issuer = `http://127.0.0.1:${actualPort}`;

const provider = new Provider(issuer, {
  adapter: store.adapterFactory(),
  clients: CLIENTS,
  jwks: store.jwks,
  cookies: { keys: store.cookieKeys },
  findAccount,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  scopes: ['openid', 'offline_access', ...API_SCOPES, ...RESOURCE_SCOPES],
  responseTypes: ['code'],
  // Put the scope-requested claims (email, name) into the ID token too, not
  // only into userinfo: tests read the email from the ID token.
  conformIdTokenClaims: false,
  // PKCE for every client; oidc-provider only ever accepts S256.
  pkce: { required: () => true },
  // Every refresh returns a new refresh token; the old one is consumed.
  rotateRefreshToken: true,
  // issueRefreshToken keeps its default: a refresh token only when
  // offline_access was granted, which the provider keeps only with
  // prompt=consent (OpenID Connect Core §11).
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: false },
    clientCredentials: { enabled: true },
    deviceFlow: {
      enabled: true,
      userCodeInputSource: pages.userCodeInputSource,
      userCodeConfirmSource: pages.userCodeConfirmSource,
      successSource: pages.successSource,
    },
    introspection: {
      enabled: true,
      allowedPolicy: async (ctx, client, token) => client.clientId === INTROSPECTOR
        || token.clientId === client.clientId,
    },
    revocation: {
      enabled: true,
      allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId,
    },
    userinfo: { enabled: true },
  },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  renderError: pages.renderError,
  routes: ROUTES,
  ttl: {
    AccessToken: accessTokenTtl,
    ClientCredentials: accessTokenTtl,
    AuthorizationCode: 60,
    DeviceCode: 600,
    IdToken: 3600,
    Interaction: 3600,
    RefreshToken: refreshTokenTtl,
    Grant: 14 * 24 * 3600,
    Session: 14 * 24 * 3600,
  },
});

provider.use(testMiddleware);
provider.on('server_error', (ctx, err) => console.error('server_error:', err));
server.on('request', provider.callback());

function stop(signal) {
  console.error(`server.mjs: ${signal}, stopping`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

process.stdout.write(`${JSON.stringify({ issuer, port: actualPort })}\n`);
console.error(`server.mjs: ${issuer} ready (access token ttl ${accessTokenTtl}s, state ${args.state ?? 'in memory'})`);
