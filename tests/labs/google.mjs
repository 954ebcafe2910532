#!/usr/bin/env node
// Google's OAuth 2.0 and OpenID Connect endpoints, as their documentation
// describes them, on loopback: node google.mjs [--port N] [--access-token-ttl S]
//
// Clients (the client ids and secrets the tests' provider file names):
//   lab-google-desktop  "Desktop app" (installed app): secret required
//   lab-google-tv       "TVs and Limited Input devices": the device flow's
// /_test/config switches: iss=bare|https (the form of the ID token's `iss`).

import {
  Lab, atHash, clientCredentials, bearer, errorPage, labArgs, loopbackRedirectAllowed, now,
  pkceMatches, redirectWithError, sendJson, splitScopes,
} from './lab.mjs';

const DOCS = {
  native: 'https://developers.google.com/identity/protocols/oauth2/native-app',
  device: 'https://developers.google.com/identity/protocols/oauth2/limited-input-device',
  oidc: 'https://developers.google.com/identity/openid-connect/openid-connect',
  webServer: 'https://developers.google.com/identity/protocols/oauth2/web-server',
};

const CLIENTS = {
  'lab-google-desktop': { secret: 'lab-google-desktop-secret', type: 'desktop' },
  'lab-google-tv': { secret: 'lab-google-tv-secret', type: 'tv' },
};

// DOCS.native "Step 5"/DOCS.oidc "Scopes": `email` and `profile` come back in
// the token response's `scope` under their long names.
const LONG_NAMES = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};
const longName = (scope) => LONG_NAMES[scope] ?? scope;
const shortName = (scope) => Object.keys(LONG_NAMES).find((k) => LONG_NAMES[k] === scope) ?? scope;

// DOCS.device "Allowed scopes": the device flow serves only these (Gmail's
// https://mail.google.com/ is not among them).
const DEVICE_SCOPES = new Set([
  'openid', 'email', 'profile', LONG_NAMES.email, LONG_NAMES.profile,
  'https://www.googleapis.com/auth/drive.appdata', 'https://www.googleapis.com/auth/drive.file',
  'https://www.googleapis.com/auth/youtube', 'https://www.googleapis.com/auth/youtube.readonly',
]);

const lab = new Lab('google', { accessTokenTtl: labArgs().accessTokenTtl });
lab.config.iss = 'https';

// One grant per person and client: signing in again adds to it, and
// revoking any of its tokens ends it whole (DOCS.native "Revoking a token").
const grants = new Map();
function grantFor(clientId, login) {
  const key = `${clientId}/${login}`;
  if (!grants.has(key)) grants.set(key, { clientId, grantId: lab.newGrant() });
  return grants.get(key);
}

const email = (login) => (login.includes('@') ? login : `${login}@gmail.example`);
const subject = (login) => String(100000000000 + [...login].reduce((a, c) => a * 31 + c.charCodeAt(0), 7) % 1e9);

// DOCS.oidc "Validate an ID token": "The value of iss in the ID token is equal
// to accounts.google.com or https://accounts.google.com" — both forms occur.
function idTokenIssuer() {
  return lab.config.iss === 'https' ? lab.base : lab.base.replace(/^https?:\/\//, '');
}

// DOCS.oidc "Discovery document": no authorization_response_iss_parameter_supported,
// though the callback carries `iss` (below).
lab.route('GET', '/.well-known/openid-configuration', (req, res) => sendJson(res, 200, {
  issuer: lab.base,
  authorization_endpoint: `${lab.base}/o/oauth2/v2/auth`,
  device_authorization_endpoint: `${lab.base}/device/code`,
  token_endpoint: `${lab.base}/token`,
  userinfo_endpoint: `${lab.base}/v1/userinfo`,
  revocation_endpoint: `${lab.base}/revoke`,
  jwks_uri: `${lab.base}/oauth2/v3/certs`,
  response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token', 'none'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
  scopes_supported: ['openid', 'email', 'profile'],
  token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
  code_challenge_methods_supported: ['plain', 'S256'],
  grant_types_supported: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code',
    'urn:ietf:params:oauth:grant-type:jwt-bearer'],
}));
lab.route('GET', '/oauth2/v3/certs', (req, res) => sendJson(res, 200, lab.signer.jwks()));

// DOCS.native "Step 2: Send a request to Google's OAuth 2.0 server".
lab.route('GET', '/o/oauth2/v2/auth', (req, res, { query }) => {
  lab.seen.authorizations.push(query);
  const client = CLIENTS[query.client_id];
  // DOCS.native "Error: invalid_client"/"redirect_uri_mismatch": an error
  // page, never a redirect.
  if (!client) return errorPage(res, 'invalid_client');
  if (!loopbackRedirectAllowed(query.redirect_uri)) return errorPage(res, 'redirect_uri_mismatch');
  if (query.response_type !== 'code') return redirectWithError(res, query, { error: 'unsupported_response_type' });
  if (!query.scope) return redirectWithError(res, query, { error: 'invalid_request' });
  // DOCS.native "code_challenge_method": S256 or plain.
  if (query.code_challenge && !['S256', 'plain', undefined].includes(query.code_challenge_method)) {
    return redirectWithError(res, query, { error: 'invalid_request' });
  }
  return lab.beginAuthorization(res, { ...query, scopes: splitScopes(query.scope) });
});

lab.onApproved = (request, login, res) => lab.approveWithCode(request, login, res, {
  // DOCS.oidc "Authentication URI parameters"/RFC 9207: the callback carries
  // `iss` (https://accounts.google.com), `scope` in long names, `authuser`
  // and `prompt`.
  iss: lab.base,
  scope: request.scopes.map(longName).join(' '),
  authuser: '0',
  prompt: request.prompt === 'consent' ? 'consent' : 'none',
});

// DOCS.native "Step 5": the client secret is required for a Desktop client,
// by post or Basic; a wrong one is 401 invalid_client.
function authenticate(req, params) {
  const credentials = clientCredentials(req, params);
  const client = CLIENTS[credentials.id];
  if (!client || client.secret !== credentials.secret) return null;
  return { id: credentials.id, ...client };
}

function tokenResponse(grant, login, scopes) {
  const accessToken = lab.issueAccessToken({ login, scopes, clientId: grant.clientId, grantId: grant.grantId });
  const body = {
    access_token: accessToken,
    expires_in: lab.accessTokenTtl,
    scope: scopes.map(longName).join(' '),
    token_type: 'Bearer',
  };
  if (scopes.includes('openid')) {
    body.id_token = lab.signer.sign({
      iss: idTokenIssuer(),
      azp: grant.clientId,
      aud: grant.clientId,
      sub: subject(login),
      ...(scopes.includes('email') ? { email: email(login), email_verified: true } : {}),
      ...(scopes.includes('profile') ? { name: login } : {}),
      at_hash: atHash(accessToken),
      iat: now(),
      exp: now() + 3600,
    });
  }
  return body;
}

function redeemCode(res, client, params) {
  const entry = lab.takeCode(params.code);
  // DOCS.native "Step 5": invalid_grant for a bad, used or expired code.
  if (!entry || entry.request.client_id !== client.id || entry.request.redirect_uri !== params.redirect_uri) {
    return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
  }
  if (!pkceMatches(entry.request.code_challenge, entry.request.code_challenge_method, params.code_verifier)) {
    return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Missing code verifier.' });
  }
  const scopes = entry.request.scopes.map(shortName);
  const grant = grantFor(client.id, entry.login);
  const body = tokenResponse(grant, entry.login, scopes);
  // DOCS.native "access_type": a refresh token only for access_type=offline.
  if (entry.request.access_type === 'offline') {
    body.refresh_token = lab.issueRefreshToken({ login: entry.login, scopes, ...grant }, 0, '1//');
  }
  return sendJson(res, 200, body);
}

// DOCS.native "Refreshing an access token": the answer has no new refresh
// token (Google does not rotate them); the old one keeps working.
function refresh(res, client, params) {
  const entry = lab.liveRefreshToken(params.refresh_token);
  if (!entry || entry.clientId !== client.id) {
    return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  }
  entry.used = (entry.used ?? 0) + 1;
  let scopes = entry.scopes;
  if (params.scope) {
    const asked = splitScopes(params.scope).map(shortName);
    if (!asked.every((s) => entry.scopes.includes(s))) return sendJson(res, 400, { error: 'invalid_scope' });
    scopes = asked;
  }
  return sendJson(res, 200, tokenResponse(entry, entry.login, scopes));
}

// DOCS.device "Step 6: Poll Google's authorization server": the errors, their
// HTTP statuses, and the client secret that the poll needs too.
const DEVICE_ERROR_STATUS = { authorization_pending: 428, slow_down: 403, access_denied: 403, expired_token: 400, invalid_grant: 400 };
function pollDevice(res, client, params) {
  const result = lab.devicePoll(params.device_code, client.id, Number(lab.config.interval ?? 1));
  if (result.error) return sendJson(res, DEVICE_ERROR_STATUS[result.error], { error: result.error, error_description: result.error });
  const grant = grantFor(client.id, result.device.login);
  const scopes = result.device.scopes.map(shortName);
  const body = tokenResponse(grant, result.device.login, scopes);
  body.refresh_token = lab.issueRefreshToken({ login: result.device.login, scopes, ...grant }, 0, '1//');
  return sendJson(res, 200, body);
}

lab.route('POST', '/token', (req, res, { body: params }) => {
  lab.recordToken(req, params);
  const client = authenticate(req, params);
  if (!client) return sendJson(res, 401, { error: 'invalid_client', error_description: 'Unauthorized' });
  switch (params.grant_type) {
    case 'authorization_code': return redeemCode(res, client, params);
    case 'refresh_token': return refresh(res, client, params);
    case 'urn:ietf:params:oauth:grant-type:device_code': return pollDevice(res, client, params);
    default: return sendJson(res, 400, { error: 'unsupported_grant_type' });
  }
});

// DOCS.device "Step 1: Request device and user codes": only a "TVs and
// Limited Input devices" client may ask (401 invalid_client "Invalid client
// type." otherwise), only for the allowed scopes (invalid_scope), and the
// answer says `verification_url`, not RFC 8628's `verification_uri`.
lab.route('POST', '/device/code', (req, res, { body: params }) => {
  // RFC 8628 §3.1: the client authenticates as at the token endpoint.
  const clientId = clientCredentials(req, params).id;
  lab.seen.deviceRequests.push({ client_id: clientId, scope: params.scope });
  const client = CLIENTS[clientId];
  if (!client || client.type !== 'tv') {
    return sendJson(res, 401, { error: 'invalid_client', error_description: 'Invalid client type.' });
  }
  const scopes = splitScopes(params.scope);
  if (scopes.length === 0 || !scopes.every((s) => DEVICE_SCOPES.has(s))) {
    return sendJson(res, 400, { error: 'invalid_scope' });
  }
  const { deviceCode, userCode } = lab.newDevice(clientId, scopes, 1800);
  return sendJson(res, 200, {
    device_code: deviceCode,
    user_code: userCode,
    expires_in: 1800,
    interval: Number(lab.config.interval ?? 1),
    verification_url: `${lab.base}/_lab/device`,
  });
});

// DOCS.oidc "Obtaining user profile information".
lab.route('GET', '/v1/userinfo', (req, res) => {
  const entry = lab.liveAccessToken(bearer(req));
  if (!entry) return sendJson(res, 401, { error: 'invalid_request', error_description: 'Invalid Credentials' });
  return sendJson(res, 200, {
    sub: subject(entry.login),
    ...(entry.scopes.includes('email') ? { email: email(entry.login), email_verified: true } : {}),
    ...(entry.scopes.includes('profile') ? { name: entry.login } : {}),
  });
});

// DOCS.native "Revoking a token" (and DOCS.webServer "Revoking a token"):
// POST https://oauth2.googleapis.com/revoke with `token`; revoking either
// token ends the grant (an access token's refresh token goes with it); 400
// for a token it does not know.
lab.route('POST', '/revoke', (req, res, { body, query }) => {
  const value = body.token ?? query.token;
  lab.seen.revocations.push({ token: value, token_type_hint: body.token_type_hint ?? null });
  const entry = lab.accessTokens.get(value) ?? lab.refreshTokens.get(value);
  if (!entry || entry.revoked || entry.dead) {
    return sendJson(res, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
  }
  lab.revokeGrant(entry.grantId);
  for (const [key, grant] of grants) if (grant.grantId === entry.grantId) grants.delete(key);
  return sendJson(res, 200, {});
});

await lab.listen();
