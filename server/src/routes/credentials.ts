import { COSE_ALG_NAMES } from '../../../conformance/src/index.ts';
import type { FastifyInstance } from 'fastify';
import { credentialListResponse, configResponse, errorResponses } from '../schemas/api.ts';
import { presentCredential } from './present.ts';

export async function credentialRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { username?: string } }>('/api/credentials', {
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { username: { type: 'string', minLength: 1, maxLength: 64 } } },
      response: { 200: credentialListResponse, ...errorResponses },
    },
  }, async (req) => {
    const user = req.query.username === undefined ? undefined : await app.credentials.getUserByName(req.query.username);
    if (req.query.username !== undefined && (!user || !app.teams.canSee(req, user.team))) return { credentials: [] };
    const at = new Date(app.now());
    return { credentials: (await app.credentials.listCredentials(user?.id)).filter((c) => app.teams.canSee(req, c.team)).map((c) => presentCredential(c, c.username ?? '', app.metadata.summary(c.aaguid, at))) };
  });

  app.get<{ Params: { id: string } }>('/api/credentials/:id/counter-regressions', {
    schema: {
      params: { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,1400}$' } } },
      response: {
        200: { type: 'object', properties: { regressions: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
        ...errorResponses,
      },
    },
  }, async (req, reply) => {
    const c = await app.credentials.getCredential(req.params.id);
    // a deleted credential's history went with it: nobody reads it through an ID any more
    if (!c || !app.teams.canSee(req, c.team)) return reply.code(404).send({ error: { code: 'CREDENTIAL_UNKNOWN', message: `no credential ${req.params.id}` } });
    return { regressions: (await app.credentials.listCounterRegressions(req.params.id)).map((r) => ({ ...r, at: new Date(r.at).toISOString() })) };
  });

  app.delete<{ Params: { id: string } }>('/api/credentials/:id', {
    schema: {
      params: { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,1400}$' } } },
      response: { 204: { type: 'null' }, ...errorResponses },
    },
  }, async (req, reply) => {
    const c = await app.credentials.getCredential(req.params.id);
    if (!c || !app.teams.canSee(req, c.team) || !(await app.credentials.deleteCredential(req.params.id))) {
      return reply.code(404).send({ error: { code: 'CREDENTIAL_UNKNOWN', message: `no credential ${req.params.id}` } });
    }
    app.keyCache.forget(req.params.id);
    await app.stores.accounts.recordDeletion({ kind: 'credential', objectId: c.id, label: c.username ?? '', team: c.team ?? null, ...app.teams.actor(req), at: app.now() });
    return reply.code(204).send();
  });

  app.get('/api/config', {
    schema: {
      response: { 200: configResponse },
    },
  }, async () => ({
    rpId: app.config.rpId,
    rpName: app.config.rpName,
    origins: app.config.origins,
    challengeTtlMs: app.config.challengeTtlMs,
    algorithms: app.supportedAlgorithms,
    defaultAlgorithms: app.defaultAlgorithms,
    algorithmNames: COSE_ALG_NAMES,
    mds: mdsState(),
  }));
  // stale: past the BLOB's nextUpdate by the server's clock (the page warns in its header)
  const mdsState = () => {
    const blob = app.metadata.current()?.blob;
    const due = blob?.nextUpdate ? Date.parse(blob.nextUpdate) : Number.NaN;
    return { state: app.metadata.state, note: app.metadata.note, no: blob?.no, nextUpdate: blob?.nextUpdate, ...(blob ? { stale: Number.isFinite(due) && app.now() > due } : {}), drafts: app.metadata.draftNote() };
  };
}
