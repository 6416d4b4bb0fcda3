import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to localhost:8080 with the matching origin', () => {
    const c = loadConfig([], {}, '/srv');
    expect(c).toMatchObject({ port: 8080, rpId: 'localhost', origins: ['http://localhost:8080'], dataDir: '/srv/data', rpName: 'fido2-harness' });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { PORT: '9000', RP_ID: 'keys.example.com', RP_NAME: 'Vendor lab', ORIGINS: 'https://keys.example.com', DATA_DIR: '/var/lib/fh' };
    expect(loadConfig([], env, '/')).toMatchObject({ port: 9000, rpId: 'keys.example.com', rpName: 'Vendor lab', origins: ['https://keys.example.com'], dataDir: '/var/lib/fh' });
    expect(loadConfig(['--port', '9443', '--origins=https://keys.example.com:9443'], env, '/')).toMatchObject({ port: 9443, origins: ['https://keys.example.com:9443'] });
  });

  it('an https origin by default with TLS', () => {
    expect(loadConfig(['--tls-self-signed', '--rp-id', 'lab.local', '--port', '8443'], {}, '/').origins).toEqual(['https://lab.local:8443']);
  });

  it('refuses configurations that could never work, saying why', () => {
    expect(() => loadConfig(['--port', 'eighty'], {}, '/')).toThrow(/port must be an integer/);
    expect(() => loadConfig(['--rp-id', 'https://example.com'], {}, '/')).toThrow(/domain name/);
    expect(() => loadConfig(['--origins', 'https://evil.example'], {}, '/')).toThrow(/not on the RP ID/);
    expect(() => loadConfig(['--origins', 'http://localhost:8080/path'], {}, '/')).toThrow(/bare origin/);
    expect(() => loadConfig(['--tls-cert', 'a.pem'], {}, '/')).toThrow(/go together/);
    expect(() => loadConfig(['--challenge-ttl', '5'], {}, '/')).toThrow(/TTL/);
    expect(() => loadConfig(['--frobnicate'], {}, '/')).toThrow(/unknown option --frobnicate/);
    expect(() => loadConfig(['--port'], {}, '/')).toThrow(/needs a value/);
  });

  it('the store: SQLite in the data dir by default, or a file, memory, or PostgreSQL (flag, STORE or DATABASE_URL)', () => {
    expect(loadConfig([], {}, '/srv').store).toEqual({ kind: 'sqlite', file: '/srv/data/fido2-harness.sqlite' });
    expect(loadConfig(['--store', 'sqlite:lab/h.sqlite'], {}, '/srv').store).toEqual({ kind: 'sqlite', file: '/srv/lab/h.sqlite' });
    expect(loadConfig(['--store=memory'], {}, '/').store).toEqual({ kind: 'memory' });
    expect(loadConfig([], { DATABASE_URL: 'postgres://fh:pw@db.lab:5432/harness' }, '/').store).toEqual({ kind: 'postgres', url: 'postgres://fh:pw@db.lab:5432/harness' });
    expect(loadConfig(['--store', 'postgresql://db/h'], { DATABASE_URL: 'postgres://other/x' }, '/').store).toEqual({ kind: 'postgres', url: 'postgresql://db/h' });
    expect(() => loadConfig(['--store', 'mysql://root:secret@db/x'], {}, '/')).toThrow(/--store must be sqlite, sqlite:FILE, memory or postgres/);
    // the password is never echoed
    expect(() => loadConfig(['--store', 'mysql://root:secret@db/x'], {}, '/')).not.toThrow(/secret/);
  });

  it('accounts: off on loopback, on beyond it, either way when asked', () => {
    expect(loadConfig([], {}, '/').accounts).toBe(false);
    expect(loadConfig(['--host', '0.0.0.0'], {}, '/').accounts).toBe(true);
    expect(loadConfig(['--host', '0.0.0.0', '--accounts', 'off'], {}, '/').accounts).toBe(false);
    expect(loadConfig([], { ACCOUNTS: 'on' }, '/').accounts).toBe(true);
    expect(() => loadConfig(['--accounts', 'maybe'], {}, '/')).toThrow(/on or off/);
  });
});
