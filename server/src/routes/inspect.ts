import type { FastifyInstance } from 'fastify';
import { inspectInput } from '../../../conformance/src/index.ts';
import { errorResponses } from '../schemas/api.ts';

const anyObject = { type: 'object', additionalProperties: true } as const;

/**
 * POST /api/inspect: a captured response, as `fido2-harness inspect` takes it (a response alone,
 * or wrapped with its expectedChallenge, expectedOrigin, expectedRPID, captureTime…), judged with
 * the metadata this server has loaded. Nothing is stored and no challenge is used: it is the
 * page's "open a captured response". Bad input is a 400 naming what is wrong.
 */
export async function inspectRoutes(app: FastifyInstance) {
  app.post('/api/inspect', { schema: { body: { type: 'object' }, response: { 200: anyObject, ...errorResponses } } }, async (req) => inspectInput(req.body, { mds: app.metadata.current(), now: () => new Date(app.now()) }));
}
