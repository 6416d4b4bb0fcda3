import { mdsDeclares } from './helpers.ts';

export const MDS_DECLARES_FIDO_2_0 = mdsDeclares(
  'MDS_DECLARES_FIDO_2_0',
  'FIDO_2_0_OR_HIGHER',
  'Metadata declares FIDO 2.0 or higher (authenticatorGetInfo.versions)',
  'List FIDO_2_0 (and FIDO_2_1 when supported) in authenticatorGetInfo.versions of the statement, as the key reports them.',
);
