import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses, createRunBody, createRunResponse, planResponse, stepResultBody, runListResponse, type CreateRunRequest, type StepResultRequest } from '../schemas/api.ts';
import {
  CEREMONY_PLAN, STEP_NAMES, userIdFor, newRun, stepOptions, recordStep, evaluateRun, parseAuthenticationResponse, parseRegistrationResponse, diffReports, attachMetadata,
  REPORT_FORMATS, renderReports, HarnessError, formatAaguid, toBase64url, type RunEvidence, type RunReport, type StepName, type ReportFormat,
} from '../../../conformance/src/index.ts';

/** What a run step's challenge carries between options and result. */
export interface RunStepContext {
  ceremony: 'run-step';
  runId: string;
  step: StepName;
  options: Record<string, any>;
}

const ID = { type: 'string', pattern: '^[0-9a-f-]{36}$' } as const;
const STEP = { type: 'string', enum: STEP_NAMES } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
/** report downloads: every format of the table except the terminal's */
const DOWNLOADS = (Object.keys(REPORT_FORMATS) as ReportFormat[]).filter((f) => f !== 'text');

/**
 * Guided conformance runs through the page (a person with a physical key, or Playwright with
 * a virtual one): the server hands out each step's options, takes each result, and answers
 * with the report as it stands, so the page can show checks turning pass/fail live. Runs are
 * stored with their evidence; reports are always re-evaluated from it. The plan and its
 * bookkeeping (options from earlier steps, recording a result) are the library's runPlan
 * helpers, the same ones every other driver uses.
 */
/** A run-list cursor (base64url JSON [startedAt, id]) as the list wrote it; anything else is a 400 naming it. */
function readCursor(cursor: string): { startedAt: string; id: string } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string' || v[0].length > 64 || v[1].length > 128) {
    throw new HarnessError('BAD_REQUEST', 'cursor is not one this list gave out: pass the "next" of the previous page as it came', { status: 400 });
  }
  return { startedAt: v[0], id: v[1] };
}

/** the largest step result a run takes (a TPM or Android statement with its chain is well under 16 KB) */
export const STEP_RESULT_LIMIT = 64 * 1024;
/** how many of a key model's latest runs its history shows */
const HISTORY_RUNS = 30;

export async function runRoutes(app: FastifyInstance) {
  // another team's run is, to this person, no run at all
  const load = async (id: string, req: FastifyRequest) => {
    const found = await app.runs.getRun(id);
    const stored = found && app.teams.canSee(req, found.team) ? found : undefined;
    if (!stored) throw new HarnessError('RUN_UNKNOWN', `no run ${id}: start one with POST /api/runs`, { status: 404 });
    return stored;
  };
  // the MDS entry as the server knows it now, by the AAGUID the key registered with
  const evaluate = (run: RunEvidence): RunReport => evaluateRun(attachMetadata(run, app.metadata.current()), { at: new Date(app.now()), passkeyProfiles: app.passkeyProfiles });
  const save = async (run: RunEvidence, report: RunReport, meta: { label: string; firmware: string | null; team: string | null }) => {
    await app.runs.saveRun({ id: run.id, aaguid: report.aaguid ?? null, label: meta.label, firmware: meta.firmware, via: run.subject.via, startedAt: run.startedAt, verdict: run.finishedAt ? report.verdict : null, evidence: run, team: meta.team });
  };
  const rp = () => ({ id: app.config.rpId, name: app.config.rpName });
  /**
   * Whether an answer came from a key other than the one this run began with: a registration with
   * another AAGUID, or a sign-in with a credential this run did not register (a harness account
   * passkey named as such). Undefined when it is the same key, or nothing is known yet.
   */
  const anotherKey = async (run: RunEvidence, answer: { aaguid?: Uint8Array; credentialId?: string }): Promise<string | undefined> => {
    const regs = run.ceremonies.filter((c) => c.kind === 'registration' && c.response).flatMap((c) => {
      try {
        return [parseRegistrationResponse(c.response!, { lenient: true }).authData.attestedCredentialData].filter((x) => x !== undefined);
      } catch {
        return [];
      }
    });
    if (!regs.length) return undefined;
    if (answer.aaguid) {
      const first = formatAaguid(regs[0]!.aaguid);
      const now = formatAaguid(answer.aaguid);
      return now === first ? undefined : `this run began with a key of AAGUID ${first}, and this answer came from AAGUID ${now}: another key model. Use the key the run began with, or start a new run for this one (nothing was recorded)`;
    }
    if (answer.credentialId && !regs.some((r) => toBase64url(r.credentialId) === answer.credentialId)) {
      const own = app.config.accounts ? await app.stores.accounts.getPasskey(answer.credentialId) : undefined;
      return own ? 'the browser signed in with your own harness passkey, not with the key under test: do the step again and pick the key under test in the browser\'s chooser (nothing was recorded)' : `this sign-in used a credential this run did not register (another key, or the key was reset since): use the key the run began with, or start a new run (nothing was recorded)`;
    }
    return undefined;
  };

  const plan = () => CEREMONY_PLAN.map((s) => ({ step: s.step, kind: s.kind, instruction: s.instruction }));
  // the guided plan on its own: a page resuming a run it did not start (another tab, a reload) needs it
  app.get('/api/plan', { schema: { response: { 200: planResponse, ...errorResponses } } }, async () => ({ plan: plan() }));

  app.post<{ Body: CreateRunRequest }>('/api/runs', {
    schema: { body: createRunBody, response: { 200: createRunResponse, ...errorResponses } },
  }, async (req) => {
    const label = req.body?.label ?? 'Security key';
    const firmware = req.body?.firmware ?? null;
    const run = newRun({ rp: rp(), origin: app.config.origins[0]!, subject: { label, via: 'physical', ...(firmware ? { firmware } : {}) }, now: () => new Date(app.now()) });
    await save(run, evaluate(run), { label, firmware, team: app.teams.owner(req) });
    return { id: run.id, plan: plan() };
  });

  app.post<{ Params: { id: string; step: StepName } }>('/api/runs/:id/steps/:step/options', {
    schema: { params: { type: 'object', properties: { id: ID, step: STEP } }, response: { 200: anyObject, ...errorResponses } },
  }, async (req) => {
    const { evidence: run } = await load(req.params.id, req);
    const step = CEREMONY_PLAN.find((s) => s.step === req.params.step)!;
    const options = stepOptions(run, step, rp());
    await app.challenges.issue(options.challenge, req.sessionId, { ceremony: 'run-step', runId: run.id, step: step.step, options }, req.ip);
    return options;
  });

  app.post<{ Params: { id: string; step: StepName }; Body: StepResultRequest }>('/api/runs/:id/steps/:step/result', {
    // one step's result: a key's answer with its certificate chain is a few KB; padding beyond
    // this would only make every later read of the run slower. Refused once the body is read (the
    // server's own limit stops anything larger before): an answer before it would close the
    // connection under a keep-alive client's next request
    preValidation: (req, reply, done) => {
      const size = Number(req.headers['content-length'] ?? JSON.stringify(req.body ?? '').length);
      if (size > STEP_RESULT_LIMIT) {
        reply.code(413).send({ error: { code: 'BODY_TOO_LARGE', message: `request body is larger than the ${STEP_RESULT_LIMIT} byte limit of this route` } });
        return;
      }
      done();
    },
    schema: {
      params: { type: 'object', properties: { id: ID, step: STEP } },
      body: stepResultBody,
      response: { 200: anyObject, ...errorResponses },
    },
  }, async (req, reply: FastifyReply) => {
    const stored = await load(req.params.id, req);
    const run = stored.evidence;
    const step = CEREMONY_PLAN.find((s) => s.step === req.params.step)!;
    let challenge = req.body.challenge;
    let keyChanged: string | undefined;
    if (req.body.response) {
      // a response that does not even parse is bad input, not evidence
      const parsed = step.kind === 'registration' ? parseRegistrationResponse(req.body.response) : parseAuthenticationResponse(req.body.response);
      challenge = parsed.clientData.challenge;
      keyChanged = await anotherKey(run, step.kind === 'registration' ? { aaguid: (parsed as ReturnType<typeof parseRegistrationResponse>).authData.attestedCredentialData?.aaguid } : { credentialId: toBase64url(parsed.rawId) });
    }
    const taken = await app.challenges.take(challenge!, req.sessionId);
    if (!taken.ok) return reply.code(422).send({ error: { code: taken.code, message: taken.message } });
    const ctx = taken.record.context as unknown as RunStepContext;
    if (ctx.ceremony !== 'run-step' || ctx.runId !== run.id || ctx.step !== step.step) {
      return reply.code(422).send({ error: { code: 'CHALLENGE_WRONG_STEP', message: 'this challenge was issued for another run or step' } });
    }
    // a resumed run answered by another key (or a passkey of the person's own): not this key's
    // firmware failing, so not recorded; said as what it is
    if (keyChanged) return reply.code(422).send({ error: { code: 'KEY_CHANGED', message: keyChanged } });
    // a discoverable sign-in answered with the other account: the person picked the wrong one in the
    // browser's account chooser; that is not the key's fault, so the step is not recorded: do it again
    if (step.account && req.body.response) {
      const handle = req.body.response.response?.userHandle;
      const wanted = userIdFor(step.account);
      const other = CEREMONY_PLAN.find((p) => p.kind === 'registration' && p.account && p.account !== step.account && userIdFor(p.account) === handle);
      if (typeof handle === 'string' && handle !== wanted && other) {
        return reply.code(422).send({ error: { code: 'WRONG_ACCOUNT_PICKED', message: `the account chooser picked account ${other.account}; this step wants account ${step.account} (account-${step.account}): do the step again and pick account-${step.account}` } });
      }
    }
    // recorded on the run as stored now, under the store's lock: a result posted at the same time
    // for another step of this run is not lost (the run read above may already be stale)
    let report: RunReport | undefined;
    const result = req.body.response ? { response: req.body.response } : { error: req.body.error! };
    const written = await app.runs.updateRun(run.id, (current) => {
      recordStep(current.evidence, step, ctx.options, result, new Date(app.now()));
      report = evaluate(current.evidence);
      return { ...current, aaguid: report.aaguid ?? null, verdict: current.evidence.finishedAt ? report.verdict : null };
    });
    if (!written || !report) throw new HarnessError('RUN_UNKNOWN', `no run ${run.id}: it was deleted while this step was recorded`, { status: 404 });
    return report;
  });

  // one page of the runs this person may see, newest first; `next` (when there are more) asks for the page after
  app.get<{ Querystring: { aaguid?: string; limit?: string; cursor?: string } }>('/api/runs', {
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { aaguid: { type: 'string', pattern: '^[0-9a-f-]{36}$' }, limit: { type: 'string', pattern: '^(500|[1-4][0-9]{2}|[1-9][0-9]?)$' }, cursor: { type: 'string', maxLength: 400 } } },
      response: { 200: runListResponse, ...errorResponses },
    },
  }, async (req) => {
    // a query string is text: the page size as digits, 1-500
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    const after = req.query.cursor === undefined ? undefined : readCursor(req.query.cursor);
    // one more than asked: whether there is a next page, without counting
    const rows = await app.runs.listRuns({ aaguid: req.query.aaguid, team: app.teams.listedTeam(req), after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      runs: page.map((r) => ({ id: r.id, label: r.label, firmware: r.firmware, aaguid: r.aaguid, via: r.via, startedAt: r.startedAt, verdict: r.verdict })),
      ...(rows.length > limit && last ? { next: Buffer.from(JSON.stringify([last.startedAt, last.id])).toString('base64url') } : {}),
    };
  });

  // one key model's history: its latest runs (oldest first), every check's outcome in each, and the
  // regressions between consecutive runs (what changed from one firmware version to the next)
  app.get<{ Querystring: { aaguid: string } }>('/api/history', {
    schema: { querystring: { type: 'object', additionalProperties: false, required: ['aaguid'], properties: { aaguid: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } } }, response: { 200: anyObject, ...errorResponses } },
  }, async (req) => {
    const summaries = (await app.runs.listRuns({ aaguid: req.query.aaguid, team: app.teams.listedTeam(req), limit: HISTORY_RUNS })).reverse();
    const reports = (await Promise.all(summaries.map(async (s) => (await app.runs.getRun(s.id))))).filter((r) => r !== undefined).map((r) => evaluate(r.evidence));
    const ids = [...new Set(reports.flatMap((r) => r.outcomes.map((o) => o.id)))];
    const cell = (r: RunReport, id: string) => {
      const o = r.outcomes.find((x) => x.id === id);
      return !o ? 'absent' : o.pending ? 'pending' : o.notApplicable ? 'n/a' : o.status;
    };
    const regressions = reports.slice(1).flatMap((b, i) => diffReports(reports[i]!, b).changed.filter((c) => c.change === 'regressed').map((c) => ({ check: c.id, from: i, to: i + 1 })));
    return {
      aaguid: req.query.aaguid,
      runs: reports.map((r) => ({ id: r.run.id, label: r.run.subject.label, firmware: r.run.subject.firmware ?? null, startedAt: r.run.startedAt, finished: !!r.run.finishedAt, verdict: r.verdict })),
      checks: ids.map((id) => {
        const o = reports.map((r) => r.outcomes.find((x) => x.id === id)).find((x) => x)!;
        return { id, title: o.title, severity: o.severity, outcomes: reports.map((r) => cell(r, id)) };
      }),
      regressions,
    };
  });

  app.get<{ Querystring: { a: string; b: string } }>('/api/runs/diff', {
    schema: { querystring: { type: 'object', additionalProperties: false, required: ['a', 'b'], properties: { a: ID, b: ID } }, response: { 200: anyObject, ...errorResponses } },
  }, async (req) => diffReports(evaluate((await load(req.query.a, req)).evidence), evaluate((await load(req.query.b, req)).evidence)));

  app.get<{ Params: { id: string } }>('/api/runs/:id', {
    schema: { params: { type: 'object', properties: { id: ID } }, response: { 200: anyObject, ...errorResponses } },
  }, async (req) => evaluate((await load(req.params.id, req)).evidence));

  app.delete<{ Params: { id: string } }>('/api/runs/:id', {
    schema: { params: { type: 'object', properties: { id: ID } }, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (req, reply) => {
    const stored = await load(req.params.id, req);
    if (await app.runs.deleteRun(stored.id)) {
      await app.stores.accounts.recordDeletion({ kind: 'run', objectId: stored.id, label: `${stored.label}${stored.firmware ? ` firmware ${stored.firmware}` : ''}`, team: stored.team ?? null, ...app.teams.actor(req), at: app.now() });
    }
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string; format: Exclude<ReportFormat, 'text'> } }>('/api/runs/:id/report.:format', {
    schema: { params: { type: 'object', properties: { id: ID, format: { type: 'string', enum: DOWNLOADS } } } },
  }, async (req, reply) => {
    const r = evaluate((await load(req.params.id, req)).evidence);
    const f = REPORT_FORMATS[req.params.format];
    reply.header('content-type', f.contentType).header('content-disposition', `attachment; filename="fido2-harness-${r.run.id}.${f.ext}"`);
    return renderReports([r], req.params.format, { wrap: false });
  });
}
