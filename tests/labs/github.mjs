#!/usr/bin/env node
// GitHub's OAuth app endpoints (github.com/login/oauth/…, the device flow)
// and the REST API's /user and app-authorization endpoints, as GitHub's
// documentation describes them, on loopback:
//   node github.mjs [--port N] [--access-token-ttl S]
//
// Client: lab-github-app with secret lab-github-secret.
// /_test/config switches: expiring=1 (the app opted in to user access tokens
// that expire: GitHub Apps' "expire user authorization tokens");
// stale_codes=1 (every code has expired by the time it is redeemed).

import {
  Lab, bearer, clientCredentials, errorPage, labArgs, loopbackRedirectAllowed, pkceMatches,
  redirectWithError, sendForm, sendJson, splitScopes,
} from './lab.mjs';

const DOCS = {
  authorizing: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps',
  errors: 'https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors',
  scopes: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps',
  userAgent: 'https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent',
  users: 'https://docs.github.com/en/rest/users/users#get-the-authenticated-user',
  grant: 'https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization',
  refreshing: 'https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens',
};

const CLIENT_ID = 'lab-github-app';
const CLIENT_SECRET = 'lab-github-secret';
// DOCS.refreshing: eight hours, and six months for the refresh token.
const EXPIRING_TTL = 28800;
const REFRESH_TTL = 15897600;

const lab = new Lab('github', { accessTokenTtl: labArgs().accessTokenTtl });
lab.config.expiring = '0';

// DOCS.authorizing "1. Request a user's GitHub identity"; "Loopback redirect
// urls": a loopback redirect_uri may carry any port.
lab.route('GET', '/login/oauth/authorize', (req, res, { query }) => {
  lab.seen.authorizations.push(query);
  if (query.client_id !== CLIENT_ID) return errorPage(res, 'Not Found');
  if (query.redirect_uri && !loopbackRedirectAllowed(query.redirect_uri)) {
    return redirectWithError(res, query, { error: 'redirect_uri_mismatch' });
  }
  return lab.beginAuthorization(res, { ...query, scopes: splitScopes(query.scope) });
});

// DOCS.authorizing "2. Users are redirected back to your site by GitHub".
lab.onApproved = (request, login, res) => lab.approveWithCode(request, login, res);

// DOCS.authorizing "Response": form-encoded by default, JSON only when the
// request says Accept: application/json.
function answer(req, res, status, body) {
  if ((req.headers.accept ?? '').includes('application/json')) return sendJson(res, status, body);
  return sendForm(res, status, body);
}

// DOCS.errors: token request errors come back with HTTP 200.
function fail(req, res, error, description) {
  return answer(req, res, 200, { error, error_description: description, error_uri: `${DOCS.errors}#${error.replace(/_/g, '-')}` });
}

// Whether the tokens expire was settled when the person signed in.
function issue(req, res, grant) {
  const { expiring } = grant;
  const fields = { login: grant.login, scopes: grant.scopes, grantId: grant.grantId, clientId: CLIENT_ID };
  const accessToken = lab.issueAccessToken(fields, expiring ? EXPIRING_TTL : 0, expiring ? 'ghu_' : 'gho_');
  // DOCS.authorizing "Response": `scope` is comma-separated.
  const body = { access_token: accessToken, token_type: 'bearer', scope: grant.scopes.join(',') };
  if (expiring) {
    // DOCS.refreshing: expires_in, refresh_token, refresh_token_expires_in.
    body.expires_in = EXPIRING_TTL;
    body.refresh_token = lab.issueRefreshToken(fields, REFRESH_TTL, 'ghr_');
    body.refresh_token_expires_in = REFRESH_TTL;
  }
  return answer(req, res, 200, body);
}

// One grant per person and app: signing in again adds to it.
const grants = new Map();
function grantFor(login, scopes) {
  const grant = grants.get(login) ?? { login, scopes: [], grantId: lab.newGrant(), expiring: lab.config.expiring === '1' };
  grant.scopes = [...new Set([...grant.scopes, ...scopes])];
  grants.set(login, grant);
  return grant;
}

function redeemCode(req, res, params) {
  const entry = lab.config.stale_codes === '1' ? null : lab.takeCode(params.code);
  // DOCS.errors "Bad verification code" and "Redirect URI mismatch".
  if (!entry) return fail(req, res, 'bad_verification_code', 'The code passed is incorrect or expired.');
  if (entry.request.redirect_uri && params.redirect_uri && entry.request.redirect_uri !== params.redirect_uri) {
    return fail(req, res, 'redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.');
  }
  if (!pkceMatches(entry.request.code_challenge, entry.request.code_challenge_method, params.code_verifier)) {
    return fail(req, res, 'bad_verification_code', 'The code passed is incorrect or expired.');
  }
  return issue(req, res, grantFor(entry.login, entry.request.scopes));
}

// DOCS.refreshing "Refreshing a user access token with a refresh token": a
// new pair; the old refresh token and access token stop working; a bad one
// is `bad_refresh_token` (HTTP 200, as every error here). A `scope` is not a
// parameter: the token always carries the whole grant.
function refresh(req, res, params) {
  const entry = lab.liveRefreshToken(params.refresh_token);
  if (!entry) return fail(req, res, 'bad_refresh_token', 'The refresh token passed is incorrect or expired.');
  entry.used = (entry.used ?? 0) + 1;
  entry.dead = true;
  for (const token of lab.accessTokens.values()) if (token.grantId === entry.grantId) token.revoked = true;
  return issue(req, res, grants.get(entry.login));
}

// DOCS.authorizing "Device flow" "Step 3": errors with HTTP 200 too.
function pollDevice(req, res, params) {
  const result = lab.devicePoll(params.device_code, params.client_id, Number(lab.config.interval ?? 1));
  if (result.error) {
    const error = result.error === 'invalid_grant' ? 'incorrect_device_code' : result.error;
    return fail(req, res, error, error);
  }
  return issue(req, res, grantFor(result.device.login, result.device.scopes));
}

lab.route('POST', '/login/oauth/access_token', (req, res, { body: params }) => {
  lab.recordToken(req, params);
  const credentials = clientCredentials(req, params);
  if (credentials.id !== CLIENT_ID) return fail(req, res, 'incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
  // DOCS.authorizing "Device flow": the device poll needs no secret.
  const needsSecret = params.grant_type !== 'urn:ietf:params:oauth:grant-type:device_code';
  if (needsSecret && credentials.secret !== CLIENT_SECRET) {
    return fail(req, res, 'incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
  }
  switch (params.grant_type ?? 'authorization_code') {
    case 'authorization_code': return redeemCode(req, res, params);
    case 'refresh_token': return refresh(req, res, params);
    case 'urn:ietf:params:oauth:grant-type:device_code': return pollDevice(req, res, params);
    default: return fail(req, res, 'unsupported_grant_type', 'The grant type is not supported.');
  }
});

// DOCS.authorizing "Device flow" "Step 1": verification_uri, no
// verification_uri_complete; form-encoded unless JSON is asked for.
lab.route('POST', '/login/device/code', (req, res, { body: params }) => {
  lab.seen.deviceRequests.push({ client_id: params.client_id, scope: params.scope });
  if (params.client_id !== CLIENT_ID) return answer(req, res, 404, { error: 'Not Found' });
  const { deviceCode, userCode } = lab.newDevice(CLIENT_ID, splitScopes(params.scope), 900);
  return answer(req, res, 200, {
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: `${lab.base}/_lab/device`,
    expires_in: 900,
    interval: Number(lab.config.interval ?? 1),
  });
});

// DOCS.userAgent: every API request needs a User-Agent header; without one,
// 403. DOCS.users: the identity is `login`.
lab.route('GET', '/user', (req, res) => {
  if (!req.headers['user-agent']) {
    res.writeHead(403, { 'content-type': 'text/plain' });
    return res.end('Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n');
  }
  const entry = lab.liveAccessToken(bearer(req));
  if (!entry) return sendJson(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
  // DOCS.scopes "Checking granted scopes": X-OAuth-Scopes.
  return sendJson(res, 200, { login: entry.login, id: 1000 + entry.login.length, name: entry.login, email: null, type: 'User' },
    { 'x-oauth-scopes': entry.scopes.join(', ') });
});

// DOCS.grant "Delete an app authorization": DELETE /applications/{client_id}/grant
// with Basic client_id:client_secret and the JSON body {"access_token": …};
// 204, and every token of the person's grant stops working; 422 for a token
// it does not know.
lab.route('DELETE', /^\/applications\/[^/]+\/grant$/, (req, res, { url, body }) => {
  const clientId = decodeURIComponent(url.pathname.split('/')[2]);
  const credentials = clientCredentials(req, {});
  lab.seen.revocations.push({
    path: url.pathname, basic: credentials.basic, access_token: body.access_token ?? null,
    content_type: req.headers['content-type'] ?? null,
  });
  if (!credentials.basic || credentials.id !== clientId || clientId !== CLIENT_ID || credentials.secret !== CLIENT_SECRET) {
    return sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS.grant });
  }
  const entry = lab.accessTokens.get(body.access_token);
  if (!entry || entry.revoked) return sendJson(res, 422, { message: 'Validation Failed', documentation_url: DOCS.grant });
  lab.revokeGrant(entry.grantId);
  grants.delete(entry.login);
  res.writeHead(204);
  return res.end();
});

await lab.listen();
