import type { RunReport } from '../checks/evaluateRun.ts';

/**
 * The lines every format ends a report with, in plain words (each renderer escapes them its own
 * way): what the run did to the key (runs over CTAP), where it broke off, which areas it could
 * not judge.
 */
export function keyChangeLines(r: RunReport): string[] {
  const c = r.keyChanges;
  if (!c) return [];
  const byRp = (xs: { rpId: string }[]) => [...new Set(xs.map((x) => x.rpId))].map((rp) => `${rp} ×${xs.filter((x) => x.rpId === rp).length}`).join(', ');
  const out: string[] = [];
  out.push(c.created.length ? `created ${c.created.length} discoverable credential(s) (${byRp(c.created)}); non-discoverable ones leave nothing on a key` : 'created no discoverable credential');
  const ownDeleted = c.deleted.filter((d) => d.by !== 'an earlier fido2-harness run');
  if (ownDeleted.length) out.push(`deleted ${ownDeleted.length} of them through credential management`);
  if (c.leftovers) out.push(`removed ${c.leftovers} credential(s) an earlier fido2-harness run had left`);
  for (const l of c.left) out.push(`LEFT ON THE KEY: ${l.rpId} credential ${l.credentialId} (${l.by}): ${l.reason}`);
  for (const u of c.unlisted ?? []) out.push(`not listed by credential management at the end: ${u.rpId} credential ${u.credentialId} (${u.by}): the key never kept it as discoverable, or hides it`);
  if (c.pinSet) out.push('PIN: set by this run (--set-pin); only a reset removes it');
  for (const a of c.actions ?? []) out.push(a.restored ? `changed and put back: ${a.what}` : `CHANGED: ${a.what}`);
  if (c.powerCycles?.count) out.push(`power-cycled ${c.powerCycles.count} time(s) (${c.powerCycles.how})`);
  if (c.pinRetries) out.push(`PIN retries: ${c.pinRetries.before} before, ${c.pinRetries.after} after${c.pinRetries.after < c.pinRetries.before ? ' (FEWER: the key did not restore them)' : ''}`);
  else if (!c.pinSet) out.push('PIN: not used, not changed');
  out.push(c.left.length || (c.unlisted ?? []).length ? `${c.left.length + (c.unlisted ?? []).length} credential(s) may still be on the key (above)` : 'nothing of this run is left on the key');
  return out;
}

export function runNotes(r: RunReport): string[] {
  const out: string[] = [];
  if (r.metadataMissing) out.push(`the metadata checks fail for one reason: ${r.metadataMissing}`);
  if (r.ctap?.brokenOff) out.push(`the run broke off: ${r.ctap.brokenOff}`);
  for (const n of r.notRun ?? []) out.push(`area ${n.area} not run: ${n.reason}`);
  if (r.predictedRow?.getInfoDisagrees?.length) out.push(`Microsoft reads the statement, and the key's own getInfo disagrees with it in ${r.predictedRow.getInfoDisagrees.join(', ')}: fix the statement before submitting (see CTAP_GETINFO_MATCHES_METADATA)`);
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
