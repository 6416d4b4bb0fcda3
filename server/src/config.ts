import path from 'node:path';
import { HarnessError, parseCommandArgs } from '../../conformance/src/index.ts';

export interface Config {
  host: string;
  port: number;
  rpId: string;
  rpName: string;
  /** exact origins accepted in clientData.origin */
  origins: string[];
  dataDir: string;
  /** how long an issued challenge stays valid */
  challengeTtlMs: number;
  /** largest accepted request body */
  bodyLimit: number;
  tls?: { cert: string; key: string } | { selfSigned: true };
  /** serve the built client from this folder (absent: API only) */
  clientDir?: string;
  /** MDS BLOB file or URL; absent: the cached official BLOB when there is one */
  mds?: string;
  /** PEM root the MDS BLOB must chain to (test and private MDS servers) */
  mdsRoot?: string;
  /** where downloaded MDS BLOBs are cached */
  mdsCacheDir?: string;
  /** vendors' draft metadata statements, each the MDS entry of its AAGUID (before the key is in MDS) */
  statements?: string[];
  /** a tenant's Entra passkey profiles, read at start (Microsoft Graph JSON) */
  tenantProfile?: string;
  /** the whole request (headers and body) must arrive within this time */
  requestTimeoutMs: number;
  /** required on every request when the server listens beyond loopback (generated at start when not given) */
  token?: string;
  /** the origins were not given: they follow the port the server is bound to (PORT=0) */
  originsDefaulted: boolean;
  /** where credentials, runs (and, for PostgreSQL, challenges) live */
  store: { kind: 'sqlite'; file: string } | { kind: 'memory' } | { kind: 'postgres'; url: string };
  /** people sign in to the harness; runs and credentials belong to their team */
  accounts: boolean;
}

/** Interfaces that only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

const FLAGS: Record<string, { env: string; key: keyof Config | 'tlsCert' | 'tlsKey' | 'tlsSelfSigned'; bool?: boolean; arg?: string; help: string }> = {
  '--host': { env: 'HOST', key: 'host', arg: 'NAME', help: 'interface to listen on (default localhost; 0.0.0.0 for other machines)' },
  '--port': { env: 'PORT', key: 'port', arg: 'N', help: 'port (default 8080; 0 picks a free one)' },
  '--rp-id': { env: 'RP_ID', key: 'rpId', arg: 'DOMAIN', help: 'relying party ID: the page\'s host or a parent domain (default localhost)' },
  '--rp-name': { env: 'RP_NAME', key: 'rpName', arg: 'TEXT', help: 'relying party name shown by the browser (default fido2-harness)' },
  '--origins': { env: 'ORIGINS', key: 'origins', arg: 'URL,URL', help: 'exact origins accepted in clientDataJSON (default: this server\'s own)' },
  '--data-dir': { env: 'DATA_DIR', key: 'dataDir', arg: 'DIR', help: 'where the SQLite database lives (default ./data)' },
  '--challenge-ttl': { env: 'CHALLENGE_TTL_MS', key: 'challengeTtlMs', arg: 'MS', help: 'how long a challenge stays valid (default 300000)' },
  '--tls-cert': { env: 'TLS_CERT', key: 'tlsCert', arg: 'PEM', help: 'serve HTTPS with this certificate (with --tls-key)' },
  '--tls-key': { env: 'TLS_KEY', key: 'tlsKey', arg: 'PEM', help: 'its private key' },
  '--tls-self-signed': { env: 'TLS_SELF_SIGNED', key: 'tlsSelfSigned', bool: true, help: 'serve HTTPS with a P-256 certificate generated for the RP ID (kept in the data dir)' },
  '--mds': { env: 'MDS', key: 'mds', arg: 'FILE|URL', help: 'MDS BLOB to load at start, off the request path (default: the cached official one, if any)' },
  '--mds-root': { env: 'MDS_ROOT', key: 'mdsRoot', arg: 'PEM', help: 'root that BLOB must chain to (default: the FIDO MDS GlobalSign roots)' },
  '--mds-cache-dir': { env: 'FIDO2_HARNESS_CACHE', key: 'mdsCacheDir', arg: 'DIR', help: 'MDS cache (default ~/.cache/fido2-harness/mds)' },
  '--statements': { env: 'STATEMENTS', key: 'statements', arg: 'FILE,FILE', help: 'draft metadata statements (JSON), each used as the MDS entry of its AAGUID: a key not in MDS yet' },
  '--tenant-profile': { env: 'TENANT_PROFILE', key: 'tenantProfile', arg: 'FILE', help: 'a tenant\'s Entra passkey profiles (Microsoft Graph JSON): every run report predicts, per profile, registration and sign-in acceptance' },
  '--token': { env: 'FIDO2_HARNESS_TOKEN', key: 'token', arg: 'TEXT', help: 'access token required off loopback (default: generated at start and printed in the URL)' },
  '--store': { env: 'STORE', key: 'store', arg: 'sqlite|memory|URL', help: 'where credentials and runs live: sqlite (the file in the data dir, default), sqlite:FILE, memory, or postgres://… (also DATABASE_URL): several instances can share one PostgreSQL' },
  '--accounts': { env: 'ACCOUNTS', key: 'accounts', arg: 'on|off', help: 'people sign in to the harness with a passkey; runs and credentials belong to their team (default off on loopback, on beyond it)' },
  '--request-timeout': { env: 'REQUEST_TIMEOUT_MS', key: 'requestTimeoutMs', arg: 'MS', help: 'a request (headers and body) must arrive within this time (default 30000)' },
};

/** every serve flag with its environment variable (docs/configuration.md lists each) */
export const CONFIG_FLAGS = Object.entries(FLAGS).map(([flag, d]) => ({ flag, env: d.env }));

export const CONFIG_HELP = Object.entries(FLAGS)
  .map(([flag, d]) => `  ${`${flag}${d.bool ? '' : ` ${d.arg}`}`.padEnd(27)} ${d.help}  [env ${d.env}]`)
  .join('\n');

/**
 * Configuration from environment, overridden by command-line flags. Every value is
 * validated here so a typo stops the start with a message instead of a half-working server.
 */
export function loadConfig(argv: string[], env: Record<string, string | undefined>, cwd: string): Config {
  const raw: Record<string, string> = {};
  for (const [, d] of Object.entries(FLAGS)) {
    const v = env[d.env];
    if (v !== undefined && v !== '') raw[d.key] = v;
  }
  // flags through the same strict parser as every other command (--flag value, --flag=value)
  const byOption = Object.fromEntries(Object.entries(FLAGS).map(([flag, d]) => [flag.slice(2), { type: d.bool ? 'boolean' : 'string' } as const]));
  const { values, positionals } = parseCommandArgs(argv, byOption, `options are:\n${CONFIG_HELP}`);
  if (positionals.length) throw new HarnessError('BAD_USAGE', `serve takes no arguments, only options (got ${JSON.stringify(positionals[0])}); options are:\n${CONFIG_HELP}`);
  for (const [flag, d] of Object.entries(FLAGS)) {
    const v = (values as Record<string, string | boolean | undefined>)[flag.slice(2)];
    if (v !== undefined) raw[d.key] = String(v);
  }
  const port = raw.port === undefined ? 8080 : Number(raw.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HarnessError('BAD_CONFIG', `port must be an integer 0-65535, got ${raw.port}`);
  const rpId = (raw.rpId ?? 'localhost').toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(rpId)) {
    throw new HarnessError('BAD_CONFIG', `RP ID must be a domain name (no scheme, port or path), got ${JSON.stringify(raw.rpId)}`);
  }
  // WebAuthn L3 §5.1.3 / HTML: an RP ID is a registrable domain suffix, never an IP address
  if (/^\d+(\.\d+){3}$/.test(rpId) || /^\d+$/.test(rpId)) throw new HarnessError('BAD_CONFIG', `RP ID ${JSON.stringify(raw.rpId)} is an IP address: WebAuthn needs a domain name (localhost, or a name that resolves to this machine)`);
  let tls: Config['tls'];
  if (raw.tlsCert || raw.tlsKey) {
    if (!raw.tlsCert || !raw.tlsKey) throw new HarnessError('BAD_CONFIG', '--tls-cert and --tls-key go together');
    tls = { cert: path.resolve(cwd, raw.tlsCert), key: path.resolve(cwd, raw.tlsKey) };
  } else if (raw.tlsSelfSigned === 'true' || raw.tlsSelfSigned === '1') {
    tls = { selfSigned: true };
  }
  const scheme = tls ? 'https' : 'http';
  const defaultPort = tls ? 443 : 80;
  const origins = raw.origins
    ? raw.origins.split(',').map((o) => o.trim()).filter(Boolean)
    : [`${scheme}://${rpId}${port === defaultPort ? '' : `:${port}`}`];
  for (const o of origins) {
    let u: URL;
    try {
      u = new URL(o);
    } catch {
      throw new HarnessError('BAD_CONFIG', `origin ${JSON.stringify(o)} is not a URL like https://example.com:8443`);
    }
    if (u.origin !== o) throw new HarnessError('BAD_CONFIG', `origin ${JSON.stringify(o)} must be a bare origin (scheme://host[:port]), e.g. ${u.origin}`);
    if (u.hostname !== rpId && !u.hostname.endsWith(`.${rpId}`)) {
      throw new HarnessError('BAD_CONFIG', `origin ${o} is not on the RP ID ${rpId} or a subdomain of it (WebAuthn L3 §5.1.3 would refuse it)`);
    }
  }
  const requestTimeoutMs = raw.requestTimeoutMs === undefined ? 30_000 : Number(raw.requestTimeoutMs);
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 100 || requestTimeoutMs > 3_600_000) throw new HarnessError('BAD_CONFIG', `request timeout must be an integer number of milliseconds 100-3600000, got ${raw.requestTimeoutMs}`);
  if (raw.token !== undefined && !/^[\x21-\x7e]{16,256}$/.test(raw.token)) throw new HarnessError('BAD_CONFIG', 'the access token must be 16-256 printable ASCII characters without spaces');
  const dataDir = path.resolve(cwd, raw.dataDir ?? 'data');
  const storeSpec = raw.store ?? env.DATABASE_URL ?? 'sqlite';
  let store: Config['store'];
  if (storeSpec === 'sqlite') store = { kind: 'sqlite', file: path.join(dataDir, 'fido2-harness.sqlite') };
  else if (storeSpec.startsWith('sqlite:') && storeSpec.length > 7) store = { kind: 'sqlite', file: path.resolve(cwd, storeSpec.slice(7)) };
  else if (storeSpec === 'memory') store = { kind: 'memory' };
  else if (/^postgres(ql)?:\/\/[^\s]+$/i.test(storeSpec)) {
    try {
      new URL(storeSpec);
    } catch {
      throw new HarnessError('BAD_CONFIG', 'the store URL is not a URL like postgres://user:password@host:5432/database');
    }
    store = { kind: 'postgres', url: storeSpec };
  } else throw new HarnessError('BAD_CONFIG', `--store must be sqlite, sqlite:FILE, memory or postgres://user@host/database, got ${JSON.stringify(storeSpec.replace(/:[^:@/]*@/, ':***@'))}`);
  const host = raw.host ?? 'localhost';
  if (raw.accounts !== undefined && !['on', 'off', 'true', 'false', '1', '0'].includes(raw.accounts)) throw new HarnessError('BAD_CONFIG', `--accounts must be on or off, got ${JSON.stringify(raw.accounts)}`);
  const accounts = raw.accounts === undefined ? !isLoopbackHost(host) : ['on', 'true', '1'].includes(raw.accounts);
  const challengeTtlMs = raw.challengeTtlMs === undefined ? 300_000 : Number(raw.challengeTtlMs);
  if (!Number.isInteger(challengeTtlMs) || challengeTtlMs < 1000) throw new HarnessError('BAD_CONFIG', `challenge TTL must be an integer number of milliseconds >= 1000, got ${raw.challengeTtlMs}`);
  return {
    host,
    port,
    rpId,
    rpName: raw.rpName ?? 'fido2-harness',
    origins,
    dataDir,
    challengeTtlMs,
    bodyLimit: 256 * 1024,
    tls,
    mds: raw.mds && !/^https?:\/\//i.test(raw.mds) ? path.resolve(cwd, raw.mds) : raw.mds,
    mdsRoot: raw.mdsRoot ? path.resolve(cwd, raw.mdsRoot) : undefined,
    mdsCacheDir: raw.mdsCacheDir ? path.resolve(cwd, raw.mdsCacheDir) : undefined,
    statements: raw.statements ? raw.statements.split(',').map((f) => f.trim()).filter(Boolean).map((f) => path.resolve(cwd, f)) : undefined,
    tenantProfile: raw.tenantProfile ? path.resolve(cwd, raw.tenantProfile) : undefined,
    requestTimeoutMs,
    token: raw.token,
    originsDefaulted: !raw.origins,
    store,
    accounts,
  };
}
