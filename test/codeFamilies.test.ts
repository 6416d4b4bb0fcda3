import { describe, expect, it } from 'vitest';
import { CHECK_IDS, CHECKS, ERROR_CODES, FINDING_CODES, FAULT_CASES, STEP_NAMES, CEREMONY_PLAN } from '../conformance/src/index.ts';
import { VIRTUAL_PROFILES } from '../runner/virtualProfiles.ts';

/**
 * Three families of codes, each declared once: check IDs (catalogue entries), finding codes
 * (verification steps) and error codes (thrown refusals). A string belongs to one family only,
 * so a vendor quoting a code, or a script matching one, can never mean two things.
 */
describe('code families', () => {
  it('check IDs, finding codes and error codes are disjoint', () => {
    const checks = new Set<string>(CHECK_IDS);
    const findings = new Set(Object.keys(FINDING_CODES));
    const errors = new Set<string>(ERROR_CODES);
    expect([...checks].filter((c) => findings.has(c) || errors.has(c))).toEqual([]);
    expect([...findings].filter((c) => errors.has(c))).toEqual([]);
    for (const set of [checks, findings, errors]) for (const c of set) expect(c).toMatch(/^[A-Z][A-Z0-9_]+$/);
  });

  it('the registry holds exactly the declared check IDs, each once, in declared order', () => {
    expect(CHECKS.map((c) => c.id)).toEqual([...CHECK_IDS]);
  });

  it('the plan holds exactly the declared step names, in order', () => {
    expect(CEREMONY_PLAN.map((s) => s.step)).toEqual([...STEP_NAMES]);
  });

  it('expectations name only declared checks (the compiler checks it too)', () => {
    const ids = new Set<string>(CHECK_IDS);
    for (const f of FAULT_CASES) for (const id of f.expect) expect(ids.has(id), `${f.fault}: ${id}`).toBe(true);
    for (const p of VIRTUAL_PROFILES) for (const id of [...p.expect.pass, ...p.expect.fail]) expect(ids.has(id), `${p.name}: ${id}`).toBe(true);
  });
});
