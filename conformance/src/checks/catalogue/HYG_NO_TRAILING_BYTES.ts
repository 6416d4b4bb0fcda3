import { defineCheck } from '../Check.ts';
import { everyResponse } from './helpers.ts';

export const HYG_NO_TRAILING_BYTES = defineCheck({
  id: 'HYG_NO_TRAILING_BYTES',
  title: 'Nothing after the attestation object or the authenticator data\'s last item',
  area: 'hygiene',
  severity: 'required',
  source: 'WebAuthn L3 §6.1 (authenticator data: its fields, nothing more), §6.5.1; CTAP 2.1 §8 (one CBOR item per field)',
  needs: 'every ceremony',
  fix: 'Emit the authenticator data exactly as the flags describe it (set ED only with an extensions map, nothing after it) and the attestation object as one CBOR map: relying parties refuse leftover bytes (this harness\'s server, @simplewebauthn/server "Leftover bytes detected"), so such a key cannot register.',
  evaluate: (ctx) => everyResponse(ctx, {
    broken: (v) => v.parsed.trailing[0],
    what: 'bytes after the last item',
    expected: 'every response exactly as long as its items',
    ok: (n) => `${n} responses end where their items end`,
  }),
});
