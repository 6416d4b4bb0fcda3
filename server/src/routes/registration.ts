import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { generateRegistrationOptions } from '@simplewebauthn/server';
import { optionsRouteSchema, verifyRouteOptions, registrationOptionsBody, registrationVerifyResponse, type RegistrationOptionsRequest } from '../schemas/api.ts';
import { DEFAULT_ALGORITHMS, SUPPORTED_ALGORITHMS } from '../algorithms.ts';
import { parseRegistrationResponse, analyzeRegistration, describeRegistration, formatAaguid, firstFailure, toBase64url, HarnessError } from '../../../conformance/src/index.ts';
import { StoreConflict } from '../storage/CredentialStore.ts';
import { presentCredential, rejectCanonical } from './present.ts';

export interface RegistrationContext {
  ceremony: 'registration';
  userId: string;
  username: string;
  displayName: string;
  requireUserVerification: boolean;
  algorithms: number[];
  /** the team the new user belongs to (accounts on), or the existing user's */
  team: string | null;
}

type OptionsBody = RegistrationOptionsRequest;

/** the shared body schema, with the algorithm list this runtime verifies */
const optionsBody = {
  ...registrationOptionsBody,
  properties: { ...registrationOptionsBody.properties, algorithms: { ...registrationOptionsBody.properties.algorithms, items: { type: 'integer', enum: SUPPORTED_ALGORITHMS } } },
} as const;

export async function registrationRoutes(app: FastifyInstance) {
  const { config } = app;

  app.post<{ Body: OptionsBody }>('/api/registration/options', {
    schema: optionsRouteSchema(optionsBody),
  }, async (req) => {
    const b = req.body;
    const existing = await app.credentials.getUserByName(b.username);
    if (existing && !app.teams.canSee(req, existing.team)) {
      throw new HarnessError('USERNAME_TAKEN', `the username "${b.username}" belongs to another team on this shared harness: choose another`, { status: 409 });
    }
    const userId = existing?.id ?? toBase64url(crypto.randomBytes(32));
    const algorithms = (b.algorithms as number[] | undefined) ?? DEFAULT_ALGORITHMS;
    const uv = b.userVerification ?? 'preferred';
    const residentKey = b.residentKey ?? 'preferred';
    const exclude = b.excludeCredentials !== false && existing ? await app.credentials.listCredentials(existing.id) : [];
    const opts = await generateRegistrationOptions({
      rpName: config.rpName,
      rpID: config.rpId,
      userName: b.username,
      userID: Buffer.from(userId, 'base64url'),
      userDisplayName: b.displayName ?? b.username,
      timeout: b.timeout ?? 120_000,
      attestationType: b.attestation === 'indirect' ? 'direct' : (b.attestation ?? 'none'),
      excludeCredentials: exclude.map((c) => ({ id: c.id, transports: c.transports })),
      authenticatorSelection: { residentKey, userVerification: uv, authenticatorAttachment: b.authenticatorAttachment },
      supportedAlgorithmIDs: algorithms,
      extensions: registrationExtensions(b.extensions) as never,
    });
    // generateRegistrationOptions knows no "indirect"; the conveyance value is the RP's to choose (§5.4.7)
    const out: Record<string, unknown> = { ...opts, attestation: b.attestation ?? 'none' };
    if (b.hints) out.hints = b.hints;
    await app.challenges.issue(opts.challenge, req.sessionId, {
      ceremony: 'registration',
      userId,
      username: b.username,
      displayName: b.displayName ?? b.username,
      requireUserVerification: uv === 'required',
      algorithms,
      team: existing ? (existing.team ?? null) : app.teams.owner(req),
    }, req.ip);
    return out;
  });

  app.post('/api/registration/verify', verifyRouteOptions(registrationVerifyResponse), async (req, reply) => {
    // authenticator data that does not parse is the key's defect: a failed verification (422) naming the byte
    const parsed = parseRegistrationResponse(req.body, { lenient: true });
    rejectCanonical(parsed.nonCanonical);
    const decoded = describeRegistration(parsed);
    const taken = await app.challenges.take(parsed.clientData.challenge, req.sessionId);
    if (!taken.ok) return reply.code(422).send({ error: { code: taken.code, message: taken.message }, decoded });
    const ctx = taken.record.context as RegistrationContext;
    if (ctx.ceremony !== 'registration') {
      return reply.code(422).send({ error: { code: 'CHALLENGE_WRONG_CEREMONY', message: 'this challenge was issued for sign-in, not registration' }, decoded });
    }
    const v = analyzeRegistration(parsed, {
      challenge: taken.record.challenge,
      origins: config.origins,
      rpId: config.rpId,
      requireUserVerification: ctx.requireUserVerification,
      allowedAlgorithms: ctx.algorithms,
      at: new Date(app.now()),
      mds: app.metadata.current(),
    });
    decoded.attestation = { ...decoded.attestation, type: v.attestationType, trust: v.trust, trustAnchor: v.trustAnchor };
    const failed = firstFailure(v.findings);
    if (failed) {
      return reply.code(422).send({ error: { code: failed.code, message: explain(failed) }, findings: v.findings, decoded });
    }
    const acd = parsed.authData.attestedCredentialData!;
    const id = toBase64url(acd.credentialId);
    if (id !== toBase64url(parsed.rawId)) {
      throw new HarnessError('BAD_RESPONSE', 'rawId differs from the credential ID in authenticatorData');
    }
    const exists = () => reply.code(422).send({ error: { code: 'CREDENTIAL_EXISTS', message: 'this credential ID is already registered (WebAuthn L3 §7.1 step 24): delete it first or use another key' }, decoded });
    if (await app.credentials.getCredential(id)) return exists();
    const now = app.now();
    const credProps = parsed.clientExtensionResults.credProps as { rk?: unknown } | undefined;
    try {
      await app.credentials.addCredential(
      { id: ctx.userId, username: ctx.username, displayName: ctx.displayName, createdAt: now, team: ctx.team },
      {
        id,
        userId: ctx.userId,
        publicKey: acd.publicKeyBytes,
        alg: v.credentialKey!.alg,
        counter: parsed.authData.signCount,
        transports: parsed.transports,
        aaguid: formatAaguid(acd.aaguid),
        fmt: parsed.fmt,
        attestationObject: parsed.attestationObject,
        clientDataJSON: parsed.clientDataJSON,
        backupEligible: parsed.authData.flags.BE,
        backupState: parsed.authData.flags.BS,
        discoverable: typeof credProps?.rk === 'boolean' ? credProps.rk : null,
        createdAt: now,
        lastUsedAt: null,
        counterRegressions: 0,
      },
      );
    } catch (e) {
      if (!(e instanceof StoreConflict)) throw e;
      if (e.reason === 'CREDENTIAL_EXISTS') return exists();
      // two first registrations of one new username raced, and the other committed first
      return reply.code(409).send({ error: { code: 'USERNAME_TAKEN', message: `${e.message}: ask for new registration options (they now carry that account's user handle) and register again` }, decoded });
    }
    return { verified: true, credential: presentCredential((await app.credentials.getCredential(id))!, ctx.username, app.metadata.summary(formatAaguid(acd.aaguid), new Date(now))), findings: v.findings, decoded };
  });
}

function registrationExtensions(e: OptionsBody['extensions']): Record<string, unknown> | undefined {
  if (!e) return undefined;
  const out: Record<string, unknown> = {};
  if (e.credProps) out.credProps = true;
  if (e.prf) out.prf = e.prf.eval ? { eval: e.prf.eval } : {};
  if (e.hmacCreateSecret) out.hmacCreateSecret = true;
  if (e.credProtect) {
    out.credentialProtectionPolicy = e.credProtect.policy;
    out.enforceCredentialProtectionPolicy = e.credProtect.enforce ?? false;
  }
  if (e.largeBlob) out.largeBlob = { support: e.largeBlob.support };
  if (e.credBlob !== undefined) {
    const n = Buffer.from(e.credBlob, 'base64url').length;
    if (n === 0 || n > 32) throw new HarnessError('BAD_REQUEST', `extensions.credBlob must be 1 to 32 bytes, got ${n}`);
    out.credBlob = e.credBlob;
  }
  if (e.minPinLength) out.minPinLength = true;
  return out;
}

export function explain(f: { code: string; message: string; expected?: string; actual?: string }): string {
  return `${f.code}: ${f.message}${f.expected !== undefined ? ` (expected ${f.expected}, got ${f.actual})` : ''}`;
}
