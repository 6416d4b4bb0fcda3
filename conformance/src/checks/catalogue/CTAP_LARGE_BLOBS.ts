import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_LARGE_BLOBS = defineCheck({
  id: 'CTAP_LARGE_BLOBS',
  title: 'authenticatorLargeBlobs: the array keeps its hash, writes need lbw, a wrong hash is refused, fragments reassemble',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.10.1-6.10.2 (authenticatorLargeBlobs: the serialized array ends with the first 16 bytes of its SHA-256; writes in fragments from offset 0 with the total length; on a protected key a token with lbw signs each fragment, CTAP2_ERR_PUAT_REQUIRED without; a wrong hash at the end of a write is CTAP2_ERR_INTEGRITY_FAILURE); ${fidoTest('LargeBlobs-1', 'largeBlobKey')}`,
  covers: ['LargeBlobs-1', 'largeBlobKey'],
  changesKey: { flag: '--destructive', what: 'the large-blob array (shared by every site on the key) written with one more entry, then written back as it was' },
  needs: 'the largeBlobs probe (a key listing largeBlobs; the writes only with --destructive)',
  fix: 'Keep the array with its trailing hash (an empty array is 0x80 and its 16-byte hash); require a token with lbw for writes on a protected key; reassemble fragments in order and store the array only when its trailing hash is right.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'largeBlobs');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (p.initialHashOk === false) problems.push(`the array on the key (${p.initialLength} bytes) does not end with the first 16 bytes of its SHA-256`);
    if (p.withoutToken !== undefined && bare(p.withoutToken) !== 'CTAP2_ERR_PUAT_REQUIRED') problems.push(`a write without a token on a protected key: ${bare(p.withoutToken) === 'OK' ? 'accepted' : bare(p.withoutToken)} (CTAP2_ERR_PUAT_REQUIRED expected)`);
    if (p.badHash !== undefined && bare(p.badHash) !== 'CTAP2_ERR_INTEGRITY_FAILURE') problems.push(`an array with a wrong hash: ${bare(p.badHash) === 'OK' ? 'stored' : bare(p.badHash)} (CTAP2_ERR_INTEGRITY_FAILURE expected)`);
    if (p.write !== undefined && bare(p.write) !== 'OK') problems.push(`writing the array with one more entry in ${p.fragments} fragments: ${bare(p.write)}`);
    else if (p.readBackSame === false) problems.push('the array read back is not the one written');
    if (p.restore !== undefined && bare(p.restore) !== 'OK') problems.push(`writing the original array back: ${bare(p.restore)} (THE KEY'S LARGE-BLOB ARRAY MAY HAVE CHANGED: see the report's key changes)`);
    return verdict(problems, { what: 'authenticatorLargeBlobs does not behave as CTAP 2.1 §6.10 says', expected: 'the hash kept and checked, lbw required, fragments reassembled', ok: p.write !== undefined ? `hash intact; unsigned and wrongly-hashed writes refused; ${p.fragments} fragments written, read back and undone` : `the array (${p.initialLength} bytes) ends with its hash`, evidence: ['ctap:largeBlobs'] });
  },
});
