import type { KeyChanges } from './ctap/CtapEvidence.ts';

/**
 * What a run over CTAP did to the key, in plain words, one line each: the lines every report
 * format and the pages end with (created and deleted credentials, what was changed and put back,
 * power cycles, PIN retries, anything left on the key).
 */
export function describeKeyChanges(c: KeyChanges): string[] {
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

