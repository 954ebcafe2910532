#!/usr/bin/env node
// GitLab.com as an OAuth 2.0 and OpenID Connect provider, as GitLab's
// documentation describes it, on loopback:
//   node gitlab.mjs [--port N] [--access-token-ttl S]
//
// Client: lab-gitlab-app, a non-confidential application (no secret, PKCE).

import {
  Lab, atHash, bearer, clientCredentials, errorPage, labArgs, loopbackRedirectAllowed, now,
  pkceMatches, redirectWithError, sendJson, splitScopes,
} from './lab.mjs';

const DOCS = {
  oauth2: 'https://docs.gitlab.com/api/oauth2/',
  oidc: 'https://docs.gitlab.com/integration/openid_connect_provider/',
  provider: 'https://docs.gitlab.com/integration/oauth_provider/',
};

const CLIENT_ID = 'lab-gitlab-app';
// DOCS.oauth2 "Access token expiration": two hours.
const DEFAULT_TTL = 7200;

const lab = new Lab('gitlab', { accessTokenTtl: labArgs().accessTokenTtl ?? DEFAULT_TTL });

const email = (login) => (login.includes('@') ? login : `${login}@gitlab.example`);

// DOCS.oidc: discovery at /.well-known/openid-configuration, keys at
// /oauth/discovery/keys.
lab.route('GET', '/.well-known/openid-configuration', (req, res) => sendJson(res, 200, {
  issuer: lab.base,
  authorization_endpoint: `${lab.base}/oauth/authorize`,
  token_endpoint: `${lab.base}/oauth/token`,
  revocation_endpoint: `${lab.base}/oauth/revoke`,
  introspection_endpoint: `${lab.base}/oauth/introspect`,
  userinfo_endpoint: `${lab.base}/oauth/userinfo`,
  device_authorization_endpoint: `${lab.base}/oauth/authorize_device`,
  jwks_uri: `${lab.base}/oauth/discovery/keys`,
  scopes_supported: ['api', 'read_api', 'read_user', 'read_repository', 'write_repository', 'openid', 'profile', 'email'],
  response_types_supported: ['code'],
  grant_types_supported: ['authorization_code', 'password', 'client_credentials', 'device_code', 'refresh_token'],
  token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
  code_challenge_methods_supported: ['plain', 'S256'],
}));
lab.route('GET', '/oauth/discovery/keys', (req, res) => sendJson(res, 200, lab.signer.jwks()));

// DOCS.oauth2 "Authorization code with PKCE": a non-confidential
// application must send code_challenge (S256).
lab.route('GET', '/oauth/authorize', (req, res, { query }) => {
  lab.seen.authorizations.push(query);
  if (query.client_id !== CLIENT_ID) return errorPage(res, 'invalid_client');
  if (!loopbackRedirectAllowed(query.redirect_uri)) return errorPage(res, 'invalid_redirect_uri');
  if (query.response_type !== 'code') return redirectWithError(res, query, { error: 'unsupported_response_type' });
  if (!query.code_challenge) return redirectWithError(res, query, { error: 'invalid_request', error_description: 'Code challenge is required.' });
  return lab.beginAuthorization(res, { ...query, scopes: splitScopes(query.scope) });
});

lab.onApproved = (request, login, res) => lab.approveWithCode(request, login, res);

// DOCS.oauth2: access_token, token_type, expires_in, refresh_token, scope
// (space-separated), created_at, and with `openid` an id_token (DOCS.oidc).
function issue(res, grant) {
  const accessToken = lab.issueAccessToken({ ...grant, clientId: CLIENT_ID });
  const body = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: lab.accessTokenTtl,
    refresh_token: lab.issueRefreshToken({ ...grant, clientId: CLIENT_ID }),
    scope: grant.scopes.join(' '),
    created_at: now(),
  };
  if (grant.scopes.includes('openid')) {
    body.id_token = lab.signer.sign({
      iss: lab.base,
      sub: String(4200 + grant.login.length),
      aud: CLIENT_ID,
      exp: now() + 120,
      iat: now(),
      auth_time: now(),
      sub_legacy: `legacy-${grant.login}`,
      nickname: grant.login,
      ...(grant.scopes.includes('email') ? { email: email(grant.login), email_verified: true } : {}),
      at_hash: atHash(accessToken),
    });
  }
  return sendJson(res, 200, body);
}

function redeemCode(res, params) {
  const entry = lab.takeCode(params.code);
  if (!entry || entry.request.redirect_uri !== params.redirect_uri) {
    return sendJson(res, 400, { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.' });
  }
  if (!pkceMatches(entry.request.code_challenge, entry.request.code_challenge_method, params.code_verifier)) {
    return sendJson(res, 400, { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid.' });
  }
  return issue(res, { login: entry.login, scopes: entry.request.scopes, grantId: lab.newGrant() });
}

// DOCS.oauth2 "Authorization code with PKCE" step 5: a refresh "invalidates
// the existing access_token and refresh_token" and "sends new tokens in the
// response" (rotation).
function refresh(res, params) {
  const entry = lab.liveRefreshToken(params.refresh_token);
  if (!entry) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.' });
  entry.used = (entry.used ?? 0) + 1;
  lab.revokeGrant(entry.grantId);
  let { scopes } = entry;
  if (params.scope) {
    const asked = splitScopes(params.scope);
    if (!asked.every((s) => entry.scopes.includes(s))) return sendJson(res, 400, { error: 'invalid_scope' });
    scopes = asked;
  }
  return issue(res, { login: entry.login, scopes, grantId: entry.grantId });
}

// DOCS.oauth2 "Device authorization grant flow": RFC 8628's errors, HTTP 400.
function pollDevice(res, params) {
  const result = lab.devicePoll(params.device_code, params.client_id, Number(lab.config.interval ?? 1));
  if (result.error) return sendJson(res, 400, { error: result.error, error_description: result.error });
  return issue(res, { login: result.device.login, scopes: result.device.scopes, grantId: lab.newGrant() });
}

lab.route('POST', '/oauth/token', (req, res, { body: params }) => {
  lab.recordToken(req, params);
  if (clientCredentials(req, params).id !== CLIENT_ID) return sendJson(res, 401, { error: 'invalid_client' });
  switch (params.grant_type) {
    case 'authorization_code': return redeemCode(res, params);
    case 'refresh_token': return refresh(res, params);
    case 'urn:ietf:params:oauth:grant-type:device_code': return pollDevice(res, params);
    default: return sendJson(res, 400, { error: 'unsupported_grant_type' });
  }
});

// DOCS.oauth2 "Device authorization grant flow": verification_uri and
// verification_uri_complete.
lab.route('POST', '/oauth/authorize_device', (req, res, { body: params }) => {
  lab.seen.deviceRequests.push({ client_id: params.client_id, scope: params.scope });
  if (params.client_id !== CLIENT_ID) return sendJson(res, 401, { error: 'invalid_client' });
  const { deviceCode, userCode } = lab.newDevice(CLIENT_ID, splitScopes(params.scope), 300);
  return sendJson(res, 200, {
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: `${lab.base}/_lab/device`,
    verification_uri_complete: `${lab.base}/_lab/device?user_code=${userCode}`,
    expires_in: 300,
    interval: Number(lab.config.interval ?? 1),
  });
});

// DOCS.oidc "Shared information": the userinfo claims.
lab.route('GET', '/oauth/userinfo', (req, res) => {
  const entry = lab.liveAccessToken(bearer(req));
  if (!entry) return sendJson(res, 401, { error: 'invalid_token' });
  return sendJson(res, 200, {
    sub: String(4200 + entry.login.length),
    nickname: entry.login,
    preferred_username: entry.login,
    ...(entry.scopes.includes('email') ? { email: email(entry.login), email_verified: true } : {}),
  });
});

// DOCS.oauth2 "Revoke a token": POST /oauth/revoke with token and client_id
// (RFC 7009): 200 whatever the token; revoking the refresh token ends the
// grant's tokens.
lab.route('POST', '/oauth/revoke', (req, res, { body }) => {
  lab.seen.revocations.push({ token: body.token, token_type_hint: body.token_type_hint ?? null, client_id: body.client_id ?? null });
  const entry = lab.accessTokens.get(body.token) ?? lab.refreshTokens.get(body.token);
  if (entry) lab.revokeGrant(entry.grantId);
  return sendJson(res, 200, {});
});

// The API, as git and apps use it: GET /api/v4/user.
lab.route('GET', '/api/v4/user', (req, res) => {
  const entry = lab.liveAccessToken(bearer(req));
  if (!entry) return sendJson(res, 401, { message: '401 Unauthorized' });
  return sendJson(res, 200, { id: 4200 + entry.login.length, username: entry.login });
});

await lab.listen();
