import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorResponses } from '../schemas/common.ts';
import { CEREMONY_PLAN, optionsFor, type Account } from '../../../conformance/src/checks/ceremonyPlan.ts';
import type { RunEvidence } from '../../../conformance/src/checks/RunEvidence.ts';
import { evaluateRun, type RunReport } from '../../../conformance/src/checks/evaluateRun.ts';
import { parseAuthenticationResponse, parseRegistrationResponse } from '../../../conformance/src/webauthn/parseResponse.ts';
import { diffReports } from '../../../conformance/src/report/diffReports.ts';
import { attachMetadata } from '../../../conformance/src/checks/attachMetadata.ts';
import { renderJunit } from '../../../conformance/src/report/renderJunit.ts';
import { renderMarkdown } from '../../../conformance/src/report/renderMarkdown.ts';
import { renderHtml } from '../../../conformance/src/report/renderHtml.ts';
import { HarnessError } from '../../../conformance/src/errors/HarnessError.ts';

/** What a run step's challenge carries between options and result. */
export interface RunStepContext {
  ceremony: 'run-step';
  runId: string;
  step: string;
  options: Record<string, any>;
}

const ID = { type: 'string', pattern: '^[0-9a-f-]{36}$' } as const;
const STEP = { type: 'string', enum: CEREMONY_PLAN.map((s) => s.step) } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

/**
 * Guided conformance runs through the page (a person with a physical key, or Playwright with
 * a virtual one): the server hands out each step's options, takes each result, and answers
 * with the report as it stands, so the page can show checks turning pass/fail live. Runs are
 * stored with their evidence; reports are always re-evaluated from it.
 */
export async function runRoutes(app: FastifyInstance) {
  const load = (id: string): RunEvidence => {
    const stored = app.store.getRun(id);
    if (!stored) throw new HarnessError('RUN_UNKNOWN', `no run ${id}: start one with POST /api/runs`, { status: 404 });
    return JSON.parse(stored.evidence) as RunEvidence;
  };
  // the MDS entry as the server knows it now, by the AAGUID the key registered with
  const evaluate = (run: RunEvidence): RunReport => evaluateRun(attachMetadata(run, app.metadata.current()), { at: new Date(app.now()) });
  const save = (run: RunEvidence, report: RunReport, meta: { label: string; firmware: string | null }) => {
    app.store.saveRun({ id: run.id, aaguid: report.aaguid ?? null, label: meta.label, firmware: meta.firmware, via: run.subject.via, startedAt: run.startedAt, verdict: run.finishedAt ? report.verdict : null, evidence: JSON.stringify(run) });
  };

  app.post<{ Body: { label?: string; firmware?: string } }>('/api/runs', {
    schema: {
      body: { type: 'object', additionalProperties: false, properties: { label: { type: 'string', minLength: 1, maxLength: 100 }, firmware: { type: 'string', minLength: 1, maxLength: 64 } } },
      response: { 200: anyObject, ...errorResponses },
    },
  }, async (req) => {
    const label = req.body?.label ?? 'Security key';
    const firmware = req.body?.firmware ?? null;
    const run: RunEvidence = { schemaVersion: 1, id: crypto.randomUUID(), startedAt: new Date(app.now()).toISOString(), subject: { label, via: 'physical', ...(firmware ? { firmware } : {}) }, rpId: app.config.rpId, origin: app.config.origins[0]!, ceremonies: [] };
    save(run, evaluate(run), { label, firmware });
    return { id: run.id, plan: CEREMONY_PLAN.map((s) => ({ step: s.step, kind: s.kind, instruction: s.instruction })) };
  });

  app.post<{ Params: { id: string; step: string } }>('/api/runs/:id/steps/:step/options', {
    schema: { params: { type: 'object', properties: { id: ID, step: STEP } }, response: { 200: anyObject, ...errorResponses } },
  }, async (req) => {
    const run = load(req.params.id);
    const step = CEREMONY_PLAN.find((s) => s.step === req.params.step)!;
    const credentials: Partial<Record<Account, string>> = {};
    for (const s of CEREMONY_PLAN) {
      const c = run.ceremonies.find((x) => x.step === s.step && x.response);
      if (s.kind === 'registration' && c) credentials[s.account!] = c.response!.id;
    }
    const options = optionsFor(step, { id: app.config.rpId, name: app.config.rpName }, credentials);
    app.challenges.issue(options.challenge, req.sessionId, { ceremony: 'run-step', runId: run.id, step: step.step, options });
    return options;
  });

  app.post<{ Params: { id: string; step: string }; Body: { response?: Record<string, any>; error?: { name: string; message: string }; challenge?: string } }>('/api/runs/:id/steps/:step/result', {
    schema: {
      params: { type: 'object', properties: { id: ID, step: STEP } },
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          response: anyObject,
          error: { type: 'object', additionalProperties: false, required: ['name', 'message'], properties: { name: { type: 'string', maxLength: 64 }, message: { type: 'string', maxLength: 1000 } } },
          challenge: { type: 'string', maxLength: 128 },
        },
        oneOf: [{ required: ['response'] }, { required: ['error', 'challenge'] }],
      },
      response: { 200: anyObject, ...errorResponses },
    },
  }, async (req, reply: FastifyReply) => {
    const run = load(req.params.id);
    const step = CEREMONY_PLAN.find((s) => s.step === req.params.step)!;
    let challenge = req.body.challenge;
    if (req.body.response) {
      // a response that does not even parse is bad input, not evidence
      const parsed = step.kind === 'registration' ? parseRegistrationResponse(req.body.response) : parseAuthenticationResponse(req.body.response);
      challenge = parsed.clientData.challenge;
    }
    const taken = app.challenges.take(challenge!, req.sessionId);
    if (!taken.ok) return reply.code(422).send({ error: { code: taken.code, message: taken.message } });
    const ctx = taken.record.context as unknown as RunStepContext;
    if (ctx.ceremony !== 'run-step' || ctx.runId !== run.id || ctx.step !== step.step) {
      return reply.code(422).send({ error: { code: 'CHALLENGE_WRONG_STEP', message: 'this challenge was issued for another run or step' } });
    }
    run.ceremonies = run.ceremonies.filter((c) => c.step !== step.step); // a repeated step replaces its earlier attempt
    run.ceremonies.push({ step: step.step, kind: step.kind, options: ctx.options, ...(req.body.response ? { response: req.body.response } : { error: req.body.error }), at: new Date(app.now()).toISOString() });
    if (CEREMONY_PLAN.every((s) => run.ceremonies.some((c) => c.step === s.step))) run.finishedAt = new Date(app.now()).toISOString();
    const report = evaluate(run);
    const stored = app.store.getRun(run.id)!;
    save(run, report, { label: stored.label, firmware: stored.firmware });
    return report;
  });

  app.get<{ Querystring: { aaguid?: string } }>('/api/runs', {
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { aaguid: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } },
      response: { 200: anyObject, ...errorResponses },
    },
  }, async (req) => ({
    runs: app.store.listRuns(req.query.aaguid).map((r) => ({ id: r.id, label: r.label, firmware: r.firmware, aaguid: r.aaguid, via: r.via, startedAt: r.startedAt, verdict: r.verdict })),
  }));

  app.get<{ Querystring: { a: string; b: string } }>('/api/runs/diff', {
    schema: { querystring: { type: 'object', additionalProperties: false, required: ['a', 'b'], properties: { a: ID, b: ID } }, response: { 200: anyObject, ...errorResponses } },
  }, async (req) => {
    return diffReports(evaluate(load(req.query.a)), evaluate(load(req.query.b)));
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id', {
    schema: { params: { type: 'object', properties: { id: ID } }, response: { 200: anyObject, ...errorResponses } },
  }, async (req) => evaluate(load(req.params.id)));

  app.get<{ Params: { id: string; format: 'json' | 'md' | 'junit' | 'html' } }>('/api/runs/:id/report.:format', {
    schema: { params: { type: 'object', properties: { id: ID, format: { type: 'string', enum: ['json', 'md', 'junit', 'html'] } } } },
  }, async (req, reply) => {
    const r = evaluate(load(req.params.id));
    const f = req.params.format;
    const [type, body] = f === 'json' ? ['application/json', JSON.stringify(r, null, 2)] : f === 'md' ? ['text/markdown; charset=utf-8', renderMarkdown(r)] : f === 'junit' ? ['application/xml', renderJunit(r)] : ['text/html; charset=utf-8', renderHtml(r)];
    const ext = f === 'junit' ? 'xml' : f;
    reply.header('content-type', type).header('content-disposition', `attachment; filename="fido2-harness-${r.run.id}.${ext}"`);
    return body;
  });
}
