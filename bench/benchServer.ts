import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sizeThreadPool } from '../server/src/threadPool.ts';

// as `fido2-harness serve` does, before anything uses the pool (the server's modules do as they load)
sizeThreadPool();
const { buildApp } = await import('../server/src/app.ts');
const { loadConfig } = await import('../server/src/config.ts');

/**
 * The RP server for the route benchmark, in a process of its own (fresh heap, its own core):
 * a temp data dir (or the store URL given, e.g. a PostgreSQL database several of these share), port 0;
 * prints "port N"; stops when its stdin closes.
 */
const store = process.argv[2];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-bench-'));
const config = loadConfig(['--port', '0', '--data-dir', dataDir, ...(store ? ['--store', store] : [])], {}, process.cwd());
const app = await buildApp({ config });
// the HTTP floor: a no-op JSON route on the same server (same hooks, same body parser, same session
// cookie), loaded by the same generator with the same bodies: what the HTTP stack itself allows
app.post('/api/bench-noop', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as { port: number };
// the origin the load generator will use
config.origins.splice(0, config.origins.length, `http://localhost:${port}`);
process.stdout.write(`port ${port}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
