import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP23, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_PERSISTENT_TOKEN = defineCheck({
  id: 'CTAP_PERSISTENT_TOKEN',
  title: 'The persistent read-only token reads credential management, may not delete, and decrypts encIdentifier and encCredStoreState',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP23} §6.5.5.7 (the pcmr permission: a persistent token for read-only credential management), §6.4 (encIdentifier: the authenticator identifier encrypted with a key derived from the persistent token, a new IV each time; encCredStoreState: changes whenever the discoverable credentials change), §6.8 (deleteCredential needs the cm permission); ${fidoTest('CredentialManagement-EnumerateRPs', 'ClientPin2-GetPinUvAuthTokenUsingUvWithPermissions')}`,
  covers: ['CredentialManagement-EnumerateRPs', 'CredentialManagement-EnumerateCredentials'],
  needs: 'the persistentToken probe (a key listing perCredMgmtRO; the PIN or built-in UV)',
  fix: 'Derive the encIdentifier and encCredStoreState keys from the persistent token as CTAP 2.3 §6.4 says (HKDF-SHA-256, zero salt, the member name as info), encrypt with a fresh IV on every getInfo, change the credential store state on every change of the discoverable credentials, and refuse deleteCredential and updateUserInformation to a token holding only pcmr.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'persistentToken');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (p.identifierStable === false) problems.push('encIdentifier decrypted with the persistent token differs between two reads of getInfo (encrypted with another key?)');
    if (p.stateChangedAfterCreate === false) problems.push('encCredStoreState decrypts to the same state after a discoverable credential was made');
    if (p.metadata !== undefined && bare(p.metadata) !== 'OK') problems.push(`getCredsMetadata with the persistent token: ${bare(p.metadata)}`);
    if (p.deleteWithReadOnlyToken !== undefined && bare(p.deleteWithReadOnlyToken) === 'OK') problems.push('deleteCredential with the read-only persistent token: accepted');
    return verdict(problems, { what: 'the persistent token does not behave as CTAP 2.3 says', expected: 'a stable identifier, a state that changes with the credentials, reading allowed, deleting refused', ok: 'encIdentifier stable, encCredStoreState follows the credentials, read-only credential management works and cannot delete', evidence: ['ctap:persistentToken'] });
  },
});
