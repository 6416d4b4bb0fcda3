import type { DeviceExtension } from './DeviceExtension.ts';

export const CRED_BLOB_FAULTS = {
  credBlobTooLongAccepted: 'a credBlob longer than maxCredBlobLength stored and reported as stored',
} as const;

/**
 * credBlob (CTAP 2.1 §12.2): up to maxCredBlobLength bytes kept with the credential; the output
 * says whether they were (false when too long). getAssertion with `credBlob: true` returns them
 * (an empty byte string when there are none).
 */
export const credBlob: DeviceExtension = {
  name: 'credBlob',
  supported: (f) => f.credBlob,
  makeCredential(d, input, x) {
    if (!(input instanceof Uint8Array)) return;
    const fits = input.length <= d.f.maxCredBlobLength || !!d.faults.credBlobTooLongAccepted;
    if (fits) x.cred.credBlob = input;
    x.signed.set('credBlob', fits);
  },
  getAssertion(_d, input, x) {
    if (input !== true) return;
    x.signed.set('credBlob', x.cred.credBlob ?? new Uint8Array());
  },
};
