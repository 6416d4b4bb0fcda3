import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AttestationCa } from '../emulation/AttestationCa.ts';
import { SoftAuthenticator } from '../emulation/SoftAuthenticator.ts';
import { TestMdsSigner, compliantEntry } from '../mds/TestMdsSigner.ts';
import { loadMetadataBlob } from '../mds/MetadataBlob.ts';
import { blobMetadata } from '../mds/MetadataProvider.ts';
import { runWithSoftAuthenticator } from '../run/runWithSoftAuthenticator.ts';
import { attachMetadata } from './attachMetadata.ts';
import { evaluateRun, summarizeOutcomes } from './evaluateRun.ts';
import { CHECKS } from './registry.ts';
import { renderText } from '../report/renderText.ts';
import { diffReports } from '../report/diffReports.ts';
import { renderMarkdown } from '../report/renderMarkdown.ts';
import { renderHtml } from '../report/renderHtml.ts';

const AAGUID = 'a77ac4ed-0000-4000-8000-0000000000e1';

async function setup(o: { noAaguidExtension?: boolean } = {}) {
  const ca = await AttestationCa.create();
  const leaf = await ca.issueLeaf({ aaguid: AAGUID, noAaguidExtension: o.noAaguidExtension });
  const key = new SoftAuthenticator({ aaguid: Buffer.from(AAGUID.replace(/-/g, ''), 'hex'), attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: [leaf.der], features: { hmacSecret: true } });
  const signer = await TestMdsSigner.create();
  const roots = [new crypto.X509Certificate(signer.rootDer)];
  const listed = blobMetadata(loadMetadataBlob(await signer.blob({ no: 3, nextUpdate: '2099-01-01', entries: [compliantEntry(AAGUID, ca.rootPem, 'Listed')] }), roots));
  const unlisted = blobMetadata(loadMetadataBlob(await signer.blob({ no: 4, nextUpdate: '2099-01-01', entries: [compliantEntry('00000000-0000-4000-8000-0000000000ff', ca.rootPem, 'Other')] }), roots));
  const run = await runWithSoftAuthenticator(key, { rpId: 'vendor.example', origin: 'https://vendor.example', label: 'k' });
  return { run, listed, unlisted };
}

describe('evaluateRun: a run in progress and a key without metadata', () => {
  it('checks about steps not run yet are pending, not findings; a finished run has none pending', async () => {
    const { run, listed } = await setup();
    const half = structuredClone(attachMetadata(run, listed));
    half.ceremonies = half.ceremonies.slice(0, 2);
    delete half.finishedAt;
    const r = evaluateRun(half);
    const pending = r.outcomes.filter((o) => o.pending);
    expect(pending.map((o) => o.id)).toContain('RK_MULTIPLE_ACCOUNTS_PER_RP');
    for (const o of pending) expect(o.status, o.id).not.toBe('pass');
    expect(r.toFix.filter((t) => pending.some((p) => p.id === t.id))).toEqual([]);
    // a check whose evidence is all in (the first registration) is judged now, not pending
    expect(r.outcomes.find((o) => o.id === 'ATT_PACKED_FORMAT')).toMatchObject({ status: 'pass' });
    expect(r.outcomes.find((o) => o.id === 'ATT_PACKED_FORMAT')?.pending).toBeUndefined();

    const whole = evaluateRun(attachMetadata(run, listed));
    expect(whole.outcomes.filter((o) => o.pending)).toEqual([]);
    expect(whole.metadataMissing).toBeUndefined();
    // report diff of the finished run against the unfinished one: pending checks are not compared,
    // so a pass against "not run yet" is no regression
    const d = diffReports(whole, r);
    expect(d.regressions).toBe(0);
    expect(d.notCompared.map((c) => c.id).sort()).toEqual(pending.map((o) => o.id).sort());
    expect(d.changed.filter((c) => pending.some((p) => p.id === c.id))).toEqual([]);
    expect(d.notCompared[0]!.why).toMatch(/judges a step not run yet in run /);
    // the same half run broken off (interrupted) is judged as it stands: nothing pending
    expect(evaluateRun({ ...half, interrupted: 'the key went away' } as typeof half).outcomes.filter((o) => o.pending)).toEqual([]);
  });

  it('no metadata entry: said once, with what to load, and every metadata check\'s fix says it', async () => {
    const { run, unlisted } = await setup();
    const needs = new Set(CHECKS.filter((c) => c.needsMetadata).map((c) => c.id));
    expect(needs.size).toBeGreaterThan(5);

    const notListed = evaluateRun(attachMetadata(structuredClone(run), unlisted));
    expect(notListed.metadataMissing).toContain('MDS BLOB no 4');
    expect(notListed.metadataMissing).toContain('draft statement');
    const failing = notListed.outcomes.filter((o) => needs.has(o.id) && o.status !== 'pass');
    expect(failing.length).toBeGreaterThan(0);
    for (const o of failing) expect(o.fix, o.id).toMatch(/^Load the key's metadata: /);
    // checks that do not need metadata keep their own fix
    for (const o of notListed.outcomes.filter((x) => !needs.has(x.id))) expect(o.fix).toBe(CHECKS.find((c) => c.id === o.id)!.fix);

    const none = evaluateRun(attachMetadata(structuredClone(run), undefined));
    expect(none.metadataMissing).toContain('no metadata is loaded');
    // nothing loaded: the metadata checks are not judged (said once, not a failure each), the verdict
    // is incomplete and nothing of them is in the to-fix list; not in what was loaded: failures naming it
    expect(notListed.verdict).toBe('fail');
    // (this key also misses hmac-secret-mc: CTAP_WIN_PRF_AT_CREATE, a recommended check, fails whatever the metadata)
    expect(none.toFix.map((f) => f.id)).toEqual(['CTAP_WIN_PRF_AT_CREATE']);
    expect(none.verdict).toBe('incomplete');
    expect(summarizeOutcomes(none.outcomes).verdict).toBe('incomplete');
    expect(none.toFix.filter((f) => needs.has(f.id))).toEqual([]);
    for (const id of ['MDS_FIDO_CERTIFIED', 'MDS_NO_COMPROMISE', 'MDS_DECLARES_RK', 'ATT_AAGUID_MATCHES_CERT_AND_MDS', 'ATT_PACKED_CHAIN_TO_MDS_ROOT'] as const) {
      const n = none.outcomes.find((x) => x.id === id)!;
      const u = notListed.outcomes.find((x) => x.id === id)!;
      expect([n.status, u.status], id).toEqual(['skip', 'fail']);
      expect(n.message, id).toBe('not judged: no metadata loaded');
      expect(u.message, id).toMatch(new RegExp(`^the key \\(AAGUID ${AAGUID}\\) is not in MDS BLOB no 4`));
    }
    // every format says incomplete, and the predicted row is "incomplete: load metadata"
    const incomplete = none;
    expect(renderText(incomplete, false)).toMatch(/INCOMPLETE: load metadata[\s\S]*predicted Microsoft table row: incomplete: load metadata/);
    expect(renderText(incomplete, false)).not.toMatch(/not in MDS/);
    expect(renderMarkdown(incomplete)).toMatch(/\*\*Verdict: INCOMPLETE \(load metadata\)\*\*/);
    expect(renderHtml(incomplete)).toMatch(/data-verdict="incomplete">INCOMPLETE: load metadata</);
    // before the key has registered there is nothing to look up: no banner
    const empty = structuredClone(run);
    empty.ceremonies = [];
    delete empty.finishedAt;
    expect(evaluateRun(attachMetadata(empty, unlisted)).metadataMissing).toBeUndefined();
  });

  it('a certificate without the AAGUID extension is no mismatch (WebAuthn L3 §8.2.1 compares it only when present)', async () => {
    const { run, listed } = await setup({ noAaguidExtension: true });
    const r = evaluateRun(attachMetadata(run, listed));
    expect(r.outcomes.find((o) => o.id === 'ATT_AAGUID_MATCHES_CERT_AND_MDS')).toMatchObject({ status: 'pass', message: expect.stringMatching(/the certificate has no AAGUID extension/) });
    expect(r.aaguid).toBe(AAGUID);
  });
});
