import { loggerOptions } from './logging.ts';
import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { buildApp } from './app.ts';
import { isLoopbackHost, type Config } from './config.ts';
import { selfSignedCertificate } from './tls.ts';
import { packagePath } from '../../conformance/src/index.ts';

/** the built page (vite build writes it there; the package ships it) */
export const clientDist = () => packagePath('dist', 'client');

/** Start the harness: the only place that listens. Returns a stop function. */
export async function startServer(config: Config, log: (line: string) => void = console.log) {
  // beyond loopback every request needs the access token: one is made for this run unless given
  // beyond loopback every request needs the access token; with accounts on, the first admin registers
  // with it: one is made for this run unless given
  if ((!isLoopbackHost(config.host) || config.accounts) && !config.token) config = { ...config, token: crypto.randomBytes(24).toString('base64url') };
  let https: { cert: string | Buffer; key: string | Buffer } | undefined;
  if (config.tls && 'cert' in config.tls) {
    https = { cert: fs.readFileSync(config.tls.cert), key: fs.readFileSync(config.tls.key) };
  } else if (config.tls) {
    https = await selfSignedCertificate(config.rpId, config.dataDir);
  }
  const clientDir = config.clientDir ?? clientDist();
  if (!fs.existsSync(path.join(clientDir, 'index.html'))) {
    log(`note: no built page in ${clientDir} (run "npm run build"); serving the API only`);
  }
  const app = await buildApp({ config: { ...config, clientDir }, https, logger: loggerOptions(process.env.LOG_LEVEL ?? 'warn'), notify: (line) => log(`warning: ${line}`) });
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  // PORT=0: the default origin is the port actually bound, or every ceremony would fail
  if (config.port === 0 && config.originsDefaulted) app.config.origins.splice(0, app.config.origins.length, `${https ? 'https' : 'http'}://${config.rpId}${port === (https ? 443 : 80) ? '' : `:${port}`}`);
  const base = `${https ? 'https' : 'http'}://${config.rpId}:${port}/`;
  const url = `${base}${config.token && !isLoopbackHost(config.host) ? `?token=${config.token}` : ''}`;
  log(`fido2-harness listening on ${url}`);
  // an RP ID the bound host does not answer for (serve --rp-id example.com on loopback): the URL
  // above is where the pages must be opened from; say where the server itself is bound
  if (isLoopbackHost(config.host) && config.rpId !== 'localhost') log(`  bound to ${config.host}:${port} on this machine: open ${base} through a name or reverse proxy that reaches it (the pages only work from an origin on ${config.rpId}); see docs/team.md`);
  const reach = isLoopbackHost(config.host) ? '' : '; reachable beyond this machine: every request needs the token in that URL';
  log(`  RP ID ${config.rpId}; accepted origins ${app.config.origins.join(', ')}; store ${app.stores.describe ?? config.dataDir}${config.accounts ? '; accounts on: people sign in to the harness' : ''}${reach}`);
  if (config.accounts && !(await app.stores.accounts.hasAccounts())) log(`  accounts on and none made yet: the first admin registers a passkey at ${base}account.html?token=${config.token}`);
  return { app, url, port, stop: () => app.close() };
}
