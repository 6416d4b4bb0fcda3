import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { HarnessError, parseAuthenticationResponse, parseRegistrationResponse } from '../../../conformance/src/index.ts';
import { ACCOUNT_COOKIE, accountTokenOf, hashSecret } from '../plugins/accounts.ts';
import { presentedToken, sameSecret } from '../plugins/access.ts';
import { AccountConflict, type AccountRecord } from '../storage/AccountStore.ts';
import { authenticationVerifyResponse, errorResponses, registrationVerifyResponse, authenticatorResponseBody } from '../schemas/api.ts';

/** what the challenge of an account ceremony remembers */
export interface AccountRegistrationContext {
  ceremony: 'account-registration';
  accountId: string;
  name: string;
  /** the first admin's team; an invite's team is the invite's */
  team?: string;
  inviteHash?: string;
}
export interface AccountSignInContext {
  ceremony: 'account-signin';
}

const SESSION_MS = 12 * 3600_000;
const INVITE_MS = 7 * 24 * 3600_000;
const NAME = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;

/**
 * An account or team name as people read it: NFKC (full-width and compatibility forms folded), kept
 * as typed for display; names with invisible or direction-changing characters (format characters
 * such as U+200B, U+202E, U+2066, the soft hyphen) are refused, so no two accounts look alike on
 * screen. Two names are the same name when their case-folded forms are (nameKey): RFC 8265's
 * UsernameCaseMapped comparison, "Alice", "ａｌｉｃｅ" and "alice" being one person.
 */
export function accountName(raw: string, what = 'name'): string {
  const bad = /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0]/u.exec(raw);
  if (bad) throw new HarnessError('BAD_REQUEST', `${what} contains U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}, an invisible or direction-changing character: names are what people read, so they may not hide anything`);
  const n = raw.normalize('NFKC').trim();
  if (!n || n.length > 64) throw new HarnessError('BAD_REQUEST', `${what} is empty or longer than 64 characters once normalised`);
  return n;
}

/** what two names are compared by: NFKC, case-folded */
export const nameKey = (name: string) => name.normalize('NFKC').toLowerCase().normalize('NFKC');
const accountJson = (a: AccountRecord) => ({ name: a.name, team: a.team, role: a.role });
const anyObject = { type: 'object', additionalProperties: true } as const;
const verifyBody = (response: { required: readonly string[]; properties: object }) => ({ ...authenticatorResponseBody, properties: { ...authenticatorResponseBody.properties, response: { type: 'object', ...response } } });

/**
 * People signing in to a shared harness, with a passkey (this is a WebAuthn harness). The first
 * admin registers with the start-up token the server printed; everyone after with an invite an
 * admin made, which puts them in its team. Sessions are a random token in an HttpOnly cookie,
 * stored hashed. These passkeys are the harness's own: they are not keys under test and never
 * appear among the credentials.
 */
export async function accountRoutes(app: FastifyInstance) {
  const { config } = app;
  // the key of the decoy credential IDs: from the start-up token when there is one (so every
  // instance of a shared server answers alike), else this process's own
  const decoyKey = crypto.createHash('sha256').update(`fido2-harness decoy ${config.token ?? crypto.randomBytes(32).toString('hex')}`).digest();
  /** the account a name names, compared as people read names (nameKey) */
  const namedAccount = async (name: string) => (await app.stores.accounts.listAccounts()).find((a) => nameKey(a.name) === nameKey(name));
  const off = () => {
    if (!config.accounts) throw new HarnessError('ACCOUNTS_OFF', 'accounts are off on this server (serve --accounts on, or listen beyond loopback)', { status: 409 });
  };
  const signIn = async (reply: FastifyReply, account: AccountRecord) => {
    const token = crypto.randomBytes(32).toString('base64url');
    await app.stores.accounts.createSession(hashSecret(token), account.id, app.now() + SESSION_MS);
    reply.header('set-cookie', `${ACCOUNT_COOKIE}=${token}; Path=/api; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${config.tls ? '; Secure' : ''}`);
  };
  const signedIn = (req: FastifyRequest) => {
    if (!req.account) throw new HarnessError('ACCOUNT_REQUIRED', 'sign in first', { status: 401 });
    return req.account;
  };

  app.get('/api/account', { schema: { response: { 200: anyObject, ...errorResponses } } }, async (req) => ({
    accounts: config.accounts,
    signedIn: !!req.account,
    ...(req.account ? { account: accountJson(req.account) } : {}),
    firstAdmin: config.accounts ? !(await app.stores.accounts.hasAccounts()) : false,
  }));

  app.post<{ Body: { name: string; team?: string; token?: string; invite?: string } }>('/api/account/register/options', {
    schema: {
      body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: NAME, team: NAME, token: { type: 'string', maxLength: 256 }, invite: { type: 'string', minLength: 16, maxLength: 128 } } },
      response: { 200: anyObject, ...errorResponses },
    },
  }, async (req) => {
    off();
    const b = { ...req.body, name: accountName(req.body.name), ...(req.body.team !== undefined ? { team: accountName(req.body.team, 'team') } : {}) };
    // a name already taken in any case or width is taken (said before the person's key makes a passkey)
    if (await namedAccount(b.name)) throw new HarnessError('ACCOUNT_EXISTS', `the name ${JSON.stringify(b.name)} is taken on this harness (names are compared without case): choose another`, { status: 409 });
    const first = !(await app.stores.accounts.hasAccounts());
    let ctx: AccountRegistrationContext;
    const accountId = crypto.randomUUID();
    if (first) {
      const token = b.token ?? presentedToken(req);
      if (!config.token) throw new HarnessError('TOKEN_REQUIRED', 'this server has no start-up token to make the first admin with: start it with --token, or let it generate one (it prints the URL)', { status: 403 });
      if (!token || !sameSecret(token, config.token)) throw new HarnessError('TOKEN_REQUIRED', 'the first account is the admin: open the URL the server printed at start (…/account.html?token=…), which carries its start-up token', { status: 403 });
      ctx = { ceremony: 'account-registration', accountId, name: b.name, team: b.team ?? 'lab' };
    } else {
      if (!b.invite) throw new HarnessError('INVITE_INVALID', 'an account needs an invite: ask an admin of this harness for one', { status: 403 });
      if (b.team) throw new HarnessError('BAD_REQUEST', 'the team comes with the invite: leave "team" out');
      // said before the person's authenticator makes a passkey the server would then refuse
      if (!(await app.stores.accounts.inviteUsable(hashSecret(b.invite), app.now()))) throw new HarnessError('INVITE_INVALID', 'this invite is unknown, was used already or has expired: ask an admin for a new one', { status: 403 });
      ctx = { ceremony: 'account-registration', accountId, name: b.name, inviteHash: hashSecret(b.invite) };
    }
    const opts = await generateRegistrationOptions({
      rpName: `${config.rpName} (sign-in to the harness)`,
      rpID: config.rpId,
      userName: `${b.name} @ fido2-harness`,
      userID: Buffer.from(accountId),
      attestationType: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      supportedAlgorithmIDs: [-7, -8, -257],
    });
    await app.challenges.issue(opts.challenge, req.sessionId, ctx, req.ip);
    return { ...opts, firstAdmin: first };
  });

  app.post('/api/account/register/verify', { schema: { body: verifyBody(registrationVerifyResponse), response: { 200: anyObject, ...errorResponses } } }, async (req, reply) => {
    off();
    const challenge = parseRegistrationResponse(req.body).clientData.challenge;
    const taken = await app.challenges.take(challenge, req.sessionId);
    if (!taken.ok) return reply.code(422).send({ error: { code: taken.code, message: taken.message } });
    const ctx = taken.record.context as unknown as AccountRegistrationContext;
    if (ctx.ceremony !== 'account-registration') return reply.code(422).send({ error: { code: 'CHALLENGE_WRONG_CEREMONY', message: 'this challenge was not issued for making a harness account' } });
    let v: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      v = await verifyRegistrationResponse({ response: req.body as never, expectedChallenge: taken.record.challenge, expectedOrigin: config.origins, expectedRPID: config.rpId, requireUserVerification: false });
    } catch (e) {
      return reply.code(422).send({ error: { code: 'BAD_RESPONSE', message: `the passkey's registration did not verify: ${(e as Error).message}` } });
    }
    if (!v.verified || !v.registrationInfo) return reply.code(422).send({ error: { code: 'BAD_RESPONSE', message: 'the passkey\'s registration did not verify' } });
    const passkey = { id: v.registrationInfo.credential.id, accountId: ctx.accountId, publicKey: v.registrationInfo.credential.publicKey, counter: v.registrationInfo.credential.counter, createdAt: app.now() };
    let account: AccountRecord;
    if (await namedAccount(ctx.name)) return reply.code(409).send({ error: { code: 'ACCOUNT_EXISTS', message: `the name ${JSON.stringify(ctx.name)} was taken meanwhile (names are compared without case): choose another` } });
    try {
      if (ctx.inviteHash) {
        account = await app.stores.accounts.createWithInvite(ctx.inviteHash, app.now(), { id: ctx.accountId, name: ctx.name, createdAt: app.now() }, passkey);
      } else {
        account = { id: ctx.accountId, name: ctx.name, team: ctx.team!, role: 'admin', createdAt: app.now() };
        await app.stores.accounts.createFirstAdmin(account, passkey);
      }
    } catch (e) {
      if (!(e instanceof AccountConflict)) throw e;
      return reply.code(e.reason === 'INVITE_INVALID' ? 403 : 409).send({ error: { code: e.reason === 'ACCOUNT_NAME_TAKEN' ? 'ACCOUNT_EXISTS' : e.reason, message: e.message } });
    }
    await signIn(reply, account);
    return { signedIn: true, account: accountJson(account) };
  });

  // with a name, the person's own passkeys only: the same key may also hold credentials under test for
  // this RP ID, and a discoverable sign-in would let the browser pick one of those. An unknown name
  // gets the discoverable form, so the answer does not say which names exist.
  app.post<{ Body: { name?: string } | null }>('/api/account/signin/options', {
    schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: { name: NAME } }, response: { 200: anyObject, ...errorResponses } },
  }, async (req) => {
    off();
    const name = req.body?.name ? accountName(req.body.name) : undefined;
    const owner = name ? await namedAccount(name) : undefined;
    const real = owner ? await app.stores.accounts.passkeyIdsOf(owner.name) : [];
    // a name nobody has gets the same answer as a name somebody has (against enumeration, as RPs
    // do): one credential ID derived from the name under this server's secret, the same each time
    const ids = name && !real.length ? [crypto.createHmac('sha256', decoyKey).update(nameKey(name)).digest().subarray(0, 16).toString('base64url')] : real;
    const opts = await generateAuthenticationOptions({ rpID: config.rpId, allowCredentials: ids.map((id) => ({ id })), userVerification: 'preferred' });
    await app.challenges.issue(opts.challenge, req.sessionId, { ceremony: 'account-signin' }, req.ip);
    return opts;
  });

  app.post('/api/account/signin/verify', { schema: { body: verifyBody(authenticationVerifyResponse), response: { 200: anyObject, ...errorResponses } } }, async (req, reply) => {
    off();
    const parsed = parseAuthenticationResponse(req.body);
    const taken = await app.challenges.take(parsed.clientData.challenge, req.sessionId);
    if (!taken.ok) return reply.code(422).send({ error: { code: taken.code, message: taken.message } });
    if ((taken.record.context as unknown as AccountSignInContext).ceremony !== 'account-signin') return reply.code(422).send({ error: { code: 'CHALLENGE_WRONG_CEREMONY', message: 'this challenge was not issued for signing in to the harness' } });
    const id = Buffer.from(parsed.rawId).toString('base64url');
    const passkey = await app.stores.accounts.getPasskey(id);
    if (!passkey) return reply.code(422).send({ error: { code: 'CREDENTIAL_UNKNOWN', message: 'this passkey is not a harness account here (a key under test? pick your own harness passkey in the browser\'s chooser)' } });
    let v: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      v = await verifyAuthenticationResponse({ response: req.body as never, expectedChallenge: taken.record.challenge, expectedOrigin: config.origins, expectedRPID: config.rpId, credential: { id: passkey.id, publicKey: passkey.publicKey as Uint8Array<ArrayBuffer>, counter: passkey.counter }, requireUserVerification: false });
    } catch (e) {
      return reply.code(422).send({ error: { code: 'SIGNATURE', message: `the sign-in did not verify: ${(e as Error).message}` } });
    }
    if (!v.verified) return reply.code(422).send({ error: { code: 'SIGNATURE', message: 'the sign-in did not verify' } });
    if ((await app.stores.accounts.recordPasskeyUse(id, v.authenticationInfo.newCounter)) === 'regressed') {
      return reply.code(422).send({ error: { code: 'SIGN_COUNT', message: 'this passkey\'s counter went backwards: a cloned key? sign-in refused' } });
    }
    const account = (await app.stores.accounts.getAccount(passkey.accountId))!;
    await signIn(reply, account);
    return { signedIn: true, account: accountJson(account) };
  });

  app.post('/api/account/signout', { schema: { response: { 200: anyObject, ...errorResponses } } }, async (req, reply) => {
    const session = accountTokenOf(req);
    if (session) await app.stores.accounts.deleteSession(hashSecret(session));
    reply.header('set-cookie', `${ACCOUNT_COOKIE}=; Path=/api; HttpOnly; SameSite=Strict; Max-Age=0`);
    return { signedIn: false };
  });

  app.post<{ Body: { team?: string; role?: 'admin' | 'member' } }>('/api/account/invites', {
    schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: { team: NAME, role: { type: 'string', enum: ['admin', 'member'] } } }, response: { 200: anyObject, ...errorResponses } },
  }, async (req) => {
    off();
    const me = signedIn(req);
    if (me.role !== 'admin') throw new HarnessError('ADMIN_REQUIRED', 'only an admin makes invites: ask one', { status: 403 });
    const code = crypto.randomBytes(24).toString('base64url');
    const team = req.body?.team ?? me.team;
    const role = req.body?.role ?? 'member';
    const expiresAt = app.now() + INVITE_MS;
    await app.stores.accounts.createInvite({ codeHash: hashSecret(code), team, role, createdBy: me.id, expiresAt });
    return { code, team, role, expiresAt: new Date(expiresAt).toISOString(), url: `/account.html?invite=${code}` };
  });

  app.get('/api/account/members', { schema: { response: { 200: anyObject, ...errorResponses } } }, async (req) => {
    off();
    const me = signedIn(req);
    const all = await app.stores.accounts.listAccounts();
    // a member sees their own team; an admin everyone
    return { members: all.filter((a) => me.role === 'admin' || a.team === me.team).map(accountJson) };
  });

  app.delete<{ Params: { name: string } }>('/api/account/members/:name', {
    schema: { params: { type: 'object', properties: { name: NAME } }, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (req, reply) => {
    off();
    const me = signedIn(req);
    if (me.role !== 'admin') throw new HarnessError('ADMIN_REQUIRED', 'only an admin removes people: ask one', { status: 403 });
    const all = await app.stores.accounts.listAccounts();
    const target = all.find((a) => nameKey(a.name) === nameKey(accountName(req.params.name)));
    if (!target) throw new HarnessError('ACCOUNT_FORBIDDEN', `no account named ${JSON.stringify(req.params.name)}`, { status: 404 });
    // the harness must keep someone who can invite: the last admin cannot be removed
    if (target.role === 'admin' && all.filter((a) => a.role === 'admin').length === 1) throw new HarnessError('ACCOUNT_FORBIDDEN', 'that is the last admin: make another admin first (an invite with role admin)', { status: 409 });
    await app.stores.accounts.removeAccount(target.name);
    await app.stores.accounts.recordDeletion({ kind: 'account', objectId: target.id, label: target.name, team: target.team, ...app.teams.actor(req), at: app.now() });
    return reply.code(204).send();
  });

  app.get('/api/account/deletions', { schema: { response: { 200: anyObject, ...errorResponses } } }, async (req) => {
    off();
    const me = signedIn(req);
    const list = await app.stores.accounts.listDeletions(me.role === 'admin' ? undefined : me.team);
    return { deletions: list.map((d) => ({ ...d, at: new Date(d.at).toISOString() })) };
  });
}
