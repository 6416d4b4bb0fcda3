import { PERMISSION } from '../../../ctap/constants.ts';
import { CredentialManagement } from '../../../ctap/ctap2/credentialManagement.ts';
import { decryptInfoMember } from '../../../ctap/ctap2/getInfo.ts';
import type { PersistentTokenProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { attempt, statusOf, type CtapSession } from '../CtapSession.ts';

/**
 * The persistent read-only token (CTAP 2.2 §6.5.5.7, permission pcmr; getInfo encIdentifier and
 * encCredStoreState, CTAP 2.3 §6.4): it decrypts encIdentifier to the same identifier on every
 * read, encCredStoreState changes when the discoverable credentials change, it reads credential
 * metadata and may not delete. One discoverable credential on the probes' RP, removed at the end.
 */
export async function probePersistentToken(s: CtapSession): Promise<PersistentTokenProbe> {
  if (s.info.options.perCredMgmtRO !== true) return { skipped: 'getInfo does not list perCredMgmtRO', notApplicable: true };
  const t = await s.token(PERMISSION.pcmr, undefined, undefined, true);
  if (!t.token) return { skipped: t.why ?? 'no persistent token could be had' };
  const ppuat = t.token;
  const out: PersistentTokenProbe = {};
  const read = (member: 'encIdentifier' | 'encCredStoreState') => {
    const v = s.info[member];
    return v ? Buffer.from(decryptInfoMember(ppuat.token, member, v)).toString('hex') : undefined;
  };
  const id1 = read('encIdentifier');
  const state1 = read('encCredStoreState');
  await s.ctap2.getInfo(s.call());
  const id2 = read('encIdentifier');
  if (id1 !== undefined) out.identifierStable = id1 === id2;
  const made = await attempt(() => s.makeCredential({ by: 'persistent-token', rk: true }));
  await s.ctap2.getInfo(s.call());
  const state2 = read('encCredStoreState');
  if (state1 !== undefined && made.value) out.stateChangedAfterCreate = state1 !== state2;
  const cm = new CredentialManagement(s.ctap2, ppuat, s.info);
  out.metadata = await cm.metadata(s.call()).then(() => 'OK', statusOf);
  if (made.value) out.deleteWithReadOnlyToken = await cm.delete(made.value.credentialId, s.call()).then(() => 'OK', statusOf);
  return out;
}
