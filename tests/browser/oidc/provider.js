// A certified OpenID provider (the npm package oidc-provider) for PeerSim's single sign-on tests, on 127.0.0.1 only.
//
//   node provider.js --port 9001 --redirect-uri http://127.0.0.1:8501/auth/sso/callback \
//                    [--client-id peersim-test] [--client-secret test-secret]
//
// The configuration is oidc-provider's conformant default: conformIdTokenClaims keeps profile and email claims
// asked for by scope out of the ID token, so a relying party gets the name and email only from userinfo; the
// supported prompts are none, login and consent (anything else, such as select_account, is invalid_request).
// devInteractions draw the login page (any password; the login is the account id) and the consent page, whose
// "[ Cancel ]" link answers access_denied. GET /test/authorizations lists the authorization requests received,
// so a test can see which parameters (prompt, PKCE, nonce) PeerSim sent.
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'redirect-uri': { type: 'string' },
    'client-id': { type: 'string', default: 'peersim-test' },
    'client-secret': { type: 'string', default: 'test-secret' },
  },
});
if (!args.port || !args['redirect-uri']) {
  console.error('usage: node provider.js --port PORT --redirect-uri URI [--client-id ID] [--client-secret SECRET]');
  process.exit(2);
}

// The test people (see tests/browser/test_sso.py). Each signs in with their account id as the login.
const PEOPLE = {
  // Verified, with a name only userinfo gives: the trainee PeerSim has never seen.
  kim: { email: 'kim.lee@example.org', email_verified: true, name: 'Kim Lee', given_name: 'Kim', family_name: 'Lee' },
  // Claims the admin's address, but the provider has not verified it.
  mallory: { email: 'ada@example.org', email_verified: false, name: 'Ada Admin' },
  // Verified, and the address belongs to a PeerSim account that has been switched off.
  dee: { email: 'dee@example.org', email_verified: true, name: 'Dee Disabled' },
  // Verified, and the address belongs to a PeerSim account with a password.
  tia: { email: 'tia@example.org', email_verified: true, name: 'Tia From Provider' },
};

const issuer = `http://127.0.0.1:${args.port}`;
const authorizations = [];

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      redirect_uris: [args['redirect-uri']],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  cookies: { keys: ['peersim-test-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const person = PEOPLE[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...person };
      },
    };
  },
});

// The dev pages import a web font from the internet; tests reach nothing but 127.0.0.1, so leave it out.
provider.use(async (ctx, next) => {
  if (ctx.path === '/test/authorizations') {
    ctx.body = authorizations;
    return;
  }
  if (ctx.path === '/auth') authorizations.push({ ...ctx.query });
  await next();
  if (typeof ctx.body === 'string' && ctx.type.startsWith('text/html')) {
    ctx.body = ctx.body.replace(/@import url\([^)]*\);?/g, '');
  }
});

provider.listen(Number(args.port), '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
