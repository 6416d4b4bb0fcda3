import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP23, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_LARGE_BLOB_EXTENSION = defineCheck({
  id: 'CTAP_LARGE_BLOB_EXTENSION',
  title: 'The largeBlob extension keeps a credential\'s blob and gives it back',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP23} §12.4 (largeBlob: support at makeCredential for a discoverable credential, write with originalSize at getAssertion, read returns the blob; outputs unsigned); ${fidoTest('largeBlob')}`,
  covers: ['largeBlob'],
  needs: 'the largeBlobExtension probe (a key listing the largeBlob extension and keeping discoverable credentials)',
  fix: 'Answer supported: true at makeCredential, keep the blob written at getAssertion with the credential and answer written: true, and return it to read.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'largeBlobExtension');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (bare(p.create) !== 'OK') problems.push(`makeCredential with largeBlob support required: ${bare(p.create)}`);
    else {
      if (p.supported !== true) problems.push('makeCredential did not answer supported: true');
      if (bare(p.write) !== 'OK' || p.written !== true) problems.push(`the write: ${bare(p.write)}${p.written ? '' : ', no written: true'}`);
      if (p.readBack !== 'same') problems.push(`the read: ${bare(p.read)}, ${p.readBack === 'none' ? 'no blob' : `the blob came back ${p.readBack}`}`);
    }
    return verdict(problems, { what: 'the largeBlob extension does not keep the blob', expected: 'supported, written, read back the same', ok: 'supported at makeCredential; a 200-byte blob written and read back', evidence: ['ctap:largeBlobExtension'] });
  },
});
