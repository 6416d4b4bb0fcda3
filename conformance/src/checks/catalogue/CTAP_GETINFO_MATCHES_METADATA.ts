import { defineCheck, fail, pass, skip } from '../Check.ts';
import { compareGetInfo, getInfoDisagreements } from '../../ctap/ctap2/compareGetInfo.ts';
import { isResult, skipNoEntry } from './helpers.ts';
import { CTAP21, ctapInfo } from './ctapHelpers.ts';

const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));

export const CTAP_GETINFO_MATCHES_METADATA = defineCheck({
  id: 'CTAP_GETINFO_MATCHES_METADATA',
  title: 'The metadata statement\'s authenticatorGetInfo is the key\'s own, member by member',
  area: 'ctap',
  needsMetadata: true,
  severity: 'required',
  source: `FIDO MDS 3.0 §4 (authenticatorGetInfo: "the authenticatorGetInfo response of the authenticator"); ${CTAP21} §6.4; Microsoft Entra ID ingests capabilities (FIDO 2.0, UV or client PIN, resident keys, hmac-secret) from that member`,
  covers: ['Authr-Generic-1', 'Metadata-Stmt-1'],
  needs: 'getInfo and the MDS entry (or a draft statement)',
  fix: 'Copy the key\'s real getInfo into the statement (fido2-harness probe --json prints it), or fix the firmware where the statement says what the key should do. Members that follow the key\'s setup (clientPin, uv, remainingDiscoverableCredentials) are shown but not judged.',
  evaluate(ctx) {
    const info = ctapInfo(ctx);
    if (isResult(info)) return info;
    const declared = ctx.entry?.metadataStatement?.authenticatorGetInfo as Record<string, unknown> | undefined;
    if (!ctx.entry) return skipNoEntry(ctx, 'no MDS entry or draft statement for this AAGUID: pass --mds or --statement');
    if (!declared) return fail('the statement has no authenticatorGetInfo', 'the key\'s getInfo in the statement', 'absent', ['mds']);
    const differences = getInfoDisagreements(compareGetInfo(declared, info));
    if (!differences.length) return pass('every member the statement declares is what the key answers', ['mds', 'ctap:getInfo']);
    return fail(
      `the statement and the key differ in ${differences.map((d) => d.member).join(', ')}`,
      'the statement\'s authenticatorGetInfo equal to the key\'s',
      differences.map((d) => `${d.member}: declared ${show(d.declared)}, key says ${show(d.actual)}${d.note ? ` (${d.note})` : ''}`).join('; '),
      ['mds', 'ctap:getInfo'],
    );
  },
});
