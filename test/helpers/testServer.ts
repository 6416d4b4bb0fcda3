import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import { loadConfig, type Config } from '../../server/src/config.ts';
import { openSqliteStores } from '../../server/src/storage/SqliteStores.ts';
import type { CredentialStore } from '../../server/src/storage/CredentialStore.ts';
import type { Stores } from '../../server/src/storage/RunStore.ts';
import { clientDist } from '../../server/src/server.ts';
import type { MetadataBlob, MetadataProvider, NodeHidApi } from '../../conformance/src/index.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface TestServer {
  app: FastifyInstance;
  config: Config;
  /** the server's credential store (its SQLite file) */
  store: CredentialStore;
  stores: Stores;
  dataDir: string;
  origin: string;
  /** the clock the server reads; tests move it */
  clock: { now: number };
  close(): Promise<void>;
}

/**
 * A real server on a real SQLite file in a temp dir (or on the stores given). `listen: false` for app.inject tests;
 * true for the browser. The clock starts at the wall time and only moves when a test says.
 */
export async function startTestServer(o: { listen?: boolean; flags?: string[]; clock?: { now: number }; metadata?: MetadataBlob | MetadataProvider; nodeHid?: () => Promise<NodeHidApi>; stores?: Stores } = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-test-'));
  const port = o.listen ? await freePort() : 8080;
  // an empty MDS cache: tests never pick up a BLOB this machine happens to have cached
  const config = { ...loadConfig(['--port', String(port), '--data-dir', dataDir, '--mds-cache-dir', path.join(dataDir, 'no-mds-cache'), ...(o.flags ?? [])], {}, process.cwd()), clientDir: clientDist() };
  // the SQLite file by default; the stores given (PostgreSQL) instead, closed with the server
  const stores = o.stores ?? openSqliteStores(path.join(dataDir, 'fido2-harness.sqlite'));
  const clock = o.clock ?? { now: Date.now() };
  const app = await buildApp({ config, stores, now: () => clock.now, metadata: o.metadata, nodeHid: o.nodeHid });
  if (o.listen) await app.listen({ host: 'localhost', port });
  else await app.ready();
  return {
    app,
    config,
    store: stores.credentials,
    stores,
    dataDir,
    origin: config.origins[0]!,
    clock,
    async close() {
      await app.close();
      await stores.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
