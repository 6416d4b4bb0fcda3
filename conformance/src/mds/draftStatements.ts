import { HarnessError } from '../errors/HarnessError.ts';
import type { MetadataBlob, MetadataEntry } from './MetadataBlob.ts';
import { AAGUID_TEXT } from '../encoding/formatAaguid.ts';
import { isJsonObject, parseJsonDocument } from '../encoding/parseJsonDocument.ts';

const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/**
 * A vendor's draft metadata statement, read as the MDS entry of its AAGUID before the key is
 * in MDS: either the statement itself (what `mds lint` reads; no status reports, so the key
 * is "not FIDO certified", as it is before certification) or a BLOB-style entry
 * `{ aaguid, metadataStatement, statusReports }` to see the verdicts after certification.
 * Only the shape the harness needs is enforced here; `mds lint` judges the rest.
 */
export function readDraftStatement(text: string, name: string): MetadataEntry {
  const doc = parseJsonDocument(text, name, { maxBytes: MAX_STATEMENT_BYTES, what: 'a metadata statement', sizeCode: 'BAD_STATEMENT', jsonCode: 'BAD_STATEMENT' });
  if (!isJsonObject(doc)) throw new HarnessError('BAD_STATEMENT', `${name}: expected a metadata statement (a JSON object)`);
  const wrapped = isJsonObject(doc.metadataStatement);
  const statement = (wrapped ? doc.metadataStatement : doc) as Record<string, unknown>;
  const aaguid = (wrapped ? (doc.aaguid ?? statement.aaguid) : statement.aaguid) as unknown;
  if (typeof aaguid !== 'string' || !AAGUID_TEXT.test(aaguid)) {
    throw new HarnessError('BAD_STATEMENT', `${name}: a draft statement needs the key's AAGUID as "aaguid" (lowercase 8-4-4-4-12), got ${JSON.stringify(aaguid) ?? 'nothing'}`);
  }
  const reports = wrapped ? doc.statusReports : undefined;
  if (reports !== undefined && !(Array.isArray(reports) && reports.every((r) => isJsonObject(r) && typeof r.status === 'string'))) {
    throw new HarnessError('BAD_STATEMENT', `${name}: statusReports must be an array of { "status": ..., "effectiveDate": ... }`);
  }
  return { aaguid, metadataStatement: statement as MetadataEntry['metadataStatement'], statusReports: reports as MetadataEntry['statusReports'], draftFrom: name };
}

/**
 * The BLOB with draft entries in front: a draft replaces the BLOB's entry for its AAGUID (a
 * vendor previewing an update). No BLOB: an index of the drafts alone.
 */
export function withDrafts(blob: MetadataBlob | undefined, drafts: readonly MetadataEntry[]): MetadataBlob | undefined {
  if (!drafts.length) return blob;
  const base: MetadataBlob = blob ?? { no: 0, nextUpdate: '', entries: [], verifiedAt: new Date(0), verifiedAtBasis: 'draft statements only', findings: [], verified: true, chain: [], byAaguid: new Map(), byKeyId: new Map(), byAaid: new Map() };
  const ids = new Set(drafts.map((d) => d.aaguid));
  const byAaguid = new Map(base.byAaguid);
  for (const d of drafts) byAaguid.set(d.aaguid!, d);
  return { ...base, entries: [...base.entries.filter((e) => !ids.has(e.aaguid)), ...drafts], byAaguid };
}
