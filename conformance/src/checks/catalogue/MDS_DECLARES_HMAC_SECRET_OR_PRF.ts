import { mdsDeclares } from './helpers.ts';

export const MDS_DECLARES_HMAC_SECRET_OR_PRF = mdsDeclares(
  'MDS_DECLARES_HMAC_SECRET_OR_PRF',
  'HMAC_SECRET_OR_PRF',
  'Metadata declares the hmac-secret (or PRF) extension',
  'Add hmac-secret to authenticatorGetInfo.extensions and implement it (CTAP 2.1 §12.5).',
);
