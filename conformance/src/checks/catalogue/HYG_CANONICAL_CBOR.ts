import { defineCheck } from '../Check.ts';
import { everyResponse } from './helpers.ts';

export const HYG_CANONICAL_CBOR = defineCheck({
  id: 'HYG_CANONICAL_CBOR',
  title: 'Responses use CTAP2 canonical CBOR',
  area: 'hygiene',
  severity: 'recommended',
  source: 'CTAP 2.1 §8 (CTAP2 canonical CBOR encoding form)',
  covers: ['Authr-MakeCred-Resp-1', 'Authr-GetAssertion-Resp-1'],
  needs: 'every ceremony',
  fix: 'Encode maps with keys sorted length-first then bytewise, integers and lengths in their shortest form, no indefinite lengths: many RPs (this harness\'s server among them) refuse anything else.',
  evaluate: (ctx) => everyResponse(ctx, {
    broken: (v) => v.parsed.nonCanonical[0],
    what: 'non-canonical CBOR',
    expected: 'canonical CBOR everywhere',
    ok: (n) => `${n} responses canonical`,
  }),
});
