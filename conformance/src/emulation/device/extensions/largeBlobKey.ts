import crypto from 'node:crypto';
import { CTAP_STATUS as S } from '../../../ctap/status.ts';
import { refuse } from '../params.ts';
import type { DeviceExtension } from './DeviceExtension.ts';

/**
 * largeBlobKey (CTAP 2.1 §12.3): a discoverable credential gets a 32-byte key the platform seals
 * its blob with in the authenticatorLargeBlobs array. Only `true` is a valid input, and only with
 * rk (CTAP2_ERR_INVALID_OPTION otherwise); the key travels in the response (0x05 / 0x07), not in
 * the authenticator data.
 */
export const largeBlobKey: DeviceExtension = {
  name: 'largeBlobKey',
  supported: (f) => f.largeBlob === 'command',
  makeCredential(_d, input, x) {
    if (input !== true) refuse(S.CTAP2_ERR_INVALID_OPTION);
    if (!x.rk) refuse(S.CTAP2_ERR_INVALID_OPTION);
    x.cred.largeBlobKey = new Uint8Array(crypto.randomBytes(32));
    x.response.set(0x05, x.cred.largeBlobKey);
  },
  getAssertion(_d, input, x) {
    if (input !== true) refuse(S.CTAP2_ERR_INVALID_OPTION);
    if (x.cred.largeBlobKey) x.response.set(0x07, x.cred.largeBlobKey);
  },
};
