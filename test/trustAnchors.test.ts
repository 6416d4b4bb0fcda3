import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SettingsService } from '@simplewebauthn/server';
import { builtinAnchors, mdsRootFile } from '../conformance/src/pki/TrustAnchors.ts';
import { CORPUS, hasCorpus } from './helpers/corpus.ts';

describe('shipped trust anchors', () => {
  const shipped = new X509Certificate(fs.readFileSync(mdsRootFile()));

  it('the shipped MDS root is GlobalSign Root CA - R3, the same certificate SimpleWebAuthn maintains', () => {
    expect(shipped.subject).toContain('GlobalSign Root CA - R3');
    expect(shipped.fingerprint256).toBe('CB:B5:22:D7:B7:F1:27:AD:6A:01:13:86:5B:DF:1C:D4:10:2E:7D:07:59:AF:63:5A:7C:F4:72:0D:C9:63:C5:3B');
    expect(shipped.ca).toBe(true);
    expect(shipped.verify(shipped.publicKey)).toBe(true);
    const theirs = SettingsService.getRootCertificates({ identifier: 'mds' }).map((p: string) => new X509Certificate(p).fingerprint256);
    expect(theirs).toContain(shipped.fingerprint256);
    expect(builtinAnchors('mds')[0]!.fingerprint256).toBe(shipped.fingerprint256);
  });

  it.skipIf(!hasCorpus)('and the corpus copy is the same certificate', () => {
    const corpus = new X509Certificate(fs.readFileSync(path.join(CORPUS, 'mds/globalsign-root-r3.pem')));
    expect(corpus.raw.equals(shipped.raw)).toBe(true);
  });
});
