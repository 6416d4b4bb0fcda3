import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../conformance/src/cli/main.ts';
import { cliInProcess, sink } from './helpers/cliInProcess.ts';
import type { RunReport } from '../conformance/src/checks/evaluateRun.ts';

/** `fido2-harness report`: saved JSON reports rendered again, compared, and refused when malformed. */
const BIN = path.resolve('bin/fido2-harness.js');
let dir: string;
let good: string;
let faulty: string;
const cli = (...argv: string[]) => cliInProcess(['report', ...argv]);
const file = (name: string, content: string | object) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
};
const read = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as RunReport;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-report-'));
  good = path.join(dir, 'good.json');
  faulty = path.join(dir, 'faulty.json');
  const out = sink();
  expect(await main(['check', '--emulate', 'fixtures/example-compliant-profile.json', '--format', 'json', '--out', good], { io: { out: out.w } })).toBe(0);
  expect(await main(['check', '--emulate', 'fixtures/example-faulty-profile.json', '--format', 'json', '--out', faulty], { io: { out: out.w } })).toBe(1);
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('fido2-harness report', { timeout: 60_000 }, () => {
  it('renders a saved report again: JSON byte for byte, JUnit, Markdown, HTML, text; exit from its verdict', async () => {
    expect((await cli(good, '--format', 'json')).stdout).toBe(fs.readFileSync(good, 'utf8'));
    const r = read(faulty);
    const junit = await cli(faulty, '--format', 'junit');
    expect(junit.status).toBe(1);
    expect(junit.stdout.match(/<testcase /g)).toHaveLength(r.outcomes.length);
    expect(junit.stdout.match(/<failure /g)).toHaveLength(r.counts.fail);
    expect((await cli(faulty, '--format', 'md')).stdout).toMatch(/\*\*Verdict: FAIL\*\*[\s\S]*RK_DISCOVERABLE_SIGN_IN/);
    const html = path.join(dir, 'good.html');
    const h = await cli(good, '--format', 'html', '--out', html);
    expect(h).toMatchObject({ status: 0, stdout: `PASS: report written to ${html}\n` });
    expect(fs.readFileSync(html, 'utf8')).toContain('data-verdict="pass"');
    expect((await cli(good)).stdout).toMatch(/^Example Vendor Key NFC: PASS/);
  });

  it('diff: every check that passed before and does not now is a regression (exit 1); the other way round is fixed (exit 0)', async () => {
    const [a, b] = [read(good), read(faulty)];
    const status = (r: RunReport, id: string) => r.outcomes.find((o) => o.id === id)?.status;
    const expected = a.outcomes.filter((o) => o.status === 'pass' && status(b, o.id) !== 'pass').map((o) => o.id).sort();
    expect(expected).toContain('RK_DISCOVERABLE_SIGN_IN'); // the faulty profile has no resident keys
    const d = await cli('diff', good, faulty, '--json');
    expect(d.status).toBe(1);
    const [diff] = JSON.parse(d.stdout).diffs;
    expect(diff.changed.filter((c: { change: string }) => c.change === 'regressed').map((c: { id: string }) => c.id).sort()).toEqual(expected);
    expect(diff.regressions).toBe(expected.length);
    const back = await cli('diff', faulty, good);
    expect(back.status).toBe(0);
    expect(back.stdout).toMatch(/fixed\s+RK_DISCOVERABLE_SIGN_IN/);
    expect(back.stdout).toMatch(/different AAGUIDs/);
    expect(await cli('diff', good, good)).toMatchObject({ status: 0, stdout: expect.stringMatching(/no check changed/) });
  });

  it('several keys in one file (check --virtual): pairs by label, --label picks one, HTML needs one', async () => {
    const [a, b] = [read(good), read(faulty)];
    const both = file('both.json', { reports: [a, b] });
    const renamed = file('renamed.json', { reports: [b, { ...b, run: { ...b.run, subject: { ...b.run.subject, label: 'Other Key' } } }] });
    const d = JSON.parse((await cli('diff', both, renamed, '--json')).stdout);
    expect(d.diffs).toHaveLength(1);
    expect(d.diffs[0].a.label).toBe(b.run.subject.label);
    expect(d.unpaired).toEqual([`${a.run.subject.label} (only in a)`, 'Other Key (only in b)']);
    expect((await cli(both, '--label', a.run.subject.label, '--format', 'json')).stdout).toBe(`${JSON.stringify(a, null, 2)}\n`);
    expect(JSON.parse((await cli(both, '--format', 'json')).stdout).reports).toHaveLength(2);
    expect(await cli(both, '--format', 'html')).toMatchObject({ status: 2, stderr: expect.stringMatching(/one file per key and there are 2/) });
    expect(await cli(both, '--label', 'Nope')).toMatchObject({ status: 2, stderr: expect.stringMatching(/no report labelled "Nope".*labels: "Example Vendor Key NFC"/) });
    expect(await cli('diff', file('o1.json', { reports: [a] }), file('o2.json', { reports: [a, b].map((r) => ({ ...r, run: { ...r.run, subject: { ...r.run.subject, label: `x ${r.run.subject.label}` } } })) }))).toMatchObject({ status: 2, stderr: expect.stringMatching(/nothing to compare/) });
  });

  it('what a report says is escaped when rendered', async () => {
    const a = read(good);
    const evil = '<script>alert(1)</script>| `x` <img src=x onerror=alert(2)>';
    const f = file('evil.json', { ...a, run: { ...a.run, subject: { ...a.run.subject, label: evil } }, outcomes: a.outcomes.map((o, i) => (i ? o : { ...o, message: evil })) });
    const html = (await cli(f, '--format', 'html')).stdout;
    expect(html).not.toMatch(/<script>alert|<img src=x/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect((await cli(f, '--format', 'md')).stdout).not.toMatch(/<script>|<img/);
    expect((await cli(f, '--format', 'junit')).stdout).not.toMatch(/<script>|<img/);
  });

  /** A failing report's outcomes turned to pass, counts and verdict made to agree (what a careless forger does). */
  const flip = (r: ReturnType<typeof read>, clean: boolean) => {
    const outcomes = r.outcomes.map((o) => (o.status === 'fail' ? (clean ? { ...o, status: 'pass' as const, expected: undefined, actual: undefined } : { ...o, status: 'pass' as const }) : o));
    const n = (st: string) => outcomes.filter((o) => o.status === st).length;
    return { ...r, outcomes, verdict: outcomes.some((o) => o.severity === 'required' && o.status === 'skip' && !o.notApplicable) ? 'fail' : 'pass', counts: { pass: n('pass'), fail: n('fail'), skip: n('skip') } };
  };

  it('malformed, truncated, oversized, edited and hostile input: exit 2 with what was wrong, never a crash', async () => {
    const a = read(good);
    const text = fs.readFileSync(good, 'utf8');
    const failing = a.outcomes.findIndex((o) => o.severity === 'required');
    const cases: [string[], RegExp][] = [
      [[file('not.json', 'nope')], /BAD_JSON: .*not\.json is not JSON/],
      [[file('trunc.json', text.slice(0, text.length / 2))], /BAD_JSON/],
      [[file('empty.json', '')], /BAD_JSON/],
      [[file('arr.json', '[1,2]')], /BAD_REPORT: .*got an array/],
      [[file('num.json', '42')], /BAD_REPORT: .*got number/],
      [[file('other.json', { hello: 'world' })], /not a fido2-harness run report \(\$schema is null/],
      [[file('v2.json', { ...a, schemaVersion: 2, $schema: 'https://fido2-harness.dev/schemas/run-report/v2' })], /written by a newer fido2-harness/],
      [[file('noout.json', { ...a, outcomes: undefined })], /does not match the run report schema: \/ must have required property 'outcomes'/],
      [[file('status.json', { ...a, outcomes: a.outcomes.map((o, i) => (i ? o : { ...o, status: 'maybe' })) })], /\/outcomes\/0\/status must be equal to one of the allowed values \(pass, fail, skip\)/],
      [[file('proto.json', '{"__proto__":{"polluted":1},"$schema":"https://fido2-harness.dev/schemas/run-report/v1"}')], /does not match the run report schema/],
      [[file('counts.json', { ...a, counts: { ...a.counts, pass: a.counts.pass + 1 } })], /counts .* do not match its outcomes .*edited or truncated/],
      [[file('verdict.json', { ...a, outcomes: a.outcomes.map((o, i) => (i === failing ? { ...o, status: 'fail' } : o)), counts: { ...a.counts, pass: a.counts.pass - 1, fail: a.counts.fail + 1 } })], /verdict "pass" contradicts its outcomes/],
      [[file('aaguid.json', { ...a, aaguid: '"><script>' })], /\/aaguid must match pattern/],
      // a failing report flipped to pass with consistent counts: the failures still carry their expected/actual
      [[file('flipped.json', flip(read(faulty), false))], /says pass but carries a failure's expected\/actual/],
      // ... and with those removed too: the to-fix list still names the failures
      [[file('flipped2.json', flip(read(faulty), true))], /the to-fix list .* is not the failing checks/],
      [[file('eligible.json', { ...read(faulty), predictedRow: { ...read(faulty).predictedRow!, eligible: true } })], /the predicted row says eligible although a required check did not pass/],
      [[file('many.json', { reports: [] })], /"reports" must be an array of 1 to 100/],
      [[file('deep.json', `${'['.repeat(200_000)}${']'.repeat(200_000)}`)], /BAD_REPORT|BAD_JSON/],
      [[path.join(dir, 'missing.json')], /cannot read report .*ENOENT/],
      [[dir], /cannot read report .*EISDIR/],
      [[good, '--format', 'pdf'], /--format must be text, json, junit, md or html/],
      [[good, '--out', path.join(dir, 'no', 'such', 'dir.html')], /cannot write .*ENOENT/],
      [[good, faulty], /one report at a time/],
      [[], /no report given/],
      [['diff', good], /report diff needs two reports/],
      [['diff', '-', '-'], /only one of the two reports can come from standard input/],
      [[good, '--frobnicate'], /unknown option --frobnicate/],
      [[good, '--label'], /--label needs a value/],
      [[good, '--json'], /--json is for report diff/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli(...args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, Buffer.alloc(33 * 1024 * 1024, 0x20));
    expect(await cli(big)).toMatchObject({ status: 2, stderr: expect.stringMatching(/larger than 33554432 bytes/) });
    expect(fs.readFileSync(good, 'utf8')).toBe(text); // inputs are never written
  });

  it('reads standard input through the real binary', () => {
    const r = spawnSync(process.execPath, [BIN, 'report', '-', '--format', 'md'], { input: fs.readFileSync(faulty), encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^# fido2-harness report: Example Key Without Resident Keys/);
    const bad = spawnSync(process.execPath, [BIN, 'report', '-'], { input: '{"reports":', encoding: 'utf8', timeout: 30_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/fido2-harness report: BAD_JSON: standard input is not JSON/);
  });
});
