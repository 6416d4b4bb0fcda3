import type { CredentialRecord } from '../storage/CredentialStore.ts';
import { HarnessError } from '../../../conformance/src/index.ts';
import type { AuthenticatorSummary } from '../plugins/metadata.ts';

/** A stored credential as the API shows it (no key material, times as ISO strings). */
export function presentCredential(c: CredentialRecord, username: string, authenticator?: AuthenticatorSummary) {
  return {
    ...(authenticator ? { authenticator } : {}),
    id: c.id,
    username,
    userId: c.userId,
    alg: c.alg,
    counter: c.counter,
    transports: c.transports,
    aaguid: c.aaguid,
    fmt: c.fmt,
    backupEligible: c.backupEligible,
    backupState: c.backupState,
    discoverable: c.discoverable,
    createdAt: new Date(c.createdAt).toISOString(),
    lastUsedAt: c.lastUsedAt === null ? null : new Date(c.lastUsedAt).toISOString(),
    counterRegressions: c.counterRegressions,
  };
}

/**
 * CTAP 2.1 §8 requires authenticators to send canonical CBOR; the RP refuses anything else
 * rather than guess which of two encodings was signed.
 */
export function rejectCanonical(problems: string[]) {
  if (problems.length) {
    throw new HarnessError('NON_CANONICAL_CBOR', `CBOR is not in CTAP2 canonical form: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`);
  }
}
