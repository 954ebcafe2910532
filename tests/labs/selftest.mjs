#!/usr/bin/env node
// The lab's own check: each server answers the documented quirks that
// Sesame's tests rely on, asked directly over HTTP (node selftest.mjs).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import assert from 'node:assert/strict';
import { test } from 'node:test';

const here = new URL('.', import.meta.url).pathname;

async function start(name) {
  const child = spawn(process.execPath, [`${here}${name}.mjs`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { child, base: JSON.parse(line).base };
}

const form = (fields) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

test('github: form-encoded unless JSON is asked for; errors with HTTP 200', async () => {
  const { child, base } = await start('github');
  try {
    const fields = { client_id: 'lab-github-app', client_secret: 'lab-github-secret', code: 'nope' };
    const plain = await fetch(`${base}/login/oauth/access_token`, form(fields));
    assert.equal(plain.status, 200);
    assert.match(plain.headers.get('content-type'), /x-www-form-urlencoded/);
    assert.equal(new URLSearchParams(await plain.text()).get('error'), 'bad_verification_code');
    const json = await fetch(`${base}/login/oauth/access_token`, { ...form(fields), headers: { ...form(fields).headers, accept: 'application/json' } });
    assert.equal(json.status, 200);
    assert.equal((await json.json()).error, 'bad_verification_code');
  } finally {
    child.kill();
  }
});

test('github: /user needs a User-Agent', async () => {
  const { child, base } = await start('github');
  try {
    // fetch always sends one; an empty one is none.
    const response = await fetch(`${base}/user`, { headers: { 'user-agent': '' } });
    assert.equal(response.status, 403);
  } finally {
    child.kill();
  }
});

test('microsoft: a public client sends no secret; a code redemption names a scope', async () => {
  const { child, base } = await start('microsoft');
  try {
    const secret = await fetch(`${base}/common/oauth2/v2.0/token`, form({
      client_id: 'lab-microsoft-app', client_secret: 's', grant_type: 'refresh_token', refresh_token: 'x',
    }));
    assert.match((await secret.json()).error_description, /^AADSTS700025/);
    const code = await fetch(`${base}/common/oauth2/v2.0/token`, form({
      client_id: 'lab-microsoft-app', grant_type: 'authorization_code', code: 'x', redirect_uri: 'http://127.0.0.1/callback',
    }));
    assert.match((await code.json()).error_description, /^AADSTS28003/);
  } finally {
    child.kill();
  }
});

test('google: device codes only for the TV client, with verification_url', async () => {
  const { child, base } = await start('google');
  try {
    const desktop = await fetch(`${base}/device/code`, form({ client_id: 'lab-google-desktop', scope: 'email' }));
    assert.equal(desktop.status, 401);
    const gmail = await fetch(`${base}/device/code`, form({ client_id: 'lab-google-tv', scope: 'https://mail.google.com/' }));
    assert.equal((await gmail.json()).error, 'invalid_scope');
    const tv = await (await fetch(`${base}/device/code`, form({ client_id: 'lab-google-tv', scope: 'openid email' }))).json();
    assert.ok(tv.verification_url);
    assert.equal(tv.verification_uri, undefined);
  } finally {
    child.kill();
  }
});

test('gitlab: discovery names the device endpoint; revoke answers 200', async () => {
  const { child, base } = await start('gitlab');
  try {
    const discovery = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    assert.equal(discovery.issuer, base);
    assert.equal(discovery.device_authorization_endpoint, `${base}/oauth/authorize_device`);
    const revoke = await fetch(`${base}/oauth/revoke`, form({ client_id: 'lab-gitlab-app', token: 'unknown' }));
    assert.equal(revoke.status, 200);
  } finally {
    child.kill();
  }
});
