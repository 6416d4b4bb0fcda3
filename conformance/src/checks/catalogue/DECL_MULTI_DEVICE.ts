import { defineCheck } from '../Check.ts';
import { registrationMetadataFinding } from './helpers.ts';

export const DECL_MULTI_DEVICE = defineCheck({
  id: 'DECL_MULTI_DEVICE',
  title: 'Multi-device credentials as the metadata declares them (MDS 3.1 multiDeviceCredentialSupport against the BE flag)',
  area: 'declared-vs-observed',
  needsMetadata: true,
  severity: 'recommended',
  source: 'FIDO Metadata Statement 3.1 §4 (multiDeviceCredentialSupport: unsupported, the default when absent; explicit; implicit); WebAuthn L3 §6.1.3 (the BE flag)',
  covers: ['Metadata-Stmt-1'],
  needs: 'the MDS entry and a registration',
  fix: 'Declare multiDeviceCredentialSupport as the key behaves: "unsupported" (or omit it) for a security key whose credentials never leave it (BE=0), "explicit" when BE tells per credential, "implicit" only when every credential is synced.',
  evaluate(ctx) {
    return registrationMetadataFinding(ctx, 'MDS_MULTI_DEVICE', 'the registration did not show its BE flag');
  },
});
