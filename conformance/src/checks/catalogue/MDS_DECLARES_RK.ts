import { mdsDeclares } from './helpers.ts';

export const MDS_DECLARES_RK = mdsDeclares(
  'MDS_DECLARES_RK',
  'RESIDENT_KEY',
  'Metadata declares resident keys (options.rk = true)',
  'Set authenticatorGetInfo.options.rk to true; the key must store discoverable credentials.',
);
