import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { Config } from './config.ts';
import type { Stores } from './storage/RunStore.ts';
import { storePlugin } from './plugins/store.ts';
import { challengesPlugin } from './plugins/challenges.ts';
import { sessionPlugin } from './plugins/session.ts';
import { accessPlugin } from './plugins/access.ts';
import { accountsPlugin } from './plugins/accounts.ts';
import { accountRoutes } from './routes/accounts.ts';
import { metadataPlugin } from './plugins/metadata.ts';
import { HarnessError, isHarnessError, loadNodeHid, loadPcsc, readTenantProfiles, type PasskeyProfile, type MetadataBlob, type MetadataProvider } from '../../conformance/src/index.ts';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './jsonDepth.ts';
import { findControlCharacter } from './textControl.ts';
import { registrationRoutes } from './routes/registration.ts';
import { authenticationRoutes } from './routes/authentication.ts';
import { credentialRoutes } from './routes/credentials.ts';
import { inspectRoutes } from './routes/inspect.ts';
import { runRoutes } from './routes/runs.ts';
import { usbRunRoutes, type NodeHidLoader, type PcscLoader } from './routes/usbRuns.ts';
import { DEFAULT_ALGORITHMS, SUPPORTED_ALGORITHMS } from './algorithms.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** the clock: everything that needs "now" asks this (tests pin it) */
    now: () => number;
    supportedAlgorithms: number[];
    defaultAlgorithms: number[];
    /** serve --tenant-profile: the tenant's passkey profiles every run report predicts against */
    passkeyProfiles: { profiles: PasskeyProfile[]; source: string } | undefined;
  }
}

export interface AppDeps {
  config: Config;
  /** credential and run stores (default: the SQLite file in the data dir) */
  stores?: Stores;
  now?: () => number;
  logger?: FastifyServerOptions['logger'];
  https?: { cert: string | Buffer; key: string | Buffer };
  /** MDS to use from the start (tests); otherwise the plugin loads the configured or cached BLOB */
  metadata?: MetadataBlob | MetadataProvider;
  /** where a problem found after the start goes (a BLOB that would not load): a plain line (serve prints it) */
  notify?: (line: string) => void;
  /** node-hid for the guided run over USB (default: the optional dependency, loaded on first use) */
  nodeHid?: NodeHidLoader;
  /** PC/SC for keys on NFC readers (tests hand in theirs); default: the optional smartcard binding */
  pcsc?: PcscLoader;
}

/**
 * The page's Content-Security-Policy: only our own script and style files, images from
 * ourselves or data: URIs (authenticator icons), no inline script, no framing.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};
const API_HEADERS = { ...PAGE_HEADERS, 'cache-control': 'no-store' };

const configPlugin = fp(
  async (app: FastifyInstance, o: { config: Config; now: () => number }) => {
    app.decorate('config', o.config);
    app.decorate('now', o.now);
    app.decorate('supportedAlgorithms', SUPPORTED_ALGORITHMS);
    app.decorate('defaultAlgorithms', DEFAULT_ALGORITHMS);
    // a tenant's passkey profiles: read once at start; a bad file stops the server with its problem named
    let profiles: ReturnType<typeof readTenantProfiles>;
    try {
      profiles = readTenantProfiles(o.config.tenantProfile);
    } catch (e) {
      throw e instanceof HarnessError ? new HarnessError('BAD_CONFIG', `--tenant-profile: ${e.message}`) : e;
    }
    app.decorate('passkeyProfiles', profiles);
  },
  { name: 'config' },
);

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.config.bodyLimit,
    // strict JSON: no type coercion, no silent removal of unknown members
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // credential IDs may be 1023 bytes (WebAuthn L3 §6.5.1), 1364 base64url characters
    routerOptions: { maxParamLength: 1400 },
    // errors the router raises before a route runs get the same envelope as ours
    frameworkErrors: (err: FastifyError, _req: unknown, reply: { code(n: number): { send(b: unknown): void } }) => {
      const status = err.statusCode ?? 400;
      const message = status === 414 ? 'a URL parameter is longer than 1400 characters (a credential ID is at most 1023 bytes)' : err.message.slice(0, 300);
      reply.code(status).send({ error: { code: status === 414 ? 'URI_TOO_LONG' : 'BAD_REQUEST', message } });
    },
    // a client that sends its request slowly is answered 408 and cut off instead of holding a socket
    // forever: node checks every connection's deadline each second (its default is every 30 s)
    serverFactory: (handler: http.RequestListener) => {
      const o = { requestTimeout: deps.config.requestTimeoutMs, headersTimeout: deps.config.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, Math.max(50, deps.config.requestTimeoutMs / 4)) };
      return deps.https ? https.createServer({ ...o, ...deps.https }, handler) : http.createServer(o, handler);
    },
  } as FastifyServerOptions);

  // JSON bodies: nesting refused before anything walks it (a 100,000-level body would overflow the stack in
  // JSON.parse or later), then fastify's own parser (prototype keys refused)
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonDepthExceeds(body as string)) {
      const e = new HarnessError('JSON_TOO_DEEP', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels (a WebAuthn response nests about 6)`);
      return done(e, undefined);
    }
    return defaultJson(req, body as string, done);
  });

  await app.register(configPlugin, { config: deps.config, now: deps.now ?? Date.now });
  await app.register(accessPlugin);
  await app.register(storePlugin, { stores: deps.stores });
  await app.register(challengesPlugin);
  await app.register(sessionPlugin);
  await app.register(accountsPlugin);
  await app.register(metadataPlugin, { metadata: deps.metadata, notify: deps.notify });

  // control characters in outside text: 400 naming the member, before any route or store sees it
  app.addHook('preValidation', (req, _reply, done) => {
    const found = findControlCharacter(req.body, 'body') ?? findControlCharacter(req.query, 'query') ?? findControlCharacter(req.params, 'params');
    if (found) return done(new HarnessError('BAD_REQUEST', `${found.where}: the control character U+${found.code.toString(16).toUpperCase().padStart(4, '0')} is not allowed in text`, { status: 400 }));
    done();
  });

  app.addHook('onSend', (req, reply, payload, done) => {
    reply.headers(req.url.startsWith('/api/') ? API_HEADERS : PAGE_HEADERS);
    done(null, payload);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isHarnessError(err)) {
      return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
    }
    if (err.validation) {
      // name the member: "body has no member "usrname"" rather than ajv's "must NOT have additional properties"
      const v = err.validation[0] as { keyword?: string; instancePath?: string; params?: Record<string, unknown> } | undefined;
      const where = `${err.validationContext ?? 'body'}${v?.instancePath ? v.instancePath.replace(/\//g, '.') : ''}`;
      const message = v?.keyword === 'additionalProperties' && typeof v.params?.additionalProperty === 'string'
        ? `${where} has no member ${JSON.stringify(v.params.additionalProperty)}`
        : `${err.validationContext ?? 'body'}${err.message.replace(/^(body|querystring|params)/, '')}`;
      return reply.code(400).send({ error: { code: 'BAD_REQUEST', message } });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = {
        FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
        FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
        FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_JSON',
        FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_JSON',
        FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
      }[err.code] ?? (err instanceof SyntaxError ? 'BAD_JSON' : 'BAD_REQUEST');
      const message = code === 'BODY_TOO_LARGE' ? `request body is larger than the ${deps.config.bodyLimit} byte limit` : err.message;
      return reply.code(status).send({ error: { code, message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error in the harness (this is a bug: please report it with the request that caused it)' } });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });

  await app.register(registrationRoutes);
  await app.register(authenticationRoutes);
  await app.register(credentialRoutes);
  await app.register(runRoutes);
  await app.register(inspectRoutes);
  await app.register(accountRoutes);
  await app.register(usbRunRoutes, { nodeHid: deps.nodeHid ?? loadNodeHid, pcsc: deps.pcsc ?? loadPcsc });

  const dir = deps.config.clientDir;
  if (dir && fs.existsSync(dir)) {
    await app.register(fastifyStatic, { root: dir, index: 'index.html', wildcard: false });
  }
  return app;
}
