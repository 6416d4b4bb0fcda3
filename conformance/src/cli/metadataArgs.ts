import type { X509Certificate } from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { builtinAnchors } from '../pki/TrustAnchors.ts';
import { loadMetadataBlob, type MetadataBlob } from '../mds/MetadataBlob.ts';
import { mergedMetadata, withDraftStatements, type MetadataProvider } from '../mds/MetadataProvider.ts';
import { bundledCrlChecker, checkBlobRevocation } from '../mds/crl.ts';
import { readDraftStatement } from '../mds/draftStatements.ts';
import { readTextFile } from './args.ts';

const MAX_FILE = 64 * 1024 * 1024;

/**
 * --mds (BLOB files, repeatable: merged, newest wins), --mds-root and --statement (draft
 * statements in front) into one MetadataProvider; each BLOB is verified first, and a BLOB that
 * does not verify is refused with the reason. Notes go to `err` unless quiet.
 */
export async function metadataFromArgs(o: { mds?: string[]; mdsRoots?: X509Certificate[]; statements?: string[]; err?: NodeJS.WritableStream; quiet?: boolean; now?: Date }): Promise<MetadataProvider | undefined> {
  let mds: MetadataProvider | undefined;
  if (o.mds?.length) {
    const anchors = o.mdsRoots?.length ? o.mdsRoots : builtinAnchors('mds');
    const blobs: MetadataBlob[] = [];
    for (const f of o.mds) {
      const b = loadMetadataBlob(readTextFile(f, 'MDS BLOB', MAX_FILE), anchors, { now: o.now });
      await checkBlobRevocation(b, b.chain, anchors, bundledCrlChecker());
      const bad = b.findings.filter((x) => x.status === 'fail');
      if (bad.length) throw new HarnessError('BAD_MDS_BLOB', `MDS BLOB ${f} does not verify: ${bad.map((x) => `${x.code} ${x.message}${x.actual ? ` (${x.actual})` : ''}`).join('; ')}`);
      if (!o.quiet) o.err?.write(`MDS BLOB ${f}: no ${b.no}, ${b.entries.length} entries, verified as of ${b.verifiedAt.toISOString()} (${b.verifiedAtBasis})${b.findings.some((x) => x.status === 'warn') ? `; ${b.findings.filter((x) => x.status === 'warn').map((x) => x.message).join('; ')}` : ''}\n`);
      blobs.push(b);
    }
    mds = mergedMetadata(blobs);
  }
  return withDraftStatements(mds, (o.statements ?? []).map((f) => readDraftStatement(readTextFile(f, 'statement', MAX_FILE), f)));
}
