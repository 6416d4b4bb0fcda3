import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/testServer.ts';
import { ApiSession } from './helpers/ApiSession.ts';
import { loadConfig } from '../server/src/config.ts';
import { HarnessError } from '../conformance/src/index.ts';
import { harnessAsync, startHarness } from './helpers/harnessProcess.ts';
import { SoftAuthenticator } from '../conformance/src/emulation/SoftAuthenticator.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the hostile-input and newcomer reviews found in the server, each held as a test. */
let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('the server refuses before anything walks or waits', () => {
  it('deeply nested JSON: 400 JSON_TOO_DEEP from the body parser, on every route; a "[" inside a string does not count', async () => {
    s = await startTestServer();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const url of ['/api/registration/options', '/api/registration/verify', '/api/authentication/verify', '/api/runs', '/api/usb/runs']) {
      const r = await s.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: `{"a":${deep}}` });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().error.code, url).toBe('JSON_TOO_DEEP');
    }
    const ok = await s.app.inject({ method: 'POST', url: '/api/registration/options', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: `${'['.repeat(50)}x` }) });
    expect(ok.statusCode, ok.body).toBe(200);
    const proto = await s.app.inject({ method: 'POST', url: '/api/registration/options', headers: { 'content-type': 'application/json' }, payload: '{"username":"x","__proto__":{"admin":true}}' });
    expect(proto.statusCode).toBe(400);
  });

  it('a client sending its request slowly is cut off (408) after the request timeout', async () => {
    s = await startTestServer({ listen: true, flags: ['--request-timeout', '600'] });
    const port = new URL(s.origin).port;
    const answer = await new Promise<string>((resolve) => {
      const sock = net.connect(Number(port), '127.0.0.1', () => {
        sock.write(`POST /api/registration/options HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user`);
      });
      let got = '';
      sock.on('data', (d) => (got += d));
      sock.on('close', () => resolve(got));
      setTimeout(() => sock.destroy(), 10_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    // a request line beyond node's 16 KB header limit never reaches the app
    const long = await fetch(`${s.origin}/${'a'.repeat(70_000)}`).then((r) => r.status);
    expect(long).toBe(431);
  });
});

describe('control characters in outside text', () => {
  it('NUL and other control characters: 400 naming the member on every route, before any store (PostgreSQL cannot hold U+0000)', async () => {
    const srv = await startTestServer();
    s = srv;
    const post = (url: string, payload: unknown) => srv.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
    const cases: [Promise<{ statusCode: number; json(): { error: { code: string; message: string } } }>, RegExp][] = [
      [post('/api/registration/options', { username: 'ali\u0000ce' }), /^body\.username: the control character U\+0000/],
      [post('/api/registration/options', { username: 'alice', displayName: 'Alice\u001b[31m' }), /^body\.displayName: the control character U\+001B/],
      [post('/api/runs', { label: 'key\u0000', firmware: '1.0' }), /^body\.label: the control character U\+0000/],
      [srv.app.inject({ method: 'GET', url: '/api/credentials?username=a%00b' }), /^query\.username: the control character U\+0000/],
      [post('/api/authentication/options', { username: 'x', 'we\u0000ird': 1 }), /^body \(a member name\): the control character U\+0000/],
    ];
    for (const [p, msg] of cases) {
      const r = await p;
      expect([r.statusCode, r.json().error.code], r.json().error.message).toEqual([400, 'BAD_REQUEST']);
      expect(r.json().error.message).toMatch(msg);
    }
    // tab and line breaks are text: a name with a tab is judged by the route as before, not refused here
    const tab = await post('/api/registration/options', { username: 'tab\tname' });
    expect(tab.json().error?.message ?? '').not.toMatch(/control character/);
  });
});

describe('who may talk to the server', () => {
  it('on loopback: only the configured host names (no DNS rebinding)', async () => {
    s = await startTestServer();
    const evil = await s.app.inject({ method: 'GET', url: '/api/config', headers: { host: 'attacker.example:8080' } });
    expect(evil.statusCode).toBe(421);
    expect(evil.json().error).toMatchObject({ code: 'HOST_NOT_ALLOWED', message: expect.stringMatching(/answers only for localhost/) });
    for (const host of ['evil.localhost.example', 'localhost.attacker.example', '127.0.0.1.nip.io']) {
      expect((await s.app.inject({ method: 'GET', url: '/api/config', headers: { host } })).statusCode, host).toBe(421);
    }
    // *.localhost resolves to this machine in every browser (RFC 6761), and a later origin counts
    s.config.origins.push('http://lab.test:8080');
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'LOCALHOST', 'a.localhost:8080', 'lab.test:8080']) {
      expect((await s.app.inject({ method: 'GET', url: '/api/config', headers: { host } })).statusCode, host).toBe(200);
    }
  });

  it('beyond loopback: every request needs the token (URL, then cookie; or a bearer header)', async () => {
    const token = 'lab-token-0123456789abcdef';
    // the token layer alone (accounts, on by default off loopback, are tested in accounts.test.ts)
    s = await startTestServer({ flags: ['--host', '0.0.0.0', '--token', token, '--accounts', 'off'] });
    const none = await s.app.inject({ method: 'GET', url: '/api/config', headers: { host: 'lab.example:8080' } });
    expect([none.statusCode, none.json().error.code]).toEqual([401, 'TOKEN_REQUIRED']);
    const wrong = await s.app.inject({ method: 'GET', url: '/api/config?token=lab-token-XXXXXXXXXXXXXXXX' });
    expect(wrong.statusCode).toBe(401);
    const first = await s.app.inject({ method: 'GET', url: `/api/config?token=${token}` });
    expect(first.statusCode).toBe(200);
    const cookie = first.cookies.find((c) => c.name === 'fh_token');
    expect(cookie).toMatchObject({ value: token, httpOnly: true, sameSite: 'Strict' });
    expect((await s.app.inject({ method: 'GET', url: '/api/config', headers: { cookie: `fh_token=${token}` } })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'GET', url: '/api/credentials', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    const del = await s.app.inject({ method: 'DELETE', url: '/api/credentials/AAAA' });
    expect(del.statusCode).toBe(401);
  });

  it('serve off loopback makes a token and prints it in the URL; on loopback it prints none', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-token-'));
    try {
      const lab = await startHarness(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dir], /listening on (http:\/\/localhost:(\d+)\/\?token=([A-Za-z0-9_-]{32}))/);
      try {
        const [, , port, token] = lab.match;
        expect((await fetch(`http://127.0.0.1:${port}/api/config`)).status).toBe(401);
        expect((await fetch(`http://127.0.0.1:${port}/api/config`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      } finally {
        await lab.stop();
      }
      const local = await startHarness(['serve', '--port', '0', '--data-dir', dir], /listening on (http:\/\/localhost:(\d+)\/)\n/);
      await local.stop();
      expect(local.output()).not.toMatch(/token=/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('at LOG_LEVEL=debug no log line carries the token, an invite code, a cookie or a bearer header', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-logs-'));
    try {
      const lab = await startHarness(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dir], /listening on (http:\/\/localhost:(\d+)\/\?token=([A-Za-z0-9_-]{32}))/, { env: { LOG_LEVEL: 'debug' } });
      try {
        const [, , port, token] = lab.match;
        const invite = 'INVITE0123456789abcdefghij';
        await fetch(`http://127.0.0.1:${port}/?token=${token}`);
        await fetch(`http://127.0.0.1:${port}/no/such/route?token=${token}&invite=${invite}`);
        await fetch(`http://127.0.0.1:${port}/account.html?invite=${invite}`, { headers: { cookie: `fh_token=${token}; fh_session=${invite}` } });
        await fetch(`http://127.0.0.1:${port}/api/config`, { headers: { authorization: `Bearer ${token}` } });
        await new Promise((r) => setTimeout(r, 300));
        const out = lab.output();
        // the URL printed at start is the one place the token belongs (stdout, for the person who started it)
        const logLines = out.split('\n').filter((l) => l.startsWith('{'));
        expect(logLines.length).toBeGreaterThan(4);
        for (const l of logLines) {
          expect(l).not.toContain(token);
          expect(l).not.toContain(invite);
        }
        expect(logLines.join('\n')).toMatch(/token=\[redacted\]/);
      } finally {
        await lab.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('cookieless options requests from one address cannot evict another client\'s pending challenge', async () => {
    s = await startTestServer();
    const alice = new ApiSession(s.app);
    const opts = (await alice.post('/api/registration/options', { username: 'alice' })).json();
    for (let i = 0; i < 300; i++) await s.app.inject({ method: 'POST', url: '/api/authentication/options', headers: { 'content-type': 'application/json' }, payload: '{}', remoteAddress: '192.0.2.66' });
    expect((s.app.challenges as unknown as { size: number }).size).toBeGreaterThan(300);
    const key = new SoftAuthenticator();
    const res = await alice.post('/api/registration/verify', await key.create(opts, s.origin));
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('races', () => {
  it('500 parallel first registrations of one username: one 200, 499 × 409 USERNAME_TAKEN, never a 500', async () => {
    s = await startTestServer();
    const sessions = Array.from({ length: 500 }, () => new ApiSession(s!.app));
    const options = await Promise.all(sessions.map((a) => a.post('/api/registration/options', { username: 'race@example.com' }).then((r) => r.json())));
    const keys = sessions.map(() => new SoftAuthenticator());
    const responses = await Promise.all(keys.map((k, i) => k.create(options[i], s!.origin)));
    const results = await Promise.all(sessions.map((a, i) => a.post('/api/registration/verify', responses[i])));
    const codes = results.map((r) => `${r.statusCode} ${r.statusCode === 200 ? '' : r.json().error.code}`.trim());
    expect(codes.filter((c) => c === '200')).toHaveLength(1);
    expect(codes.filter((c) => c === '409 USERNAME_TAKEN')).toHaveLength(499);
    expect(results.find((r) => r.statusCode === 409)!.json().error.message).toMatch(/taken|another/i);
    expect(await s.store.listCredentials()).toHaveLength(1);
  }, 120_000);
});

describe('configuration', () => {
  it('PORT=0: the accepted origin is the port actually bound, so ceremonies work', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-port0-'));
    const srv = await startHarness(['serve', '--port', '0', '--data-dir', dir], /listening on http:\/\/localhost:(\d+)\/[\s\S]*accepted origins (\S+);/);
    try {
      expect(srv.match[2]).toBe(`http://localhost:${srv.match[1]}`);
    } finally {
      await srv.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('serve --rp-id example.com on loopback says where it is bound and that the pages need an origin on example.com', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-rpid-'));
    try {
      const srv = await startHarness(['serve', '--rp-id', 'example.com', '--port', '0', '--data-dir', dir], /bound to localhost:(\d+) on this machine: open http:\/\/example\.com:(\d+)\/ through a name or reverse proxy/);
      try {
        expect(srv.match[1]).toBe(srv.match[2]);
        expect((await fetch(`http://127.0.0.1:${srv.match[1]}/api/config`, { headers: { host: 'example.com' } })).status).toBe(200);
      } finally {
        await srv.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('--mds naming a file that is not there stops the start (exit 2) with a plain sentence', async () => {
    const r = await harnessAsync(['serve', '--port', '0', '--mds', '/missing.jwt']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot read the MDS BLOB \/missing\.jwt: ENOENT/);
    expect(r.stderr).not.toMatch(/^\{/m);
  });

  it('an unknown member in a request body is named', async () => {
    s = await startTestServer();
    const r = await s.app.inject({ method: 'POST', url: '/api/runs', headers: { 'content-type': 'application/json' }, payload: '{"label":"x","lable":"y"}' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toBe('body has no member "lable"');
  });

  it('an IP address as RP ID is refused, as the README says', async () => {
    for (const id of ['127.0.0.1', '192.168.1.10', '1']) {
      expect(() => loadConfig(['--rp-id', id], {}, '/')).toThrow(HarnessError);
      expect(() => loadConfig(['--rp-id', id], {}, '/')).toThrow(/is an IP address: WebAuthn needs a domain name/);
    }
    const r = await harnessAsync(['serve', '--rp-id', '127.0.0.1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is an IP address/);
  });
});

describe('stopping the server through npm', () => {
  it('SIGTERM to `npm run serve` stops the server too (no process left on the port)', async () => {
    const { spawn } = await import('node:child_process');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-npm-stop-'));
    const npm = spawn('npm', ['run', '-s', 'serve', '--', '--port', '0', '--data-dir', dir], { env: { ...process.env, npm_config_update_notifier: 'false' } });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        npm.stdout.on('data', (d) => {
          out += d;
          const m = /listening on http:\/\/localhost:(\d+)\//.exec(out);
          if (m) resolve(Number(m[1]));
        });
        npm.once('exit', (c) => reject(new Error(`npm exited ${c}: ${out}`)));
        setTimeout(() => reject(new Error(`no start: ${out}`)), 30_000);
      });
      expect((await fetch(`http://localhost:${port}/api/config`)).status).toBe(200);
      npm.kill('SIGTERM');
      await new Promise((r) => npm.once('exit', r));
      const deadline = Date.now() + 5000;
      let up = true;
      while (up && Date.now() < deadline) {
        up = await fetch(`http://localhost:${port}/api/config`).then(() => true, () => false);
        if (up) await new Promise((r) => setTimeout(r, 200));
      }
      expect(up, 'the server still answers after npm was stopped').toBe(false);
    } finally {
      npm.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
