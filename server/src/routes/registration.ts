import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { generateRegistrationOptions } from '@simplewebauthn/server';
import { b64url, hints, prfEval, timeout, userVerification, optionsRouteSchema, verifyRouteSchema } from '../schemas/common.ts';
import { DEFAULT_ALGORITHMS, SUPPORTED_ALGORITHMS } from '../algorithms.ts';
import { parseRegistrationResponse } from '../../../conformance/src/webauthn/parseResponse.ts';
import { analyzeRegistration } from '../../../conformance/src/attestation/analyzeRegistration.ts';
import { describeRegistration } from '../../../conformance/src/webauthn/describeResponse.ts';
import { formatAaguid } from '../../../conformance/src/encoding/formatAaguid.ts';
import { firstFailure } from '../../../conformance/src/findings/Finding.ts';
import { toBase64url } from '../../../conformance/src/encoding/base64url.ts';
import { HarnessError } from '../../../conformance/src/errors/HarnessError.ts';
import { presentCredential, rejectCanonical } from './present.ts';

export interface RegistrationContext {
  ceremony: 'registration';
  userId: string;
  username: string;
  displayName: string;
  requireUserVerification: boolean;
  algorithms: number[];
}

interface OptionsBody {
  username: string;
  displayName?: string;
  attestation?: 'none' | 'indirect' | 'direct' | 'enterprise';
  residentKey?: 'discouraged' | 'preferred' | 'required';
  userVerification?: 'discouraged' | 'preferred' | 'required';
  authenticatorAttachment?: 'platform' | 'cross-platform';
  hints?: string[];
  algorithms?: number[];
  timeout?: number;
  excludeCredentials?: boolean;
  extensions?: {
    credProps?: boolean;
    prf?: { eval?: { first: string; second?: string } };
    hmacCreateSecret?: boolean;
    credProtect?: { policy: string; enforce?: boolean };
    largeBlob?: { support: 'required' | 'preferred' };
    credBlob?: string;
    minPinLength?: boolean;
  };
}

const optionsBody = {
  type: 'object',
  additionalProperties: false,
  required: ['username'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    displayName: { type: 'string', maxLength: 64 },
    attestation: { type: 'string', enum: ['none', 'indirect', 'direct', 'enterprise'] },
    residentKey: { type: 'string', enum: ['discouraged', 'preferred', 'required'] },
    userVerification,
    authenticatorAttachment: { type: 'string', enum: ['platform', 'cross-platform'] },
    hints,
    algorithms: { type: 'array', minItems: 1, maxItems: 16, uniqueItems: true, items: { type: 'integer', enum: SUPPORTED_ALGORITHMS } },
    timeout,
    excludeCredentials: { type: 'boolean' },
    extensions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        credProps: { type: 'boolean' },
        prf: { type: 'object', additionalProperties: false, properties: { eval: prfEval } },
        hmacCreateSecret: { type: 'boolean' },
        credProtect: {
          type: 'object',
          additionalProperties: false,
          required: ['policy'],
          properties: {
            policy: { type: 'string', enum: ['userVerificationOptional', 'userVerificationOptionalWithCredentialIDList', 'userVerificationRequired'] },
            enforce: { type: 'boolean' },
          },
        },
        largeBlob: { type: 'object', additionalProperties: false, required: ['support'], properties: { support: { type: 'string', enum: ['required', 'preferred'] } } },
        // CTAP 2.1 §12.2: credBlob is at most maxCredBlobLength (>= 32) bytes; 32 is what every key supports
        credBlob: { ...b64url, maxLength: 43 },
        minPinLength: { type: 'boolean' },
      },
    },
  },
} as const;

export async function registrationRoutes(app: FastifyInstance) {
  const { config } = app;

  app.post<{ Body: OptionsBody }>('/api/registration/options', {
    schema: optionsRouteSchema(optionsBody),
  }, async (req) => {
    const b = req.body;
    const existing = app.store.getUserByName(b.username);
    const userId = existing?.id ?? toBase64url(crypto.randomBytes(32));
    const algorithms = b.algorithms ?? DEFAULT_ALGORITHMS;
    const uv = b.userVerification ?? 'preferred';
    const residentKey = b.residentKey ?? 'preferred';
    const exclude = b.excludeCredentials !== false && existing ? app.store.listCredentials(existing.id) : [];
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
    app.challenges.issue(opts.challenge, req.sessionId, {
      ceremony: 'registration',
      userId,
      username: b.username,
      displayName: b.displayName ?? b.username,
      requireUserVerification: uv === 'required',
      algorithms,
    });
    return out;
  });

  app.post('/api/registration/verify', {
    schema: verifyRouteSchema({
      required: ['clientDataJSON', 'attestationObject'],
      properties: {
          clientDataJSON: { ...b64url, minLength: 1 },
          attestationObject: { ...b64url, minLength: 1, maxLength: 65536 },
          transports: { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 32 } },
      },
    }),
  }, async (req, reply) => {
    const parsed = parseRegistrationResponse(req.body);
    rejectCanonical(parsed.nonCanonical);
    const decoded = describeRegistration(parsed);
    const taken = app.challenges.take(parsed.clientData.challenge, req.sessionId);
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
    if (app.store.getCredential(id)) {
      return reply.code(422).send({ error: { code: 'CREDENTIAL_EXISTS', message: 'this credential ID is already registered (WebAuthn L3 §7.1 step 24): delete it first or use another key' }, decoded });
    }
    const now = app.now();
    const credProps = parsed.clientExtensionResults.credProps as { rk?: unknown } | undefined;
    app.store.addCredential(
      { id: ctx.userId, username: ctx.username, displayName: ctx.displayName, createdAt: now },
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
    return { verified: true, credential: presentCredential(app.store.getCredential(id)!, ctx.username, app.metadata.summary(formatAaguid(acd.aaguid), new Date(now))), findings: v.findings, decoded };
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
