/**
 * npm run fixtures: writes a synthetic MDS set to fixtures/mds/ for trying the mds commands
 * by hand (tests build their own in memory): a test MDS root and BLOBs that are valid,
 * revoked, stale, badly signed and with a broken chain. Keys are fresh on every run.
 *
 *   npm run -s cli -- mds eligible --why --blob fixtures/mds/valid.jwt --root fixtures/mds/root.pem
 */
import fs from 'node:fs';
import path from 'node:path';
import { TestMdsSigner, compliantEntry } from '../conformance/src/mds/TestMdsSigner.ts';

const out = path.resolve('fixtures/mds');
fs.mkdirSync(out, { recursive: true });
const signer = await TestMdsSigner.create();
const good = compliantEntry('f1d0c0de-0000-4000-8000-000000000001', signer.rootPem, 'fido2-harness Synthetic Key');
const revoked = compliantEntry('f1d0c0de-0000-4000-8000-000000000002', signer.rootPem, 'fido2-harness Revoked Key');
revoked.statusReports!.push({ status: 'REVOKED', effectiveDate: '2025-06-01' });
const entries = [good, revoked];
const blobs: Record<string, Parameters<TestMdsSigner['blob']>[0]> = {
  valid: { no: 2, nextUpdate: '2099-01-01', entries },
  stale: { no: 1, nextUpdate: '2025-01-01', entries },
  'bad-signature': { no: 2, nextUpdate: '2099-01-01', entries, badSignature: true },
  'broken-chain': { no: 2, nextUpdate: '2099-01-01', entries, brokenChain: true },
};
fs.writeFileSync(path.join(out, 'root.pem'), signer.rootPem);
for (const [name, o] of Object.entries(blobs)) fs.writeFileSync(path.join(out, `${name}.jwt`), await signer.blob(o));
fs.writeFileSync(path.join(out, 'statement.json'), JSON.stringify(good.metadataStatement, null, 2));
console.log(`wrote ${out}: root.pem, ${Object.keys(blobs).map((b) => `${b}.jwt`).join(', ')}, statement.json`);
