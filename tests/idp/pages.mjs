// The provider's HTML pages.  oidc-provider's built-in pages import a web
// font from the internet; these load nothing at all, so a browser under test
// never leaves loopback.  Every page's <body> carries data-page="KIND" so that
// person.mjs (and GUI tests) can tell where they are without parsing prose;
// form controls have stable ids.

const ESCAPES = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
};

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const STYLE = `
body { font-family: sans-serif; max-width: 28em; margin: 2em auto; padding: 0 1em; }
label, input, button { display: block; font-size: 1em; margin: 0.5em 0; }
input[type=text] { width: 100%; box-sizing: border-box; padding: 0.4em; }
button { padding: 0.4em 1.2em; }
.error { color: #b00020; }
code { font-size: 1.5em; }
`;

// attrs: extra data-* attributes for <body>, e.g. { error: 'aborted' }.
function page(kind, title, body, attrs = {}) {
  const extra = Object.entries(attrs)
    .map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body data-page="${kind}"${extra}>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

export function loginPage({ uid, clientId }) {
  return page('login', 'Sign in', `
<p>Sign in to continue to <strong>${escapeHtml(clientId)}</strong>. Any login name is accepted.</p>
<form id="login-form" method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="login">Login name</label>
<input id="login" name="login" type="text" autocomplete="username" required autofocus>
<button id="sign-in" type="submit">Sign in</button>
</form>`);
}

export function consentPage({
  uid, clientId, accountId, scopes,
}) {
  const items = scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('\n');
  return page('consent', 'Authorize', `
<p>Signed in as <strong id="account">${escapeHtml(accountId)}</strong>.</p>
<p><strong>${escapeHtml(clientId)}</strong> asks for:</p>
<ul id="scopes">
${items}
</ul>
<form id="confirm-form" method="post" action="/interaction/${escapeHtml(uid)}/confirm">
<button id="allow" type="submit" autofocus>Allow</button>
</form>
<form id="abort-form" method="post" action="/interaction/${escapeHtml(uid)}/abort">
<button id="deny" type="submit">Deny</button>
</form>`);
}

// features.deviceFlow.userCodeInputSource: `form` is the provider's form
// (id "op.deviceInputForm", a hidden xsrf field and a user_code field).
export async function userCodeInputSource(ctx, form, out, err) {
  let message;
  let error;
  if (err?.name === 'AbortedError') {
    error = 'aborted';
    message = 'The sign-in request was denied.';
  } else if (err?.userCode || err?.name === 'NoCodeError') {
    error = 'invalid-code';
    message = 'The code you entered is incorrect. Try again.';
  } else if (err) {
    error = 'error';
    message = 'There was an error processing your request.';
  }
  const status = message
    ? `<p id="message" class="error">${escapeHtml(message)}</p>`
    : '<p id="message">Enter the code displayed on your device.</p>';
  ctx.type = 'html';
  ctx.body = page('device-code', 'Device sign-in', `${status}
${form}
<button id="continue" type="submit" form="op.deviceInputForm">Continue</button>`, error ? { error } : {});
}

// features.deviceFlow.userCodeConfirmSource: `form` is the provider's form
// (id "op.deviceConfirmForm"); a button naming "abort" turns it into a denial.
export async function userCodeConfirmSource(ctx, form, client, deviceInfo, userCode) {
  ctx.type = 'html';
  ctx.body = page('device-confirm', 'Confirm device', `
<p><strong>${escapeHtml(client.clientName ?? client.clientId)}</strong> shows this code:</p>
<p><code id="user-code">${escapeHtml(userCode)}</code></p>
${form}
<button id="confirm" type="submit" form="op.deviceConfirmForm">Continue</button>
<button id="abort" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>`);
}

// features.deviceFlow.successSource
export async function successSource(ctx) {
  ctx.type = 'html';
  ctx.body = page('device-success', 'Signed in', `
<p>Your device is signed in as <strong id="account">${escapeHtml(ctx.oidc.session.accountId)}</strong>.
You can close this page.</p>`);
}

// renderError: any error the provider shows in the browser.
export async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.body = errorPage(out.error, out.error_description);
}

export function errorPage(error, description = '') {
  return page('error', 'Error', `
<p id="error" class="error">${escapeHtml(error)}</p>
<p id="error-description">${escapeHtml(description)}</p>`, { error });
}
