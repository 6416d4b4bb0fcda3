import { defineCheck } from '../Check.ts';
import { judgeRequestCases } from './requestJudging.ts';
import { CTAP23, fidoTest } from './ctapHelpers.ts';
import { MAKE_CREDENTIAL_CASES } from '../ctap/requestCases.ts';

export const CTAP_MC_REQUEST = defineCheck({
  id: 'CTAP_MC_REQUEST',
  title: 'makeCredential refuses malformed requests and processes valid unusual ones (unknown options, unsupported algorithms first)',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP23} §6.1 (authenticatorMakeCredential parameters and their types), §6.1.2 steps 3 (pubKeyCredParams), 5 (options: unknown ones ignored, "up" false refused), 12 (excludeList); ${fidoTest('Authr-MakeCred-Req-1 to Req-6')}`,
  covers: ['Authr-MakeCred-Req-1', 'Authr-MakeCred-Req-2', 'Authr-MakeCred-Req-3', 'Authr-MakeCred-Req-4', 'Authr-MakeCred-Req-5', 'Authr-MakeCred-Req-6'],
  needs: 'the requests probe (29 makeCredential requests, four of them processed and touched)',
  fix: 'Read every makeCredential member with its type: refuse a request missing a required member or carrying one of the wrong type, an element of pubKeyCredParams or excludeList that is malformed, and up = false (CTAP2_ERR_INVALID_OPTION); answer CTAP2_ERR_UNSUPPORTED_ALGORITHM when no listed algorithm is supported; pass over elements of unknown types and options you do not know.',
  evaluate: (ctx) => judgeRequestCases(ctx, MAKE_CREDENTIAL_CASES, 'makeCredential'),
});
