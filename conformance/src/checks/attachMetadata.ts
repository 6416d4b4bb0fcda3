import type { RunEvidence } from './RunEvidence.ts';
import type { MetadataProvider } from '../mds/MetadataProvider.ts';
import { parseRegistrationResponse } from '../webauthn/parseResponse.ts';
import { formatAaguid } from '../encoding/formatAaguid.ts';

/**
 * Give a run the MDS entry of the key it ran on, from the metadata the caller has: found by the AAGUID the
 * key registered with (its first successful registration). No BLOB, or a run whose
 * registration does not parse: no entry, and the metadata checks say so.
 */
export function attachMetadata(run: RunEvidence, metadata: MetadataProvider | undefined): RunEvidence {
  if (!metadata) {
    run.mds = undefined;
    return run;
  }
  const first = run.ceremonies.find((c) => c.kind === 'registration' && c.response);
  let aaguid: string | undefined;
  try {
    const acd = first ? parseRegistrationResponse(first.response).authData.attestedCredentialData : undefined;
    aaguid = acd ? formatAaguid(acd.aaguid) : undefined;
  } catch {
    aaguid = undefined; // the checks report the unparseable registration themselves
  }
  run.mds = { no: metadata.blob?.no ?? 0, nextUpdate: metadata.blob?.nextUpdate ?? '', entry: aaguid ? metadata.byAaguid(aaguid) : undefined };
  return run;
}
