import { beforeAll, describe, expect, it } from 'vitest';
import { AttestationCa } from '../emulation/AttestationCa.ts';
import { FAULT_CASES, runFaultCase, failingIds } from './faultMatrix.ts';
import { CHECKS } from '../checks/registry.ts';

/** Every fault is caught by exactly the checks that name it; nothing else fails; the compliant key fails nothing. */
let ca: AttestationCa;
beforeAll(async () => {
  ca = await AttestationCa.create();
});

describe('fault matrix', () => {
  it('the compliant key fails no check', async () => {
    expect(failingIds(await runFaultCase(ca))).toEqual([]);
  });

  for (const c of FAULT_CASES) {
    it(`${c.fault}: ${c.what} -> ${c.expect.join(', ')}`, async () => {
      const r = await runFaultCase(ca, c);
      expect(failingIds(r)).toEqual([...c.expect].sort());
    });
  }

  it('every named check exists, and no fault passes unnoticed', () => {
    const ids = new Set(CHECKS.map((c) => c.id));
    for (const c of FAULT_CASES) {
      expect(c.expect.length, c.fault).toBeGreaterThan(0);
      for (const id of c.expect) expect(ids.has(id), id).toBe(true);
    }
  });
});
