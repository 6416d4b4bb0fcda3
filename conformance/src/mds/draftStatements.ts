import { HarnessError } from '../errors/HarnessError.ts';
import type { MetadataEntry } from './MetadataBlob.ts';
import { AAGUID_TEXT } from '../encoding/formatAaguid.ts';
import { isJsonObject, parseJsonDocument } from '../encoding/parseJsonDocument.ts';
import { Ajv } from 'ajv';
import { METADATA_STATEMENT_SHAPE } from './metadataStatementSchema.ts';

const shape = new Ajv({ allErrors: true, strict: false }).compile(METADATA_STATEMENT_SHAPE);

const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/**
 * A vendor's draft metadata statement, read as the MDS entry of its AAGUID before the key is
 * in MDS: either the statement itself (what `mds lint` reads; no status reports, so the key
 * is "not FIDO certified", as it is before certification) or a BLOB-style entry
 * `{ aaguid, metadataStatement, statusReports }` to see the verdicts after certification.
 * Only the shape the harness needs is enforced here; `mds lint` judges the rest.
 * `withDraftStatements` (MetadataProvider.ts) puts drafts in front of a BLOB.
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
  // every member it does carry must have the type MDS 3.0 gives it: a string where a list belongs would
  // pass start-up and break every registration later (members it lacks are `mds lint`'s business)
  if (!shape(statement)) {
    const problems = (shape.errors ?? []).slice(0, 5).map((e) => `${e.instancePath.slice(1).replace(/\//g, '.') || '(statement)'} ${e.message}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`);
    throw new HarnessError('BAD_STATEMENT', `${name}: members of the wrong type: ${problems.join('; ')} (FIDO Metadata Statement 3.0 §4; "fido2-harness mds lint ${name}" lists everything)`);
  }
  const reports = wrapped ? doc.statusReports : undefined;
  if (reports !== undefined && !(Array.isArray(reports) && reports.every((r) => isJsonObject(r) && typeof r.status === 'string'))) {
    throw new HarnessError('BAD_STATEMENT', `${name}: statusReports must be an array of { "status": ..., "effectiveDate": ... }`);
  }
  return { aaguid, metadataStatement: statement as MetadataEntry['metadataStatement'], statusReports: reports as MetadataEntry['statusReports'], draftFrom: name };
}
