import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliInProcess } from './helpers/cliInProcess.ts';
import type { RunReport } from '../conformance/src/checks/evaluateRun.ts';
import { CHECKS } from '../conformance/src/checks/registry.ts';

/**
 * CI across machines: `check … --shard i/n` on each, `report merge` of the n reports. The merged
 * report is the unsharded one, check by check, with one verdict and one JUnit; shards that do
 * not join are refused with the reason.
 */
let dir: string;
const cli = (...argv: string[]) => cliInProcess(argv);
const at = (name: string) => path.join(dir, name);
const read = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as RunReport;
/** what a check concluded, without what differs between two runs of a fresh software key (IDs, times) */
const verdicts = (r: RunReport) => r.outcomes.map((o) => ({ id: o.id, status: o.status, severity: o.severity, notApplicable: !!o.notApplicable, expected: o.expected, fix: o.fix, message: o.message.replace(/[0-9a-f]{16,}|[A-Za-z0-9_-]{20,}|\d+(\.\d+)? ?(ms|µs|s)\b/g, '…') }));
const PROFILE = 'fixtures/example-faulty-profile.json';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-merge-'));
  expect((await cli('check', '--emulate', PROFILE, '--out', at('whole.json'))).status).toBe(1);
  for (const i of [1, 2, 3]) expect([0, 1]).toContain((await cli('check', '--emulate', PROFILE, '--shard', `${i}/3`, '--out', at(`s${i}.json`))).status);
  for (const i of [1, 2]) expect((await cli('check', '--emulate', 'fixtures/example-compliant-profile.json', '--shard', `${i}/2`, '--out', at(`ok${i}.json`))).status).toBe(0);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('--shard and report merge', { timeout: 60_000 }, () => {
  it('the shards slice the catalogue: disjoint, together all of it, each a mix of areas', () => {
    const shards = [1, 2, 3].map((i) => read(at(`s${i}.json`)));
    const ids = shards.flatMap((s) => s.outcomes.map((o) => o.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(read(at('whole.json')).outcomes.map((o) => o.id).sort());
    expect(ids.length).toBe(CHECKS.length);
    for (const [i, s] of shards.entries()) {
      expect(s.shard).toMatchObject({ index: i + 1, count: 3 });
      expect(s.shard!.checks).toEqual(s.outcomes.map((o) => o.id));
      expect(new Set(s.outcomes.map((o) => o.area)).size).toBeGreaterThan(2);
    }
  });

  it('merged, in any order of the files, equals the unsharded report check by check: verdict, counts, to-fix, predicted row, JUnit', async () => {
    const m = await cli('report', 'merge', at('s3.json'), at('s1.json'), at('s2.json'), '--out', at('merged.json'), '--out', at('merged.xml'));
    expect(m.status, m.stderr).toBe(1);
    const whole = read(at('whole.json'));
    const merged = read(at('merged.json'));
    expect(verdicts(merged)).toEqual(verdicts(whole));
    expect(merged.verdict).toBe(whole.verdict);
    expect(merged.counts).toEqual(whole.counts);
    expect(merged.toFix.map((f) => [f.id, f.severity, f.fix])).toEqual(whole.toFix.map((f) => [f.id, f.severity, f.fix]));
    expect(merged.predictedRow).toEqual(whole.predictedRow);
    expect(merged.shard).toBeUndefined();
    expect(merged.mergedFrom!.map((x) => x.shard)).toEqual([1, 2, 3]);
    const xml = fs.readFileSync(at('merged.xml'), 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(whole.outcomes.length);
    expect(xml.match(/<failure /g)).toHaveLength(whole.counts.fail);
    // the merged report reads back as a consistent report (report recomputes and compares)
    expect((await cli('report', at('merged.json'), '--format', 'md')).status).toBe(1);
    // a passing key's shards merge to a pass (exit 0)
    const ok = await cli('report', 'merge', at('ok1.json'), at('ok2.json'), '--format', 'json');
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ verdict: 'pass', predictedRow: { eligible: true } });
    // two keys' shards in one call: one document, a report per key, one exit code
    const both = await cli('report', 'merge', at('s1.json'), at('ok1.json'), at('s2.json'), at('s3.json'), at('ok2.json'), '--format', 'json');
    expect(both.status).toBe(1);
    expect(JSON.parse(both.stdout).reports.map((r: RunReport) => r.verdict)).toEqual(['fail', 'pass']);
  });

  it('shards that do not join are refused with the reason (exit 2)', async () => {
    const refused = async (files: string[], why: RegExp) => {
      const r = await cli('report', 'merge', ...files);
      expect(r.status, r.stdout).toBe(2);
      expect(r.stderr).toMatch(why);
    };
    await refused([at('s1.json'), at('s3.json')], /shard 2\/3 missing/);
    await refused([at('s1.json'), at('s1.json'), at('s2.json'), at('s3.json')], /shard 1\/3 given twice/);
    await refused([at('s1.json'), at('s2.json'), at('s3.json'), at('ok1.json'), at('whole.json')], /not a shard|different slicings/);
    const otherCount = await cli('check', '--emulate', PROFILE, '--shard', '2/2', '--out', at('two.json'));
    expect([0, 1]).toContain(otherCount.status);
    await refused([at('s1.json'), at('two.json'), at('s3.json')], /different slicings \(1\/3 and 2\/2\)/);
    // a shard whose outcomes overlap another's (edited, or another catalogue)
    const s1 = read(at('s1.json'));
    const s2 = read(at('s2.json'));
    const overlap = { ...s2, outcomes: [...s2.outcomes, s1.outcomes[0]!] };
    overlap.counts = { pass: overlap.outcomes.filter((o) => o.status === 'pass').length, fail: overlap.outcomes.filter((o) => o.status === 'fail').length, skip: overlap.outcomes.filter((o) => o.status === 'skip').length };
    const required = overlap.outcomes.some((o) => o.severity === 'required' && (o.status === 'fail' || (o.status === 'skip' && !o.notApplicable)));
    overlap.verdict = required ? 'fail' : 'pass';
    overlap.toFix = overlap.outcomes.filter((o) => o.status === 'fail' || (o.status === 'skip' && o.severity === 'required' && !o.notApplicable)).sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'required' ? -1 : 1)).map((o) => ({ id: o.id, severity: o.severity, fix: o.fix, actual: o.actual }));
    if (overlap.predictedRow) overlap.predictedRow.eligible = overlap.predictedRow.eligible && !required;
    fs.writeFileSync(at('overlap.json'), JSON.stringify(overlap));
    await refused([at('s1.json'), at('overlap.json'), at('s3.json')], new RegExp(`${s1.outcomes[0]!.id} was judged by shard 1 and shard 2`));
    // shards judged against different metadata
    const other = { ...read(at('s2.json')), mds: { ...read(at('s2.json')).mds!, no: 99 } };
    fs.writeFileSync(at('othermds.json'), JSON.stringify(other));
    await refused([at('s1.json'), at('othermds.json'), at('s3.json')], /judged against .* shard 2 against MDS no 99/);
    // usage
    expect((await cli('report', 'merge')).status).toBe(2);
    expect((await cli('check', '--emulate', PROFILE, '--shard', '4/3')).stderr).toMatch(/--shard takes i\/n/);
    expect((await cli('check', '--emulate', PROFILE, '--shard', 'half')).status).toBe(2);
  });
});
