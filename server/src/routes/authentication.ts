import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { optionsRouteSchema, verifyRouteOptions, authenticationOptionsBody, authenticationVerifyResponse, type AuthenticationOptionsRequest } from '../schemas/api.ts';
import { parseAuthenticationResponse, verifyAssertionOffThread, describeAssertion, firstFailure, authDataDefectFinding } from '../../../conformance/src/index.ts';
import { presentCredential, rejectCanonical } from './present.ts';
import { explain } from './registration.ts';
import { CHALLENGE_UNKNOWN } from '../challenges/ChallengeStore.ts';

export interface AuthenticationContext {
  ceremony: 'authentication';
  requireUserVerification: boolean;
  /** credential IDs sent in allowCredentials; empty means discoverable sign-in */
  allowCredentials: string[];
}

type OptionsBody = AuthenticationOptionsRequest;
const optionsBody = authenticationOptionsBody;

export async function authenticationRoutes(app: FastifyInstance) {
  const { config } = app;

  app.post<{ Body: OptionsBody }>('/api/authentication/options', {
    schema: optionsRouteSchema(optionsBody),
  }, async (req, reply) => {
    const b = req.body ?? {};
    let allow: { id: string; type: 'public-key'; transports?: string[] }[] = [];
    if (b.username !== undefined) {
      const found = await app.credentials.getUserByName(b.username);
      // another team's user is, to this person, no user at all
      const user = found && app.teams.canSee(req, found.team) ? found : undefined;
      const creds = user ? await app.credentials.listCredentials(user.id) : [];
      if (creds.length === 0) {
        return reply.code(404).send({ error: { code: 'USER_UNKNOWN', message: `no credentials are registered for "${b.username}": register first, or leave the username empty for a discoverable sign-in` } });
      }
      allow = creds.map((c) => ({ id: c.id, type: 'public-key', ...(c.transports.length ? { transports: c.transports } : {}) }));
    }
    const challenge = crypto.randomBytes(32).toString('base64url');
    const uv = b.userVerification ?? 'preferred';
    await app.challenges.issue(challenge, req.sessionId, { ceremony: 'authentication', requireUserVerification: uv === 'required', allowCredentials: allow.map((a) => a.id) }, req.ip);
    const extensions: Record<string, unknown> = {};
    if (b.extensions?.prf) extensions.prf = { eval: b.extensions.prf.eval };
    if (b.extensions?.largeBlob) extensions.largeBlob = b.extensions.largeBlob;
    if (b.extensions?.getCredBlob) extensions.getCredBlob = true;
    return {
      challenge,
      rpId: config.rpId,
      timeout: b.timeout ?? 120_000,
      userVerification: uv,
      allowCredentials: allow,
      ...(b.hints ? { hints: b.hints } : {}),
      ...(Object.keys(extensions).length ? { extensions } : {}),
    };
  });

  app.post('/api/authentication/verify', verifyRouteOptions(authenticationVerifyResponse), async (req, reply) => {
    const parsed = parseAuthenticationResponse(req.body, { lenient: true });
    rejectCanonical(parsed.nonCanonical);
    const challenge = parsed.clientData.challenge;
    const id = Buffer.from(parsed.rawId).toString('base64url');
    const { challenges } = app;

    /**
     * One attempt. On a shared database an instance judges on its own copies when it has them (the
     * challenge it issued, the credential it read before) and commits in one statement; otherwise
     * (or when that statement finds its copy stale) it takes the challenge and reads the credential
     * in one round trip, and moves the counter in another. Elsewhere: take, read, record.
     */
    const attempt = async (useOwn: boolean): Promise<unknown> => {
      const own = useOwn ? challenges.ownCopies?.(challenge, req.sessionId, id) : undefined;
      const first = own ?? (challenges.takeWithCredential ? await challenges.takeWithCredential(challenge, req.sessionId, id) : { taken: await challenges.take(challenge, req.sessionId), credential: undefined });
      // on own copies nothing is consumed yet: any refusal is judged again the long way, which takes
      // the challenge (single use, even after a failed attempt) and reads the stored credential afresh
      const refuse = (status: number, code: string, message: string, extra: object = {}) => reply.code(status).send({ error: { code, message }, ...extra, decoded: describeAssertion(parsed) });
      const fail = async (status: number, code: string, message: string, extra: object = {}): Promise<unknown> => (own ? attempt(false) : refuse(status, code, message, extra));
      const { taken } = first;
      if (!taken.ok) return fail(422, taken.code, taken.message);
      const ctx = taken.record.context as AuthenticationContext;
      if (ctx.ceremony !== 'authentication') return fail(422, 'CHALLENGE_WRONG_CEREMONY', 'this challenge was issued for registration, not sign-in');
      // authenticator data that does not parse: the key's (or browser's) defect, a failed verification naming the byte
      if (parsed.authData.defect) {
        const f = authDataDefectFinding(parsed.authData.defect);
        return fail(422, f.code, f.message, { findings: [f] });
      }
      // §7.2 step 5: the credential must be one the RP allowed
      if (ctx.allowCredentials.length && !ctx.allowCredentials.includes(id)) {
        return fail(422, 'CREDENTIAL_NOT_ALLOWED', 'the authenticator answered with a credential that was not in allowCredentials (WebAuthn L3 §7.2 step 5)');
      }
      const found = own || challenges.takeWithCredential ? first.credential : await app.credentials.getCredential(id);
      const cred = found && app.teams.canSee(req, found.team) ? found : undefined;
      if (!cred) {
        // the same key may hold the person's passkey for signing in to the harness itself (accounts on)
        if (app.teams.on && (await app.stores.accounts.getPasskey(id))) return fail(422, 'CREDENTIAL_UNKNOWN', 'that is your passkey for signing in to the harness, not a credential under test: sign in again and pick the key\'s own account in the browser\'s chooser, or sign in with a username');
        return fail(422, 'CREDENTIAL_UNKNOWN', 'this credential is not registered here (deleted, or registered on another RP or data dir): register the key again');
      }
      // §7.2 step 6: discoverable sign-in must name the owner
      if (!ctx.allowCredentials.length && !parsed.userHandle) {
        return fail(422, 'USER_HANDLE_MISSING', 'discoverable sign-in returned no userHandle (WebAuthn L3 §7.2 step 6): the key did not store the account as a resident credential');
      }
      const key = app.keyCache.get(cred);
      const v = await verifyAssertionOffThread(parsed, { challenge: taken.record.challenge, origins: config.origins, rpId: config.rpId, requireUserVerification: ctx.requireUserVerification }, {
        alg: cred.alg,
        keyObject: key,
        counter: cred.counter,
        userHandle: Buffer.from(cred.userId, 'base64url'),
      });
      const now = app.now();
      if (!own && v.counterRegression && v.findings.filter((f) => f.status === 'fail').every((f) => f.code === 'SIGN_COUNT')) {
        // only a correctly signed response proves the authenticator sent this counter
        await app.credentials.recordCounterRegression({ credentialId: id, stored: cred.counter, received: parsed.authData.signCount, at: now });
      }
      const failed = firstFailure(v.findings);
      if (failed) return fail(422, failed.code, explain(failed), { findings: v.findings });
      // stored only if still greater than the stored counter (a concurrent sign-in may have won),
      // and acknowledged only once committed
      let counterRegressions = cred.counterRegressions;
      let use: 'ok' | 'regressed' | 'unknown';
      if (own) {
        const c = await challenges.commitSignIn!(challenge, cred, v.newCounter, parsed.authData.flags.BS, now);
        if (c.outcome === 'stale') return attempt(false);
        if (c.outcome === 'used') return refuse(422, CHALLENGE_UNKNOWN.code, CHALLENGE_UNKNOWN.message);
        use = c.outcome === 'ok' ? 'ok' : 'regressed';
        if (c.outcome === 'ok') counterRegressions = c.counterRegressions;
      } else {
        use = await app.credentials.recordUse(id, v.newCounter, parsed.authData.flags.BS, now);
      }
      if (use === 'unknown') return fail(422, 'CREDENTIAL_UNKNOWN', 'this credential was deleted while the sign-in was being verified: register the key again');
      if (use === 'regressed') {
        const latest = await app.credentials.getCredential(id);
        await app.credentials.recordCounterRegression({ credentialId: id, stored: latest?.counter ?? cred.counter, received: parsed.authData.signCount, at: now });
        const findings = v.findings.map((f) => (f.code === 'SIGN_COUNT' ? { ...f, status: 'fail' as const, expected: `> ${latest?.counter ?? cred.counter}`, actual: String(parsed.authData.signCount) } : f));
        return refuse(422, 'SIGN_COUNT', explain(findings.find((f) => f.code === 'SIGN_COUNT')!), { findings });
      }
      return {
        verified: true,
        credential: presentCredential({ ...cred, counter: v.newCounter, lastUsedAt: now, backupState: parsed.authData.flags.BS, counterRegressions }, cred.username ?? ''),
        findings: v.findings,
        decoded: describeAssertion(parsed),
      };
    };
    return attempt(true);
  });
}
