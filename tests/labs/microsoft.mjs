#!/usr/bin/env node
// The Microsoft identity platform's v2.0 endpoints for the `common` tenant,
// and Graph's OpenID Connect userinfo, as their documentation describes
// them, on loopback: node microsoft.mjs [--port N] [--access-token-ttl S]
//
// Client: lab-microsoft-app, a public client ("Mobile and desktop
// applications" platform): no secret.
// /_test/config switches: tenant=consumer|work (work: a tenant that lets
// users consent to nothing, so that prompt=consent asks for an admin).

import {
  Lab, atHash, bearer, errorPage, labArgs, loopbackRedirectAllowed, now, pkceMatches,
  redirect, redirectWithError, sendJson, splitScopes,
} from './lab.mjs';

const DOCS = {
  authCode: 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow',
  // The error texts as people meet them at the token endpoint:
  multiResource: 'https://github.com/AzureAD/microsoft-authentication-library-for-js/issues/1487',
  emptyScope: 'https://github.com/AzureAD/microsoft-authentication-library-for-python/issues/125',
  idToken: 'https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference',
  // "You can avoid getting it [preferred_username] if the profile scope is omitted."
  noProfile: 'https://learn.microsoft.com/en-us/answers/questions/848547/access-token-without-sensitive-claims',
  scopes: 'https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc',
  userinfo: 'https://learn.microsoft.com/en-us/entra/identity-platform/userinfo',
  errors: 'https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes',
  refresh: 'https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens',
  device: 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code',
  consent: 'https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-user-consent',
  oidc: 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc',
};

const CLIENT_ID = 'lab-microsoft-app';
const GRAPH = 'https://graph.microsoft.com';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
// DOCS.scopes "OpenID Connect scopes": openid, email, profile, offline_access
// belong to no resource.
const OIDC_SCOPES = new Set(['openid', 'email', 'profile', 'offline_access']);

const lab = new Lab('microsoft', { accessTokenTtl: labArgs().accessTokenTtl });
lab.config.tenant = 'consumer';

const username = (login) => (login.includes('@') ? login : `${login}@contoso.example`);

// DOCS.scopes "Scopes and permissions": a scope's resource is its URL's
// origin; one without a URL is Graph's (User.Read = https://graph.microsoft.com/User.Read).
function resourceOf(scope) {
  if (OIDC_SCOPES.has(scope)) return null;
  const match = /^(https?:\/\/[^/]+)\//.exec(scope);
  return match ? match[1] : GRAPH;
}

const resources = (scopes) => [...new Set(scopes.map(resourceOf).filter(Boolean))];

// DOCS.authCode "Request an authorization code".
lab.route('GET', '/common/oauth2/v2.0/authorize', (req, res, { query }) => {
  lab.seen.authorizations.push(query);
  if (query.client_id !== CLIENT_ID) return errorPage(res, 'unauthorized_client');
  if (!loopbackRedirectAllowed(query.redirect_uri)) return errorPage(res, 'invalid_request');
  if (query.response_type !== 'code' || !query.scope) return redirectWithError(res, query, { error: 'invalid_request' });
  // DOCS.consent and DOCS.oidc "prompt=consent": in a tenant whose users may
  // not consent, prompt=consent shows "Need admin approval"; the person's only
  // way on is back to the app without consent (AADSTS90094).
  if (query.prompt === 'consent' && lab.config.tenant === 'work') {
    return redirect(res, `${lab.base}/_lab/admin-approval?${new URLSearchParams({
      redirect_uri: query.redirect_uri, state: query.state ?? '',
    })}`);
  }
  return lab.beginAuthorization(res, { ...query, scopes: splitScopes(query.scope) });
});

lab.route('GET', '/_lab/admin-approval', (req, res, { query }) => redirectWithError(res, query, {
  error: 'access_denied',
  error_subcode: 'cancel',
  error_description: 'AADSTS90094: The grant requires admin permission.',
}));

lab.onApproved = (request, login, res) => lab.approveWithCode(request, login, res);

// DOCS.idToken, DOCS.noProfile: `preferred_username` and `name` need the
// `profile` scope;
// `email` is an optional claim that this registration does not ask for (it
// is present by default only for guest accounts). `iss` names the tenant.
function idToken(login, scopes, accessToken) {
  return lab.signer.sign({
    ver: '2.0',
    iss: `${lab.base}/${TENANT}/v2.0`,
    aud: CLIENT_ID,
    sub: `sub-${login}`,
    oid: `oid-${login}`,
    tid: TENANT,
    ...(scopes.includes('profile') ? { preferred_username: username(login), name: login } : {}),
    at_hash: atHash(accessToken),
    iat: now(),
    nbf: now(),
    exp: now() + 3600,
  });
}

// DOCS.authCode "Redeem a code for an access token": `scope` must name one
// resource (plus OpenID's); DOCS.errors AADSTS28000 otherwise, with the text
// DOCS.multiResource shows.
function oneResource(res, asked) {
  const spanned = resources(asked);
  if (spanned.length > 1) {
    sendJson(res, 400, {
      error: 'invalid_scope',
      error_description: `AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${asked.join(' ')} is not valid.`,
      error_codes: [28000],
    });
    return null;
  }
  return spanned;
}

// One token for one resource: what the grant holds for it. DOCS.authCode
// "Successful response": `scope` lists the access token's scopes — OpenID's
// are not among them. Without `scope`, the first resource asked for.
function tokenResponse(res, grant, askedParam) {
  const asked = askedParam ? splitScopes(askedParam) : grant.consented;
  const spanned = oneResource(res, asked);
  if (!spanned) return;
  const resource = spanned[0] ?? resources(grant.consented)[0] ?? GRAPH;
  const tokenScopes = asked.filter((s) => resourceOf(s) === resource);
  const missing = asked.filter((s) => !grant.consented.includes(s));
  if (missing.length > 0) {
    // DOCS.errors AADSTS65001: the user did not consent to that scope.
    return sendJson(res, 400, { error: 'invalid_grant', error_description: `AADSTS65001: The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.`, error_codes: [65001] });
  }
  const accessToken = lab.issueAccessToken({ login: grant.login, scopes: tokenScopes, resource, clientId: CLIENT_ID, grantId: grant.grantId });
  const body = {
    token_type: 'Bearer',
    scope: tokenScopes.join(' '),
    expires_in: lab.accessTokenTtl,
    ext_expires_in: lab.accessTokenTtl,
    access_token: accessToken,
  };
  // DOCS.refresh: a new refresh token with every answer (rotation); the
  // client must keep the newest. DOCS.scopes "offline_access".
  if (grant.consented.includes('offline_access')) {
    body.refresh_token = lab.issueRefreshToken({ login: grant.login, consented: grant.consented, scopes: grant.consented, grantId: grant.grantId, clientId: CLIENT_ID }, 0, 'M.C5');
  }
  if (grant.consented.includes('openid')) body.id_token = idToken(grant.login, grant.consented, accessToken);
  return sendJson(res, 200, body);
}

function redeemCode(res, params) {
  // DOCS.emptyScope: AADSTS28003, a code redemption must say `scope`.
  if (!params.scope) {
    return sendJson(res, 400, { error: 'invalid_request', error_description: 'AADSTS28003: Provided value for the input parameter scope cannot be empty when requesting an access token using the provided authorization code. Please specify a valid scope.', error_codes: [28003] });
  }
  const entry = lab.takeCode(params.code);
  if (!entry || entry.request.redirect_uri !== params.redirect_uri) {
    return sendJson(res, 400, { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.', error_codes: [70008] });
  }
  if (!pkceMatches(entry.request.code_challenge, entry.request.code_challenge_method, params.code_verifier)) {
    return sendJson(res, 400, { error: 'invalid_grant', error_description: 'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.', error_codes: [501481] });
  }
  return tokenResponse(res, { login: entry.login, consented: entry.request.scopes, grantId: lab.newGrant() }, params.scope);
}

// DOCS.refresh: refresh tokens are not revoked when used, but each answer
// brings a new one; DOCS.authCode "Refresh the access token": `scope` again
// names one resource.
function refresh(res, params) {
  const entry = lab.liveRefreshToken(params.refresh_token);
  if (!entry) {
    return sendJson(res, 400, { error: 'invalid_grant', error_description: 'AADSTS700082: The refresh token has expired due to inactivity.', error_codes: [700082] });
  }
  entry.used = (entry.used ?? 0) + 1;
  return tokenResponse(res, entry, params.scope);
}

// DOCS.device "Authenticating the user": the poll's errors, all HTTP 400;
// a person who declines gives `authorization_declined`, not access_denied.
function pollDevice(res, params) {
  const result = lab.devicePoll(params.device_code, params.client_id, Number(lab.config.interval ?? 1));
  if (result.error) {
    const error = { access_denied: 'authorization_declined', invalid_grant: 'bad_verification_code' }[result.error] ?? result.error;
    return sendJson(res, 400, { error, error_description: `AADSTS70016: ${error}` });
  }
  return tokenResponse(res, { login: result.device.login, consented: result.device.scopes, grantId: lab.newGrant() }, params.scope);
}

lab.route('POST', '/common/oauth2/v2.0/token', (req, res, { body: params }) => {
  lab.recordToken(req, params);
  if (params.client_id !== CLIENT_ID) {
    return sendJson(res, 400, { error: 'unauthorized_client', error_description: 'AADSTS700016: Application not found in the directory.' });
  }
  // DOCS.errors AADSTS700025: a public client presents no secret.
  if (params.client_secret || (req.headers.authorization ?? '').startsWith('Basic ')) {
    return sendJson(res, 401, { error: 'invalid_client', error_description: 'AADSTS700025: Client is public so neither \'client_assertion\' nor \'client_secret\' should be presented.' });
  }
  switch (params.grant_type) {
    case 'authorization_code': return redeemCode(res, params);
    case 'refresh_token': return refresh(res, params);
    case 'urn:ietf:params:oauth:grant-type:device_code': return pollDevice(res, params);
    default: return sendJson(res, 400, { error: 'unsupported_grant_type' });
  }
});

// DOCS.device "Device authorization request": no verification_uri_complete.
lab.route('POST', '/common/oauth2/v2.0/devicecode', (req, res, { body: params }) => {
  lab.seen.deviceRequests.push({ client_id: params.client_id, scope: params.scope });
  if (params.client_id !== CLIENT_ID) return sendJson(res, 400, { error: 'unauthorized_client' });
  const scopes = splitScopes(params.scope);
  const { deviceCode, userCode } = lab.newDevice(CLIENT_ID, scopes, 900);
  return sendJson(res, 200, {
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: `${lab.base}/_lab/device`,
    expires_in: 900,
    interval: Number(lab.config.interval ?? 1),
    message: `To sign in, use a web browser to open the page ${lab.base}/_lab/device and enter the code ${userCode} to authenticate.`,
  });
});

// DOCS.userinfo: the endpoint is Graph's; the token must be one for Graph —
// a token for another resource (Outlook's) is refused.
lab.route('GET', '/oidc/userinfo', (req, res) => {
  const entry = lab.liveAccessToken(bearer(req));
  if (!entry || entry.resource !== GRAPH) {
    return sendJson(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.' } });
  }
  return sendJson(res, 200, { sub: `sub-${entry.login}`, name: entry.login, email: username(entry.login) });
});

// DOCS.oidc "Send the sign-out request"/DOCS.refresh "Revocation": there is
// no token revocation endpoint; the person removes access at
// https://account.live.com/consent/Manage or https://myapps.microsoft.com.

await lab.listen();
