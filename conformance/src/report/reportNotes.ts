import type { RunReport } from '../checks/evaluateRun.ts';
import { describeKeyChanges } from '../checks/keyChangeLines.ts';
import { passkeyProfileLines } from '../mds/passkeyProfiles.ts';

/**
 * The lines every format ends a report with, in plain words (each renderer escapes them its own
 * way): what the run did to the key (runs over CTAP), where it broke off, which areas it could
 * not judge.
 */
export function keyChangeLines(r: RunReport): string[] {
  return r.keyChanges ? describeKeyChanges(r.keyChanges) : (r.keyChangeLines ?? []);
}

export function runNotes(r: RunReport): string[] {
  const out: string[] = [];
  if (r.metadataMissing) out.push(r.mds ? `the metadata checks fail for one reason: ${r.metadataMissing}` : `the metadata checks were not judged (verdict incomplete): ${r.metadataMissing}`);
  if (r.ctap?.brokenOff) out.push(`the run broke off: ${r.ctap.brokenOff}`);
  for (const n of r.notRun ?? []) out.push(`area ${n.area} not run: ${n.reason}`);
  if (r.predictedRow?.getInfoDisagrees?.length) out.push(`Microsoft reads the statement, and the key's own getInfo disagrees with it in ${r.predictedRow.getInfoDisagrees.join(', ')}: fix the statement before submitting (see CTAP_GETINFO_MATCHES_METADATA)`);
  return out;
}

/**
 * What the run predicts for Microsoft beyond the checks: the eligible-keys row when there is no
 * metadata to read it from (incomplete), and each of a tenant's passkey profiles (check
 * --tenant-profile): will it accept the key at registration and at sign-in, and why not.
 */
export function predictionLines(r: RunReport): string[] {
  const out: string[] = [];
  if (!r.predictedRow && r.metadataMissing && !r.mds) out.push('predicted Microsoft table row: incomplete: load metadata');
  if (r.passkeyProfiles) out.push(...passkeyProfileLines(r.passkeyProfiles));
  return out;
}

/** Where the run's metadata came from, in words: a BLOB, a draft statement, or generated from a profile. */
export function metadataSource(r: RunReport): string {
  const m = r.mds;
  if (!m) return 'no metadata used';
  if (m.generated) return `entry generated from the emulation profile ${m.generated} (not from MDS)`;
  if (m.draft) return `entry from the draft statement ${m.draft}, not from a BLOB`;
  return `BLOB no ${m.no} (${m.listed ? 'listed' : 'not listed'})`;
}
