import { defineCheck, notApplicable, pass, fail } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, ctapInfo } from './ctapHelpers.ts';

export const CTAP_WIN_PIN_PROTOCOL_2 = defineCheck({
  id: 'CTAP_WIN_PIN_PROTOCOL_2',
  title: 'PIN/UV auth protocol 2 supported and listed first',
  area: 'ctap',
  // CTAP makes the order a preference, not a rule: a warning
  severity: 'recommended',
  source: `${CTAP21} §6.4 (pinUvAuthProtocols: "in order of decreasing authenticator preference"), §6.5.7 (PIN/UV auth protocol two: HMAC-SHA-256 and AES-256-CBC with a fresh IV, the FIPS-approved protocol); platforms, Windows among them, use the first protocol the key lists that they support`,
  needs: 'the key\'s authenticatorGetInfo',
  fix: 'Support PIN/UV auth protocol 2 and list it first in getInfo pinUvAuthProtocols (protocol 1 after it, for older platforms).',
  evaluate(ctx) {
    const info = ctapInfo(ctx);
    if (isResult(info)) return info;
    if (info.options.clientPin === undefined && info.options.pinUvAuthToken !== true) return notApplicable('the key has neither a client PIN nor pinUvAuthToken');
    const list = info.pinUvAuthProtocols;
    if (list[0] === 2) return pass(`pinUvAuthProtocols [${list.join(', ')}]: protocol 2 first`, ['ctap:getInfo']);
    return fail(list.includes(2) ? 'protocol 2 is supported but not the key\'s first preference' : 'the key does not support PIN/UV auth protocol 2', 'pinUvAuthProtocols starting with 2', `[${list.join(', ')}]`, ['ctap:getInfo']);
  },
});
