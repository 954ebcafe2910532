#!/usr/bin/env node
// Self-test of server.mjs and person.mjs: runs every flow the C tests rely
// on against a real server and prints one line per check.  Exits non-zero if
// any check fails.
//
//   node selftest.mjs

import { spawn } from 'node:child_process';
import {
  createHash, createPublicKey, randomBytes, verify,
} from 'node:crypto';
import { once } from 'node:events';
import {
  mkdtempSync, openSync, readFileSync, rmSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const HERE = import.meta.dirname;
const TMP = mkdtempSync(join(tmpdir(), 'sesame-idp-selftest-'));
const STATE = join(TMP, 'state.json');
const SERVER_LOG = join(TMP, 'server.log');
const TTL = 60;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const CONFIDENTIAL = { id: 'sesame-confidential', secret: 'sesame-test-secret' };
const POST_CLIENT = { id: 'sesame-post', secret: 'sesame-post-secret' };

let passed = 0;
let failed = 0;

class CheckFailed extends Error {}

function assert(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  assert(a === e, `${what}: expected ${e}, got ${a}`);
}

// Runs one named check; a failure is reported and the run goes on, unless
// later checks cannot make sense without it (fatal).
async function check(name, fn, { fatal = false } = {}) {
  try {
    await fn();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`not ok - ${name}: ${err instanceof CheckFailed ? err.message : err.stack}`);
    if (fatal) finish();
  }
}

// --- the server ------------------------------------------------------------

// The servers' stderr, appended straight to a file (kept when a check fails).
const serverLog = openSync(SERVER_LOG, 'a');
let server;
const stdoutOfEveryServer = [];

async function startServer(port = 0) {
  const proc = spawn(process.execPath, [
    join(HERE, 'server.mjs'),
    '--port', String(port),
    '--access-token-ttl', String(TTL),
    '--state', STATE,
    '--device-interval', '1',
  ], { stdio: ['ignore', 'pipe', serverLog] });
  const lines = createInterface({ input: proc.stdout });
  const stdoutLines = [];
  stdoutOfEveryServer.push(stdoutLines);
  const ready = new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      stdoutLines.push(line);
      if (stdoutLines.length === 1) resolve(line);
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code} before it was ready`)));
  });
  const line = await Promise.race([ready, sleep(15000).then(() => {
    throw new Error('server not ready in 15 s');
  })]);
  const info = JSON.parse(line);
  server = { proc, ...info };
  return server;
}

async function stopServer() {
  const exited = once(server.proc, 'exit');
  server.proc.kill('SIGTERM');
  const [code, signal] = await exited;
  return { code, signal };
}

function finish() {
  if (server && server.proc.exitCode === null) server.proc.kill('SIGTERM');
  console.log(`${passed} passed, ${failed} failed`);
  if (failed) {
    console.log(`server log: ${SERVER_LOG}`);
  } else {
    rmSync(TMP, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

// --- HTTP helpers -------------------------------------------------------------

const url = (path) => `${server.issuer}${path}`;

async function getJson(path, options = {}) {
  const response = await fetch(url(path), options);
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body, response };
}

function basic({ id, secret }) {
  const enc = (s) => encodeURIComponent(s);
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

// POSTs a form to `path`; `auth` is a client for HTTP Basic, if any.
function postForm(path, form, auth) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth) headers.authorization = basic(auth);
  return getJson(path, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
}

const token = (form, auth) => postForm('/token', form, auth);
const admin = (path) => getJson(`/_test/${path}`, { method: 'POST' });
const introspect = (tokenValue) => postForm('/token/introspection', { token: tokenValue }, CONFIDENTIAL);

function refresh(refreshToken) {
  return token({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'sesame-test' });
}

function userinfo(accessToken) {
  return getJson('/me', { headers: { authorization: `Bearer ${accessToken}` } });
}

function assertError(result, status, error, what) {
  assert(result.status === status && result.body.error === error,
    `${what}: expected ${status} ${error}, got ${result.status} ${JSON.stringify(result.body)}`);
}

// --- the person ---------------------------------------------------------------

function runPerson(args) {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [join(HERE, 'person.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// --- ID tokens ------------------------------------------------------------------

function decodeJwt(jwt) {
  const [header, payload, signature] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url')),
    payload: JSON.parse(Buffer.from(payload, 'base64url')),
    signed: `${header}.${payload}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}

async function verifyIdToken(idToken) {
  const jwt = decodeJwt(idToken);
  assertEqual(jwt.header.alg, 'RS256', 'id_token alg');
  const { body: jwks } = await getJson('/jwks');
  const jwk = jwks.keys.find((k) => k.kid === jwt.header.kid);
  assert(jwk, `no key ${jwt.header.kid} in /jwks`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  assert(verify('sha256', Buffer.from(jwt.signed), key, jwt.signature), 'id_token signature does not verify');
  assertEqual(jwt.payload.iss, server.issuer, 'id_token iss');
  assertEqual(jwt.payload.aud, 'sesame-test', 'id_token aud');
  return jwt.payload;
}

// --- the authorization code flow ----------------------------------------------

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function randomPort() {
  return 20000 + Math.floor(Math.random() * 40000);
}

function authorizationUrl({
  redirectUri, state, challenge, scope = 'openid email offline_access', prompt = 'consent',
}) {
  const params = new URLSearchParams({
    client_id: 'sesame-test',
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    state,
  });
  if (prompt) params.set('prompt', prompt);
  if (challenge) {
    params.set('code_challenge', challenge);
    params.set('code_challenge_method', 'S256');
  }
  return url(`/auth?${params}`);
}

// Signs `login` in through person.mjs and exchanges the code: the tokens.
async function signIn(login, { scope, prompt } = {}) {
  const redirectUri = `http://127.0.0.1:${randomPort()}/callback`;
  const state = randomBytes(16).toString('base64url');
  const { verifier, challenge } = pkce();
  const person = await runPerson(['--login', login, authorizationUrl({
    redirectUri, state, challenge, scope, prompt,
  })]);
  assert(person.code === 0, `person.mjs exited ${person.code}: ${person.stderr}`);
  const callback = new URL(person.stdout.trim());
  assertEqual(`${callback.origin}${callback.pathname}`, redirectUri, 'callback redirect URI');
  assertEqual(callback.searchParams.get('state'), state, 'callback state');
  assertEqual(callback.searchParams.get('iss'), server.issuer, 'callback iss');
  const code = callback.searchParams.get('code');
  assert(code, `no code in callback ${callback}`);
  const result = await token({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
    client_id: 'sesame-test',
  });
  assert(result.status === 200, `code exchange: ${result.status} ${JSON.stringify(result.body)}`);
  return { ...result.body, code, redirectUri, verifier };
}

// --- the checks -------------------------------------------------------------------

await check('server starts on an ephemeral port and prints its ready line', async () => {
  await startServer();
  assertEqual(server.issuer, `http://127.0.0.1:${server.port}`, 'issuer');
}, { fatal: true });

await check('discovery announces S256 only, the iss response parameter and every endpoint', async () => {
  const { body } = await getJson('/.well-known/openid-configuration');
  assertEqual(body.issuer, server.issuer, 'issuer');
  assertEqual(body.code_challenge_methods_supported, ['S256'], 'code_challenge_methods_supported');
  assertEqual(body.authorization_response_iss_parameter_supported, true, 'iss parameter supported');
  for (const endpoint of ['token', 'userinfo', 'revocation', 'introspection', 'device_authorization']) {
    assert(body[`${endpoint}_endpoint`], `no ${endpoint}_endpoint`);
  }
  for (const scope of ['openid', 'offline_access', 'email', 'profile', 'api:read', 'api:write']) {
    assert(body.scopes_supported.includes(scope), `scope ${scope} not supported`);
  }
});

await check('an authorization request without PKCE is refused', async () => {
  const redirectUri = `http://127.0.0.1:${randomPort()}/callback`;
  const response = await fetch(authorizationUrl({ redirectUri, state: 's' }), { redirect: 'manual' });
  const location = new URL(response.headers.get('location'));
  assertEqual(`${location.origin}${location.pathname}`, redirectUri, 'error redirect');
  assertEqual(location.searchParams.get('error'), 'invalid_request', 'error');
  assertEqual(location.searchParams.get('iss'), server.issuer, 'iss on the error');
});

await check('an authorization request with code_challenge_method=plain is refused', async () => {
  const redirectUri = `http://127.0.0.1:${randomPort()}/callback`;
  const plain = new URL(authorizationUrl({ redirectUri, state: 's', challenge: 'x'.repeat(43) }));
  plain.searchParams.set('code_challenge_method', 'plain');
  const response = await fetch(plain, { redirect: 'manual' });
  const location = new URL(response.headers.get('location'));
  assertEqual(location.searchParams.get('error'), 'invalid_request', 'error');
});

let alice;
await check('code + PKCE flow on a random loopback port: iss in the callback, email in the ID token, a refresh token', async () => {
  alice = await signIn('alice');
  assert(alice.access_token, 'no access_token');
  assert(alice.refresh_token, 'no refresh_token');
  assertEqual(alice.expires_in, TTL, 'expires_in (--access-token-ttl)');
  const claims = await verifyIdToken(alice.id_token);
  assertEqual(claims.sub, 'alice', 'sub');
  assertEqual(claims.email, 'alice@example.test', 'email');
}, { fatal: true });

await check('userinfo answers with the access token', async () => {
  const { status, body } = await userinfo(alice.access_token);
  assertEqual(status, 200, 'status');
  assertEqual(body, { sub: 'alice', email: 'alice@example.test', email_verified: true }, 'userinfo');
});

await check('refresh rotates: a new refresh token; the old one answers invalid_grant', async () => {
  const first = await refresh(alice.refresh_token);
  assertEqual(first.status, 200, `refresh ${JSON.stringify(first.body)}`);
  assert(first.body.refresh_token && first.body.refresh_token !== alice.refresh_token, 'refresh token not rotated');
  assert(first.body.access_token !== alice.access_token, 'same access token');
  assertError(await refresh(alice.refresh_token), 400, 'invalid_grant', 'old refresh token');
  // Reuse detection: presenting a rotated-out token revokes the whole grant.
  assertError(await refresh(first.body.refresh_token), 400, 'invalid_grant', 'new refresh token after reuse');
});

await check('a code is single-use; its reuse revokes the tokens it gave', async () => {
  const tokens = await signIn('alice');
  const exchange = {
    grant_type: 'authorization_code',
    code: tokens.code,
    redirect_uri: tokens.redirectUri,
    code_verifier: tokens.verifier,
    client_id: 'sesame-test',
  };
  assertError(await token(exchange), 400, 'invalid_grant', 'second exchange');
  assertEqual((await userinfo(tokens.access_token)).status, 401, 'userinfo after reuse');
});

await check('a code needs its own verifier', async () => {
  const redirectUri = `http://127.0.0.1:${randomPort()}/callback`;
  const person = await runPerson([authorizationUrl({ redirectUri, state: 'v', challenge: pkce().challenge })]);
  const code = new URL(person.stdout.trim()).searchParams.get('code');
  const wrong = await token({
    grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: pkce().verifier, client_id: 'sesame-test',
  });
  assertError(wrong, 400, 'invalid_grant', 'wrong verifier');
});

await check('no refresh token without prompt=consent (offline_access dropped)', async () => {
  const tokens = await signIn('alice', { prompt: null });
  assert(tokens.access_token, 'no access_token');
  assert(!tokens.refresh_token, 'a refresh token was issued');
});

await check('person.mjs --deny ends on error=access_denied', async () => {
  const redirectUri = `http://127.0.0.1:${randomPort()}/callback`;
  const person = await runPerson(['--deny', authorizationUrl({ redirectUri, state: 'd', challenge: pkce().challenge })]);
  assertEqual(person.code, 0, 'exit code');
  const callback = new URL(person.stdout.trim());
  assertEqual(callback.searchParams.get('error'), 'access_denied', 'error');
  assertEqual(callback.searchParams.get('state'), 'd', 'state');
  assertEqual(callback.searchParams.get('iss'), server.issuer, 'iss');
});

await check('person.mjs --follow loads the loopback redirect', async () => {
  const requests = [];
  const listener = createServer((req, res) => {
    requests.push(req.url);
    res.end('you can close this tab');
  });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const redirectUri = `http://127.0.0.1:${listener.address().port}/callback`;
  const person = await runPerson(['--follow', authorizationUrl({ redirectUri, state: 'f', challenge: pkce().challenge })]);
  listener.close();
  assertEqual(person.code, 0, `exit code (${person.stderr})`);
  assertEqual(requests.length, 1, 'requests to the loopback listener');
  assertEqual(new URL(requests[0], redirectUri).href, person.stdout.trim(), 'requested URI');
  assert(/-> 200/.test(person.stderr), 'status not reported on stderr');
});

async function deviceAuthorization() {
  const result = await postForm('/device/auth', { client_id: 'sesame-test', scope: 'openid email offline_access' });
  assertEqual(result.status, 200, `device authorization ${JSON.stringify(result.body)}`);
  const body = result.body;
  for (const field of ['device_code', 'user_code', 'verification_uri', 'verification_uri_complete']) {
    assert(body[field], `no ${field}`);
  }
  assertEqual(body.interval, 1, 'interval (--device-interval)');
  return body;
}

const deviceToken = (deviceCode) => token({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: 'sesame-test' });

await check('device flow with person.mjs --device (verification_uri_complete)', async () => {
  const device = await deviceAuthorization();
  assertError(await deviceToken(device.device_code), 400, 'authorization_pending', 'before sign-in');
  const person = await runPerson(['--device', '--login', 'carol', device.verification_uri_complete]);
  assertEqual(person.code, 0, `exit code (${person.stderr})`);
  const result = await deviceToken(device.device_code);
  assertEqual(result.status, 200, `device token ${JSON.stringify(result.body)}`);
  assert(result.body.refresh_token, 'no refresh_token');
  assertEqual((await verifyIdToken(result.body.id_token)).email, 'carol@example.test', 'email');
});

await check('device flow with person.mjs --device-code (typing the user code)', async () => {
  const device = await deviceAuthorization();
  const person = await runPerson(['--device-code', device.user_code, '--login', 'dave', device.verification_uri]);
  assertEqual(person.code, 0, `exit code (${person.stderr})`);
  const result = await deviceToken(device.device_code);
  assertEqual(result.status, 200, `device token ${JSON.stringify(result.body)}`);
  assertEqual((await verifyIdToken(result.body.id_token)).sub, 'dave', 'sub');
});

await check('device flow denied with person.mjs --device --deny: access_denied', async () => {
  const device = await deviceAuthorization();
  const person = await runPerson(['--device', '--deny', device.verification_uri_complete]);
  assertEqual(person.code, 0, `exit code (${person.stderr})`);
  assertError(await deviceToken(device.device_code), 400, 'access_denied', 'device token');
});

await check('client credentials with HTTP Basic; introspection active, then inactive after revocation', async () => {
  const result = await token({ grant_type: 'client_credentials', scope: 'api:read api:write' }, CONFIDENTIAL);
  assertEqual(result.status, 200, `token ${JSON.stringify(result.body)}`);
  assertEqual(result.body.expires_in, TTL, 'expires_in');
  assertEqual(result.body.scope, 'api:read api:write', 'scope');
  const active = await introspect(result.body.access_token);
  assertEqual([active.body.active, active.body.client_id, active.body.scope],
    [true, 'sesame-confidential', 'api:read api:write'], 'introspection');
  const revoked = await postForm('/token/revocation', { token: result.body.access_token }, CONFIDENTIAL);
  assertEqual(revoked.status, 200, 'revocation status');
  assertEqual((await introspect(result.body.access_token)).body, { active: false }, 'after revocation');
});

await check('client credentials with client_secret_post; scopes limited to api:read', async () => {
  const form = {
    grant_type: 'client_credentials', scope: 'api:read', client_id: POST_CLIENT.id, client_secret: POST_CLIENT.secret,
  };
  const result = await token(form);
  assertEqual(result.status, 200, `token ${JSON.stringify(result.body)}`);
  assertEqual((await introspect(result.body.access_token)).body.active, true, 'introspection active');
  assertError(await token({ ...form, scope: 'api:write' }), 400, 'invalid_scope', 'api:write');
  assertError(await token({ ...form, client_secret: 'wrong' }), 401, 'invalid_client', 'wrong secret');
  assertError(await token({ grant_type: 'client_credentials' }, POST_CLIENT), 401, 'invalid_client', 'Basic for a post client');
  const inBody = { grant_type: 'client_credentials', client_id: CONFIDENTIAL.id, client_secret: CONFIDENTIAL.secret };
  assertError(await token(inBody), 401, 'invalid_client', 'post for a Basic client');
});

await check('/_test/revoke-account: refresh answers invalid_grant, the access token is inactive', async () => {
  const bob = await signIn('bob');
  assertEqual((await introspect(bob.access_token)).body.sub, 'bob', 'introspected sub');
  const alice2 = await signIn('alice');
  const { body } = await admin('revoke-account?account=bob');
  assert(body.deleted >= 3, `deleted ${body.deleted}`);
  assertError(await refresh(bob.refresh_token), 400, 'invalid_grant', 'refresh');
  assertEqual((await introspect(bob.access_token)).body, { active: false }, 'introspection');
  assertEqual((await refresh(alice2.refresh_token)).status, 200, 'another account\'s refresh');
});

await check('/_test/stats counts token requests by grant type, revocations and userinfo', async () => {
  const { body: reset } = await admin('reset-stats');
  assertEqual(reset.token.refresh_token, 0, 'after reset');
  await refresh('no-such-token');
  await token({ grant_type: 'client_credentials' }, CONFIDENTIAL);
  await token({ grant_type: 'client_credentials' }, { ...CONFIDENTIAL, secret: 'wrong' });
  await deviceToken('no-such-code');
  await token({ grant_type: 'authorization_code', code: 'x', client_id: 'sesame-test' });
  await postForm('/token/revocation', { token: 'x' }, CONFIDENTIAL);
  await userinfo('no-such-token');
  const { body } = await getJson('/_test/stats');
  assertEqual(body, {
    token: {
      authorization_code: 1, refresh_token: 1, client_credentials: 2, [DEVICE_GRANT]: 1,
    },
    revocation: 1,
    userinfo: 1,
    lastRefreshScope: null,
  }, 'stats');
});

await check('/_test/token-fail answers the given status for the next N token requests', async () => {
  await admin('reset-stats');
  const { status } = await admin('token-fail?status=503&count=2');
  assertEqual(status, 200, 'token-fail');
  for (let i = 0; i < 2; i += 1) {
    const failure = await token({ grant_type: 'client_credentials' }, CONFIDENTIAL);
    assertEqual(failure.status, 503, `request ${i + 1}`);
    assert(typeof failure.body === 'string' && failure.body.length > 0, 'no body');
  }
  assertEqual((await token({ grant_type: 'client_credentials' }, CONFIDENTIAL)).status, 200, 'third request');
  assertEqual((await getJson('/_test/stats')).body.token.client_credentials, 3, 'counted');
});

await check('/_test/token-fail with an error answers that OAuth error, even with 200', async () => {
  assertEqual((await admin('token-fail?status=200&error=bad_refresh_token')).status, 200, 'token-fail');
  const failure = await token({ grant_type: 'client_credentials' }, CONFIDENTIAL);
  assertEqual(failure.status, 200, 'status');
  assertEqual(failure.body.error, 'bad_refresh_token', 'error');
  assertEqual((await admin('token-fail?status=100&error=x')).status, 400, 'status below 200');
  assertEqual((await token({ grant_type: 'client_credentials' }, CONFIDENTIAL)).status, 200, 'next');
});

await check('/_test/token-delay holds token requests; the stats count them on arrival', async () => {
  await admin('reset-stats');
  await admin('token-delay?ms=800');
  const started = Date.now();
  const inFlight = token({ grant_type: 'client_credentials' }, CONFIDENTIAL);
  await sleep(300);
  assertEqual((await getJson('/_test/stats')).body.token.client_credentials, 1, 'counted while in flight');
  assertEqual((await inFlight).status, 200, 'delayed request');
  assert(Date.now() - started >= 800, `answered after ${Date.now() - started} ms`);
  await admin('token-delay?ms=0');
  const quick = Date.now();
  await token({ grant_type: 'client_credentials' }, CONFIDENTIAL);
  assert(Date.now() - quick < 800, 'still delayed after ms=0');
});

await check('/_test/refresh-tokens sets their lifetime, renewed or kept by a rotation, and announces it', async () => {
  const within = (value, low, high, what) => assert(value >= low && value <= high, `${what}: ${value}`);
  await admin('refresh-tokens?ttl=5000&renew=0&announce=1');
  const fay = await signIn('fay');
  within(fay.refresh_token_expires_in, 4990, 5000, 'announced at the sign-in');
  await sleep(1100);
  const kept = await refresh(fay.refresh_token);
  within(kept.body.refresh_token_expires_in, 4900, fay.refresh_token_expires_in - 1, 'kept by a rotation');
  await admin('refresh-tokens?ttl=5000&renew=1&announce=1');
  const renewed = await refresh(kept.body.refresh_token);
  within(renewed.body.refresh_token_expires_in, 4990, 5000, 'renewed by a rotation');
  await admin('refresh-tokens?ttl=1209600&renew=1&announce=0');
  const quiet = await refresh(renewed.body.refresh_token);
  assertEqual(quiet.body.refresh_token_expires_in, undefined, 'not announced');
  assertEqual((await admin('refresh-tokens?ttl=0')).status, 400, 'ttl 0');
});

await check('a restart with the same --state keeps refresh tokens, access tokens and signing keys', async () => {
  const erin = await signIn('erin');
  const { body: jwksBefore } = await getJson('/jwks');
  const { port } = server;
  const stopped = await stopServer();
  assertEqual(stopped, { code: 0, signal: null }, 'exit on SIGTERM');
  await startServer(port);
  assertEqual(server.port, port, 'port');
  assertEqual((await getJson('/jwks')).body, jwksBefore, 'jwks');
  await verifyIdToken(erin.id_token);
  assertEqual((await userinfo(erin.access_token)).body.email, 'erin@example.test', 'old access token');
  const result = await refresh(erin.refresh_token);
  assertEqual(result.status, 200, `refresh after restart ${JSON.stringify(result.body)}`);
  assertEqual((await verifyIdToken(result.body.id_token)).email, 'erin@example.test', 'new id_token');
  assertEqual(JSON.parse(readFileSync(STATE, 'utf8')).version, 1, 'state file');
});

await check('stdout carries only the ready line', async () => {
  for (const lines of stdoutOfEveryServer) {
    assertEqual(lines.length, 1, `stdout lines ${JSON.stringify(lines)}`);
  }
});

finish();
