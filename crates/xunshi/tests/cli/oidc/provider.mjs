// A real OpenID provider (oidc-provider) for the OpenID Connect log-in test.
//
//   npm ci --prefix crates/xunshi/tests/cli/oidc
//   PORT=… CLIENT_ID=… CLIENT_SECRET=… REDIRECT_URI=… node provider.mjs
//
// Listens on http://127.0.0.1:$PORT, which is also the issuer, with one confidential client
// (client_secret_basic, authorization code, PKCE S256 required) and four fixed accounts. The
// log-in page is this script's own (/interaction/:uid), not oidc-provider's devInteractions.
// Prints the one line `ready` to stdout once listening; everything else goes to stderr.

import * as crypto from 'node:crypto';
import * as http from 'node:http';

// oidc-provider prints its notices with console.info, i.e. on stdout, which the test reads
// for `ready` alone: send every console line to stderr instead.
console.log = console.error;
console.info = console.error;

const { default: Provider, errors } = await import('oidc-provider');

function setting(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const PORT = Number(setting('PORT'));
const CLIENT_ID = setting('CLIENT_ID');
const CLIENT_SECRET = setting('CLIENT_SECRET');
const REDIRECT_URI = setting('REDIRECT_URI');
const ISSUER = `http://127.0.0.1:${PORT}`;

// sub = the log-in name. `badname` has a preferred_username that is no valid Xunshi user name.
const ACCOUNTS = {
  wangfang: {
    password: 'Provider-Pass-1',
    claims: { preferred_username: 'wangfang', name: '王芳', email: 'wangfang@xunshi.test' },
  },
  zhaolei: {
    password: 'Provider-Pass-2',
    claims: { preferred_username: 'zhaolei', name: '赵磊', email: 'zhaolei@xunshi.test' },
  },
  liuyang: {
    password: 'Provider-Pass-4',
    claims: { preferred_username: 'liuyang', name: '刘洋', email: 'liuyang@xunshi.test' },
  },
  badname: {
    password: 'Provider-Pass-3',
    claims: { preferred_username: 'bad name!', name: '坏名字', email: 'badname@xunshi.test' },
  },
};

const SCOPE = 'openid profile email';
const CLAIMS = ['preferred_username', 'name', 'email'];

// A signing key of this run's own, so that oidc-provider's published development keys are
// not used; the relying party reads it from /jwks.
const signingKey = {
  ...crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: 'xunshi-test',
  alg: 'RS256',
  use: 'sig',
};

const provider = new Provider(ISSUER, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [signingKey] },
  responseTypes: ['code'],
  scopes: ['openid', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email'],
  },
  // The relying party reads the user's claims from the ID token, not from userinfo.
  conformIdTokenClaims: false,
  async findAccount(_ctx, sub) {
    const account = Object.hasOwn(ACCOUNTS, sub) ? ACCOUNTS[sub] : undefined;
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, ...account.claims };
      },
    };
  },
  features: {
    devInteractions: { enabled: false },
  },
  interactions: {
    url(_ctx, interaction) {
      return `/interaction/${interaction.uid}`;
    },
  },
  pkce: {
    methods: ['S256'],
    required: () => true,
  },
  // Plain http on 127.0.0.1: nothing is `secure` (koa marks cookies secure only on https) and
  // both kinds are SameSite=Lax, so no `.legacy` twins are set.
  cookies: {
    keys: ['xunshi-oidc-test-cookie-key'],
    long: { httpOnly: true, sameSite: 'lax', signed: true },
    short: { httpOnly: true, sameSite: 'lax', signed: true },
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    Grant: 3600,
    IdToken: 600,
    Interaction: 600,
    Session: 3600,
  },
  async renderError(ctx, out, error) {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `${out.error}: ${out.error_description ?? ''}\n`;
    console.error(`provider.mjs: error page: ${out.error}: ${out.error_description ?? ''}`);
    if (error && !(error instanceof errors.OIDCProviderError)) console.error(error);
  },
});
provider.proxy = false;

for (const event of [
  'server_error',
  'authorization.error',
  'grant.error',
  'userinfo.error',
  'jwks.error',
  'discovery.error',
  'end_session.error',
]) {
  provider.on(event, (_ctx, err) => {
    console.error(`provider.mjs: ${event}: ${err?.name ?? ''} ${err?.message ?? err}`
      + (err?.error_description ? ` (${err.error_description})` : '')
      + (err?.error_detail ? `: ${err.error_detail}` : '')
      + (err?.cause ? ` [${err.cause.message ?? err.cause}]` : ''));
  });
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(res, status, uid, message = '') {
  const body = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>登录</title></head>
<body>
${message ? `<p class="error">${escapeHtml(message)}</p>\n` : ''}<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>用户名 <input name="login" autocomplete="username" autofocus></label>
<label>密码 <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">登录</button>
</form>
<p><a href="/interaction/${escapeHtml(uid)}/abort">取消</a></p>
</body></html>
`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function plain(res, status, text) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// The interaction the `_interaction` cookie names, which must be the one in the path.
async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    throw new errors.SessionNotFound('interaction cookie and path disagree');
  }
  return details;
}

async function handleInteraction(req, res, pathname) {
  const match = /^\/interaction\/([^/]+)(?:\/(login|abort))?$/.exec(pathname);
  if (!match) return plain(res, 404, 'not found\n');
  const [, uid, action] = match;

  if (!action && req.method === 'GET') {
    await interaction(req, res, uid);
    return loginPage(res, 200, uid);
  }

  if (action === 'abort' && req.method === 'GET') {
    await interaction(req, res, uid);
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: '用户取消',
    }, { mergeWithLastSubmission: false });
  }

  if (action === 'login' && req.method === 'POST') {
    const details = await interaction(req, res, uid);
    const form = await readForm(req);
    const login = form.get('login') ?? '';
    const password = form.get('password') ?? '';
    const account = Object.hasOwn(ACCOUNTS, login) ? ACCOUNTS[login] : undefined;
    if (!account || account.password !== password) {
      return loginPage(res, 401, uid, '用户名或密码错误');
    }

    const accountId = login;
    const clientId = details.params.client_id;
    let grant;
    if (details.grantId) {
      grant = await provider.Grant.find(details.grantId);
      if (grant && grant.accountId !== accountId) grant = undefined;
    }
    grant ??= new provider.Grant({ accountId, clientId });
    grant.addOIDCScope(SCOPE);
    grant.addOIDCClaims(CLAIMS);
    const grantId = await grant.save();

    return provider.interactionFinished(req, res, {
      login: { accountId },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  }

  res.setHeader('Allow', action === 'login' ? 'POST' : 'GET');
  return plain(res, 405, 'method not allowed\n');
}

const providerCallback = provider.callback();

const server = http.createServer((req, res) => {
  const { pathname } = new URL(req.url, ISSUER);
  if (pathname !== '/interaction' && !pathname.startsWith('/interaction/')) {
    providerCallback(req, res);
    return;
  }
  handleInteraction(req, res, pathname).catch((err) => {
    if (err instanceof errors.OIDCProviderError) {
      console.error(`provider.mjs: ${req.method} ${pathname}: ${err.error}: ${err.error_description}`);
    } else {
      console.error(`provider.mjs: ${req.method} ${pathname}:`, err);
    }
    if (res.headersSent) {
      res.destroy();
    } else if (err instanceof errors.OIDCProviderError) {
      plain(res, err.statusCode ?? 400, `${err.error}: ${err.error_description ?? err.message}\n`);
    } else {
      plain(res, 500, 'server error\n');
    }
  });
});

server.on('error', (err) => {
  console.error('provider.mjs: server error:', err);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}

server.listen(PORT, '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
