import { mdsDeclares } from './helpers.ts';

export const MDS_DECLARES_UV_OR_CLIENT_PIN = mdsDeclares(
  'MDS_DECLARES_UV_OR_CLIENT_PIN',
  'UV_OR_CLIENT_PIN',
  'Metadata declares user verification or client PIN',
  'Declare clientPin (and uv for built-in biometrics) in authenticatorGetInfo.options, matching what the key reports.',
);
