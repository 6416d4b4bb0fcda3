import { beforeAll, describe, expect, it } from 'vitest';
import { AttestationCa } from '../emulation/AttestationCa.ts';
import { COMPLIANT_VARIANTS, FAULT_CASES, runFaultCase, failingIds } from './faultMatrix.ts';
import { CHECKS } from '../checks/registry.ts';

/**
 * Every fault is caught by exactly the checks that name it; nothing else fails; the compliant
 * keys fail nothing. In this process the cases run side by side (the software key answers on
 * microtasks, so no race of the person's touch against a CANCEL depends on load); the cases
 * about the key's CTAP answers run again over a real UDP socket, one after the other. The NFC
 * cases run over the software key's card in process (ISO 7816-4 APDUs, no CTAPHID).
 */
let ca: AttestationCa;
beforeAll(async () => {
  ca = await AttestationCa.create();
});
const ctapIds = new Set(CHECKS.filter((c) => c.area === 'ctap').map((c) => c.id));

describe.concurrent('fault matrix, in process', () => {
  for (const v of COMPLIANT_VARIANTS) {
    it(`${v.fault} fails no check`, async () => {
      expect(failingIds(await runFaultCase(ca, v))).toEqual([]);
    });
  }
  for (const c of FAULT_CASES) {
    it(`${c.fault}: ${c.what} -> ${c.expect.join(', ')}`, async () => {
      expect(failingIds(await runFaultCase(ca, c))).toEqual([...c.expect].sort());
    });
  }
});

describe('fault matrix, over UDP (the CTAP-level cases)', () => {
  it(`${COMPLIANT_VARIANTS[0]!.fault} fails no check`, async () => {
    expect(failingIds(await runFaultCase(ca, COMPLIANT_VARIANTS[0]!, { link: 'udp' }))).toEqual([]);
  });
  // (the NFC cases need a card: they run over the in-process NFC link above, and end to end through pcscd in test/nfc)
  for (const c of FAULT_CASES.filter((x) => x.expect.some((id) => ctapIds.has(id)) && x.faults && x.link !== 'nfc')) {
    it(`${c.fault} over UDP -> ${c.expect.join(', ')}`, async () => {
      expect(failingIds(await runFaultCase(ca, c, { link: 'udp' }))).toEqual([...c.expect].sort());
    });
  }
});

describe('the matrix itself', () => {
  it('every named check exists, and no fault passes unnoticed', () => {
    const ids = new Set(CHECKS.map((c) => c.id));
    for (const c of FAULT_CASES) {
      expect(c.expect.length, c.fault).toBeGreaterThan(0);
      for (const id of c.expect) expect(ids.has(id), id).toBe(true);
    }
  });

  it('every check is named by a fault case that proves it catches something (the catalogue has no check that cannot fail)', () => {
    const named = new Set(FAULT_CASES.flatMap((c) => c.expect));
    // checks about metadata and attestation statements are proven by the attestation and MDS tests instead
    const provedElsewhere = CHECKS.filter((c) => c.area !== 'ctap').map((c) => c.id);
    expect(CHECKS.map((c) => c.id).filter((id) => !named.has(id) && !provedElsewhere.includes(id))).toEqual([]);
  });
});
