import { fail, pass, skip, type CheckResult } from '../Check.ts';
import type { EvaluationContext } from '../EvaluationContext.ts';
import type { RequestCase } from '../ctap/requestCases.ts';
import { isResult } from './helpers.ts';
import { bare, ctapProbe } from './ctapHelpers.ts';
import { coseAlgorithmLabel } from '../../webauthn/coseAlgorithms.ts';

/**
 * The requests probe's records against what each case must get (the MUST part: refused, processed,
 * or the status an algorithm step names). The exact status of a refusal is CTAP_ERROR_CODES'
 * business (a SHOULD).
 */
export function judgeRequestCases(ctx: EvaluationContext, cases: Record<string, RequestCase>, command: string): CheckResult {
  const p = ctapProbe(ctx, 'requests');
  if (isResult(p)) return p;
  if (!p.cases) return skip('this run has no request-validation records (a run made before this check)');
  const problems: string[] = [];
  let n = 0;
  for (const [id, c] of Object.entries(cases)) {
    const r = p.cases[id];
    if (!r) continue;
    n++;
    const got = bare(r.status);
    if (c.expect === 'refused') {
      if (got === 'OK') problems.push(`${c.what}: processed (refused expected; ${c.clause})`);
      else if (!/^CTAP[12]_ERR_/.test(got)) problems.push(`${c.what}: ${got} (a CTAP error expected; ${c.clause})`);
    } else if (c.expect === 'answered') {
      if (got !== 'OK' && !/^CTAP[12]_ERR_/.test(got)) problems.push(`${c.what}: ${got} (a status expected, either way; ${c.clause})`);
    } else if (c.expect === 'accepted') {
      if (got !== 'OK') problems.push(`${c.what}: ${got} (processed expected; ${c.clause})`);
      else if (id === 'mc.paramsUnsupportedFirst' && r.alg !== undefined && r.alg !== (p.alg ?? -7)) problems.push(`${c.what}: the credential uses algorithm ${coseAlgorithmLabel(r.alg)} (${coseAlgorithmLabel(p.alg ?? -7)}, the first supported, expected)`);
    } else {
      if (got !== c.expect.status) problems.push(`${c.what}: ${got} (${c.expect.status} expected; ${c.clause})`);
      else if (c.expect.status === 'CTAP2_ERR_NO_CREDENTIALS' && r.upNeeded) problems.push(`${c.what}: the key asked for a touch before answering CTAP2_ERR_NO_CREDENTIALS (${c.clause})`);
    }
  }
  if (!n) return skip(`no ${command} request-validation record in this run`);
  return problems.length ? fail(`${command} does not validate its requests as CTAP 2.3 says`, 'malformed requests refused, unusual valid ones processed, the statuses the steps name', problems.join('; '), ['ctap:requests']) : pass(`${n} ${command} requests: malformed ones refused, unusual valid ones processed, named statuses given`, ['ctap:requests']);
}

/** The refusals whose status is not the one §8 asks for (a SHOULD): for CTAP_ERROR_CODES. */
export function requestStatusDeviations(records: Record<string, { status: string }> | undefined, cases: Record<string, RequestCase>): string[] {
  if (!records) return [];
  const out: string[] = [];
  for (const [id, c] of Object.entries(cases)) {
    const r = records[id];
    if (!r || !c.should) continue;
    const got = bare(r.status);
    if (got !== 'OK' && /^CTAP[12]_ERR_/.test(got) && got !== c.should) out.push(`${c.what}: ${got} (${c.should} is what §8 asks)`);
  }
  return out;
}
