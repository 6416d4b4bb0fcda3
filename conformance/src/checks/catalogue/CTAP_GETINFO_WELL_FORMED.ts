import { defineCheck, fail, pass } from '../Check.ts';
import { fromBase64url } from '../../encoding/base64url.ts';
import { formatAaguid } from '../../encoding/formatAaguid.ts';
import { parseAuthenticatorData } from '../../webauthn/parseAuthenticatorData.ts';
import { isResult } from './helpers.ts';
import { CTAP21, ctapInfo } from './ctapHelpers.ts';

export const CTAP_GETINFO_WELL_FORMED = defineCheck({
  id: 'CTAP_GETINFO_WELL_FORMED',
  title: 'authenticatorGetInfo is well formed: required members, canonical CBOR, the AAGUID the key attests with',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.4 (authenticatorGetInfo), §8 (canonical CBOR); evidences Entra's "metadata states FIDO 2.0 or higher" (Microsoft reads getInfo through the MDS statement, which copies it)`,
  covers: ['Authr-Generic-1'],
  needs: 'getInfo and the probes\' first makeCredential',
  fix: 'Answer authenticatorGetInfo with versions and the 16-byte aaguid (the same AAGUID as in every attested credential), each member of the type CTAP 2.1 §6.4 gives, pinUvAuthProtocols whenever clientPin or pinUvAuthToken is an option, maxMsgSize of at least 1024, in CTAP2 canonical CBOR.',
  evaluate(ctx) {
    const info = ctapInfo(ctx);
    if (isResult(info)) return info;
    const problems = [...info.problems];
    if (info.nonCanonical.length) problems.push(`not canonical CBOR: ${info.nonCanonical.join('; ')}`);
    if (info.maxMsgSize !== undefined && info.maxMsgSize < 1024) problems.push(`maxMsgSize ${info.maxMsgSize} is below the 1024 bytes every authenticator must take`);
    if ((info.options.clientPin !== undefined || info.options.pinUvAuthToken === true) && !info.pinUvAuthProtocols.length) problems.push('clientPin or pinUvAuthToken is an option but pinUvAuthProtocols is absent');
    const probe = ctx.ctap!.evidence.probeAuthData;
    if (probe) {
      try {
        const attested = parseAuthenticatorData(fromBase64url(probe, 'probeAuthData'), { allowTrailing: true }).attestedCredentialData?.aaguid;
        if (attested && !Buffer.from(attested).equals(Buffer.from(info.aaguid))) problems.push(`aaguid ${info.aaguidText} differs from the AAGUID in attested credential data, ${formatAaguid(attested)}`);
      } catch (e) {
        problems.push(`the probes' makeCredential answered authenticator data that does not parse: ${(e as Error).message}`);
      }
    }
    return problems.length ? fail('authenticatorGetInfo is not well formed', 'versions and aaguid present and typed, canonical CBOR, the attested AAGUID', problems.join('; '), ['ctap:getInfo']) : pass(`versions ${info.versions.join(', ')}, AAGUID ${info.aaguidText} (the one the key attests with), canonical CBOR`, ['ctap:getInfo']);
  },
});
