import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compliantEntry } from '../conformance/src/mds/TestMdsSigner.ts';
import { SoftAuthenticator } from '../conformance/src/emulation/SoftAuthenticator.ts';
import { AttestationCa } from '../conformance/src/emulation/AttestationCa.ts';
import { CORPUS, hasCorpus } from './helpers/corpus.ts';

const BIN = path.resolve('bin/fido2-harness.js');
const run = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, 'inspect', ...args], { encoding: 'utf8', input, timeout: 30_000 });

let dir: string;
let good: string;
let bad: string;
let rootPem: string;
const ORIGIN = 'https://vendor.example';
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-inspect-'));
  const ca = await AttestationCa.create();
  const aaguid = '11111111-2222-3333-4444-555555555555';
  const leaf = await ca.issueLeaf({ aaguid });
  const key = new SoftAuthenticator({ aaguid: Buffer.from(aaguid.replace(/-/g, ''), 'hex'), attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: [leaf.der] });
  const opts = { challenge: 'Y2hhbA', attestation: 'direct', rp: { id: 'vendor.example' }, user: { id: 'dQ' }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }] };
  const wrap = (response: unknown) => JSON.stringify({ response, expectedChallenge: 'Y2hhbA', expectedOrigin: ORIGIN, expectedRPID: 'vendor.example' });
  good = path.join(dir, 'good.json');
  bad = path.join(dir, 'bad.json');
  fs.writeFileSync(good, wrap(await key.create(opts, ORIGIN)));
  fs.writeFileSync(bad, wrap(await key.create(opts, ORIGIN, { clearUP: true })));
  rootPem = path.join(dir, 'root.pem');
  fs.writeFileSync(rootPem, ca.rootPem);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('fido2-harness inspect', { timeout: 120_000 }, () => {
  it('a good registration: exit 0, readable report, plain text when not a TTY', () => {
    const r = run([good, '--roots', rootPem]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('registration VERIFIED');
    expect(r.stdout).toContain('attestation trust: trusted, chain ends at CN=fido2-harness Test Attestation Root');
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it('--statement: a vendor\'s draft statement supplies the entry and its root before the key is in MDS', async () => {
    const statement = path.join(dir, 'draft.json');
    fs.writeFileSync(statement, JSON.stringify(compliantEntry('11111111-2222-3333-4444-555555555555', fs.readFileSync(rootPem, 'utf8'), 'Draft Inspect Key').metadataStatement));
    const r = run([good, '--statement', statement]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('attestation trust: trusted, chain ends at CN=fido2-harness Test Attestation Root');
    expect(r.stdout).toMatch(/the draft statement .*draft\.json \(not from MDS\) describes this authenticator: "Draft Inspect Key"/);
    const broken = path.join(dir, 'broken-draft.json');
    fs.writeFileSync(broken, '{"description": "no aaguid"}');
    expect(run([good, '--statement', broken])).toMatchObject({ status: 2, stderr: expect.stringMatching(/BAD_STATEMENT: .*needs the key's AAGUID/) });
    expect(run([good, '--statement', path.join(dir, 'nope.json')])).toMatchObject({ status: 2, stderr: expect.stringMatching(/cannot read statement .*ENOENT/) });
  });

  it('without the root the chain is reported as unknown, still a valid statement', () => {
    const r = run([good]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('attestation trust: unknown');
  });

  it('--json, --at and stdin', () => {
    const r = run(['-', '--json', '--at', '2031-01-01T00:00:00Z', '--roots', rootPem], fs.readFileSync(good, 'utf8'));
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ kind: 'registration', verified: true, at: '2031-01-01T00:00:00.000Z', atBasis: 'option', summary: { fmt: 'packed', trust: 'trusted' } });
    const late = run([good, '--json', '--at', '2070-01-01T00:00:00Z', '--roots', rootPem]);
    expect(late.status).toBe(1);
    expect(JSON.parse(late.stdout).findings.filter((f: { status: string }) => f.status === 'fail').map((f: { code: string }) => f.code)).toContain('CERT_VALIDITY');
  });

  it('a failing registration: exit 1 and the failing step named', () => {
    const r = run([bad]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+FLAG_UP/);
  });

  it('a directory: every file, a summary table, the worst exit code', () => {
    const d = path.join(dir, 'set');
    fs.mkdirSync(d);
    fs.copyFileSync(good, path.join(d, 'a.json'));
    fs.copyFileSync(bad, path.join(d, 'b.json'));
    let r = run([d]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/a\.json\s+registration\s+packed\s+verified/);
    expect(r.stdout).toMatch(/b\.json\s+registration\s+packed\s+failed\s+FLAG_UP/);
    expect(r.stdout).toContain('2 input(s): 1 verified, 1 failed, 0 bad input');
    fs.writeFileSync(path.join(d, 'c.json'), '{"not": "a response"}');
    r = run([d, '--json']);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).results.map((x: { file: string; error?: { code: string } }) => x.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'BAD_RESPONSE']);
  });

  it('bad input and usage: exit 2 with a message naming the problem, never a stack trace', () => {
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, `"${'A'.repeat(9 * 1024 * 1024)}"`);
    const garbage = path.join(dir, 'garbage.json');
    fs.writeFileSync(garbage, crypto.randomBytes(300));
    const truncated = path.join(dir, 'truncated.json');
    const g = JSON.parse(fs.readFileSync(good, 'utf8'));
    g.response.response.attestationObject = g.response.response.attestationObject.slice(0, 60);
    fs.writeFileSync(truncated, JSON.stringify(g));
    const notPem = path.join(dir, 'not.pem');
    fs.writeFileSync(notPem, 'hello');
    const cases: [string[], RegExp, string?][] = [
      [[path.join(dir, 'missing.json')], /cannot read input .*ENOENT/],
      [[garbage], /BAD_JSON: garbage\.json is not JSON/],
      [['-'], /BAD_INPUT: expected a JSON object/, '[1,2,3]'],
      [['-'], /BAD_JSON/, ''],
      [[truncated], /BAD_CBOR: attestationObject: truncated/],
      [[big], /limit/],
      [[good, '--at', 'yesterday'], /--at "yesterday" is not a date/],
      [[good, '--frobnicate'], /unknown option --frobnicate/],
      [[good, '--roots', notPem], /holds no PEM certificate/],
      [[good, '--roots'], /--roots needs a value/],
      [[good, '--mds', notPem], /BAD_MDS_BLOB/],
      [[], /no input given/],
      [[good, bad], /one input at a time/],
    ];
    for (const [args, msg, input] of cases) {
      const r = run(args, input);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 120_000);

  it.skipIf(!hasCorpus)('the real corpus folder with the real MDS BLOBs: every verdict as the manifest says', () => {
    const mds = ['no121', 'no25', 'no23'].flatMap((n) => ['--mds', path.join(CORPUS, `mds/fido-mds3-prod-${n}.jwt`)]);
    const r = run([path.join(CORPUS, 'samples'), '--json', ...mds]);
    // every sample is a response: the malformed Firefox 98 one fails verification (exit 1), it is not bad input
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const results = JSON.parse(r.stdout).results as { file: string; verified?: boolean; error?: unknown }[];
    const manifest = JSON.parse(fs.readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8')) as { id: string; expected: { verified: boolean } }[];
    for (const m of manifest) {
      const got = results.find((x) => x.file === `${m.id}.json`)!;
      expect(got.verified ?? false, m.id).toBe(m.expected.verified);
    }
    const firefox = results.find((x) => x.file === 'reg-none-firefox98-truncated-aaguid.json') as { verified?: boolean; error?: unknown; findings?: { code: string; status: string; message: string }[] };
    expect(firefox.error).toBeUndefined();
    expect(firefox.findings?.find((f) => f.code === 'AUTHDATA_STRUCTURE')).toMatchObject({ status: 'fail', message: expect.stringMatching(/at byte offset 53: credentialIdLength is 9377/) });
  });

  it.skipIf(!hasCorpus)('--mds refuses a BLOB whose signer is revoked (the conformance tool\'s 8654399f…), naming the serial', () => {
    const blob = path.join(CORPUS, 'mds/conformance/8654399fb85390b4f600a6c43088975dbdf74ca6c2dc17066657f01b0c722250.jwt');
    const fake = path.join(CORPUS, 'mds/fido-conformance-mds3-fake-root.pem');
    const good = path.join(CORPUS, 'mds/conformance/26448d4dacea1f180278c7ee2255a22c0f198d50252a1b46127d0ef247fc0aa7.jwt');
    const sample = path.join(CORPUS, 'samples', fs.readdirSync(path.join(CORPUS, 'samples')).find((f) => f.endsWith('.json'))!);
    const r = run([sample, '--mds', blob, '--mds-root', fake]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/BAD_MDS_BLOB: .*does not verify: MDS_CRL .*04806749DE307BBD5175A26D73F5F3 revoked 2018-03-25/);
    expect(run([sample, '--mds', good, '--mds-root', fake]).stderr).toMatch(/MDS BLOB .*26448d4d.*stale: not listed/);
  });
});

describe('inspect <dir> on a terminal', () => {
  it('the progress line is cleared before each result, so the screen holds no leftover "[n/m] file"', async () => {
    const { inspectCommand } = await import('../conformance/src/cli/inspectCommand.ts');
    const { Writable } = await import('node:stream');
    // a terminal: stdout and stderr on one screen; \r returns to the line start, ESC[K erases to its end
    const lines: string[] = [''];
    let col = 0;
    const screen = (text: string) => {
      for (let i = 0; i < text.length; i++) {
        if (text.startsWith('\x1b[K', i)) {
          lines[lines.length - 1] = lines.at(-1)!.slice(0, col);
          i += 2;
        } else if (text[i] === '\r') col = 0;
        else if (text[i] === '\n') {
          lines.push('');
          col = 0;
        } else {
          const l = lines.at(-1)!;
          lines[lines.length - 1] = l.slice(0, col) + text[i] + l.slice(col + 1);
          col++;
        }
      }
    };
    const tty = () => Object.assign(new Writable({ write(c, _e, cb) { screen(String(c)); cb(); } }), { isTTY: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-inspect-tty-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.json'), '{"not": "a response"}');
      fs.writeFileSync(path.join(dir, 'b.json'), '[1, 2]');
      await inspectCommand([dir, '--no-color'], { out: tty(), err: tty(), readStdin: async () => '' });
      expect(lines.join('\n')).not.toMatch(/\[\d+\/2\]/);
      expect(lines.join('\n')).toMatch(/a\.json: bad input/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
