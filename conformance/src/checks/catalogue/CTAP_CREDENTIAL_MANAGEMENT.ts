import { defineCheck, fail, pass } from '../Check.ts';
import { isResult, WINDOWS } from './helpers.ts';
import { CTAP21, bare, ctapProbe } from './ctapHelpers.ts';

/** what the credentialManagement probe renames a credential to (run/ctap/probes/probeCredentialManagement.ts RENAMED) */
export const RENAMED_TEXT = 'fido2-harness renamed';

export const CTAP_CREDENTIAL_MANAGEMENT = defineCheck({
  id: 'CTAP_CREDENTIAL_MANAGEMENT',
  title: 'Credential management lists both accounts of one RP, counts agree, rename and delete work',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.8 (authenticatorCredentialManagement; §6.8.6 updateUserInformation); ${WINDOWS}: multiple accounts per RP (Windows Settings lists and deletes a key's passkeys through credential management)`,
  covers: ['CredentialManagement-EnumerateRPs', 'CredentialManagement-EnumerateCredentials', 'CredentialManagement-UpdateAndDelete'],
  needs: 'the credentialManagement probe and register-account-1 / register-account-2',
  fix: 'Enumerate every discoverable credential of an RP (totalCredentials and getNextCredential), keep getCredsMetadata in step with what is stored, and remove exactly the named credential on deleteCredential.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'credentialManagement');
    if (isResult(p)) return p;
    const problems: string[] = [];
    const missing = (p.expectedForRun ?? []).filter((id) => !(p.listedForRun ?? []).includes(id));
    if ((p.expectedForRun ?? []).length < 2) problems.push('the run has fewer than two discoverable accounts to look for (see RK_MULTIPLE_ACCOUNTS_PER_RP)');
    if (missing.length) problems.push(`${missing.length} of the run's ${(p.expectedForRun ?? []).length} accounts not listed for ${ctx.run.rpId} (listed: ${(p.listedForRun ?? []).length})`);
    if (p.metadata && p.enumeratedTotal !== undefined && p.metadata.existing !== p.enumeratedTotal) problems.push(`getCredsMetadata says ${p.metadata.existing} credentials, enumeration finds ${p.enumeratedTotal}`);
    if (p.update && bare(p.update.status) !== 'OK') problems.push(`updateUserInformation answered ${bare(p.update.status)}`);
    else if (p.update && (p.update.nameAfter !== RENAMED_TEXT || p.update.displayNameAfter !== RENAMED_TEXT)) problems.push(`after updateUserInformation the credential is listed as ${JSON.stringify(p.update.nameAfter)} / ${JSON.stringify(p.update.displayNameAfter)} (${JSON.stringify(RENAMED_TEXT)} expected)`);
    if (!p.delete) problems.push('no credential of the harness to delete');
    else if (p.delete.status !== 'OK') problems.push(`deleteCredential answered ${bare(p.delete.status)}`);
    else if (p.delete.listedAfter) problems.push('the deleted credential is still listed');
    else if (p.metadata && p.delete.existingAfter !== undefined && p.delete.existingAfter !== p.metadata.existing - 1) problems.push(`existing credentials ${p.metadata.existing} -> ${p.delete.existingAfter} after one delete`);
    return problems.length
      ? fail('credential management does not show the key as it is', 'both accounts listed, counts consistent, delete effective', problems.join('; '), ['ctap:credentialManagement', 'register-account-1', 'register-account-2'])
      : pass(`both accounts listed; ${p.metadata?.existing} credentials, as enumerated; delete effective`, ['ctap:credentialManagement']);
  },
});
