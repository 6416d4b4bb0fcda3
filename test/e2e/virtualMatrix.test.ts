import { describe, expect, it } from 'vitest';
import { runVirtualMatrix } from '../../runner/checkVirtual.ts';
import { VIRTUAL_PROFILES } from '../../runner/virtualProfiles.ts';
import { BROWSER_CHECKS } from '../../conformance/src/checks/registry.ts';
import { readReports } from '../../conformance/src/report/readReports.ts';

/**
 * `check --virtual`: the conformance plan through Chromium's CDP virtual authenticators,
 * every profile in its own context, in parallel. Each profile's expected verdicts hold.
 */
describe('virtual run matrix', () => {
  it('every profile passes and fails exactly where its capabilities say', async () => {
    const lines: string[] = [];
    const results = await runVirtualMatrix(VIRTUAL_PROFILES, { progress: (l) => lines.push(l) });
    expect(results.map((r) => r.profile.name)).toEqual(VIRTUAL_PROFILES.map((p) => p.name));
    expect(lines).toHaveLength(VIRTUAL_PROFILES.length);
    // what check --virtual --format json writes is what report reads back
    expect(readReports(JSON.stringify({ reports: results.map((r) => r.report) }, null, 2), 'virtual run')).toHaveLength(VIRTUAL_PROFILES.length);
    for (const { profile, report } of results) {
      expect(report.outcomes).toHaveLength(BROWSER_CHECKS.length);
      const status = (id: string) => report.outcomes.find((o) => o.id === id)!;
      for (const id of profile.expect.pass) expect(status(id).status, `${profile.name} ${id}: ${status(id).message}`).toBe('pass');
      for (const id of profile.expect.fail) expect(status(id).status, `${profile.name} ${id}: ${status(id).message}`).toBe('fail');
      for (const id of profile.expect.notJudged ?? []) expect(status(id), `${profile.name} ${id}`).toMatchObject({ status: 'skip', notRun: 'metadata', message: 'not judged: no metadata loaded' });
      // Chromium's AAGUID is in no MDS and no metadata is loaded: never predicted eligible; a key
      // without defects is "incomplete: load metadata", not a failure
      expect(report.verdict, profile.name).toBe(profile.expect.fail.length ? 'fail' : 'incomplete');
      expect(report.predictedRow).toBeUndefined();
    }
    // the u2f key must fail resident keys and hmac-secret (issue 5's own example)
    const u2f = results.find((r) => r.profile.name === 'u2f')!.report;
    expect(u2f.toFix.map((f) => f.id)).toEqual(expect.arrayContaining(['RK_DISCOVERABLE_SIGN_IN', 'EXT_HMAC_SECRET_OR_PRF']));
  }, 120_000);

  it('--areas narrows the catalogue: the full profile passes the behavioural checks', async () => {
    const [r] = await runVirtualMatrix(VIRTUAL_PROFILES.filter((p) => p.name === 'ctap2_1-full'), { areas: ['windows', 'hygiene'] });
    expect(r!.report.outcomes.every((o) => o.area === 'windows' || o.area === 'hygiene')).toBe(true);
    // no MDS entry for Chromium's AAGUID: the PIN-only rule cannot be shown (a recommended check)
    expect(r!.report.outcomes.filter((o) => o.status !== 'pass').map((o) => `${o.id}: ${o.status}`)).toEqual(['HYG_UV_ONLY_WHEN_VERIFIED: skip']);
    expect(r!.report.verdict).toBe('pass');
  }, 120_000);
});
