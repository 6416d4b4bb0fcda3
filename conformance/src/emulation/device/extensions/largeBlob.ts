import { CTAP_STATUS as S } from '../../../ctap/status.ts';
import { refuse, type Params } from '../params.ts';
import type { DeviceExtension } from './DeviceExtension.ts';

export const LARGE_BLOB_FAULTS = {
  largeBlobExtensionLosesBlob: 'the largeBlob extension answers written: true but keeps nothing (CTAP 2.3 §12.4)',
} as const;

/** The most a credential's blob may hold here (the key's storage for the CTAP 2.3 largeBlob extension). */
export const LARGE_BLOB_EXTENSION_MAX = 1024;

/**
 * largeBlob (CTAP 2.3 §12.4): the alternative to authenticatorLargeBlobs, for keys that take the
 * whole blob inside getAssertion (a key supports one or the other, never both). makeCredential
 * `{support}` for a discoverable credential answers `{supported: true}`; getAssertion `{read:
 * true}` answers `{blob}`, `{write, originalSize}` with an allowList answers `{written}`; the
 * outputs are unsigned extension outputs. Reading and writing at once is refused.
 */
export const largeBlob: DeviceExtension = {
  name: 'largeBlob',
  supported: (f) => f.largeBlob === 'extension',
  makeCredential(_d, input, x) {
    if (!(input instanceof Map)) refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    const support = (input as Params).get('support');
    if (typeof support !== 'string') refuse(S.CTAP2_ERR_MISSING_PARAMETER);
    if (!x.rk) {
      if (support === 'required') refuse(S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL);
      return;
    }
    x.unsigned.set('largeBlob', { supported: true });
  },
  getAssertion(d, input, x) {
    if (!(input instanceof Map)) refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    const m = input as Params;
    const read = m.get('read');
    const write = m.get('write');
    const originalSize = m.get('originalSize');
    if (read !== undefined && read !== true) refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    if (read === true && write !== undefined) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    if (read === true) {
      x.unsigned.set('largeBlob', x.cred.largeBlob ? { blob: x.cred.largeBlob.data } : {});
      return;
    }
    if (write === undefined) refuse(S.CTAP2_ERR_MISSING_PARAMETER);
    if (!(write instanceof Uint8Array) || typeof originalSize !== 'number') refuse(originalSize === undefined ? S.CTAP2_ERR_MISSING_PARAMETER : S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    if (!x.allowListUsed || !x.cred.discoverable) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    if ((write as Uint8Array).length > LARGE_BLOB_EXTENSION_MAX) refuse(S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL);
    if (!d.faults.largeBlobExtensionLosesBlob) x.cred.largeBlob = { data: write as Uint8Array, originalSize: originalSize as number };
    d.changed();
    x.unsigned.set('largeBlob', { written: true });
  },
};
