import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from './helpers/testServer.ts';
import { startHarness } from './helpers/harnessProcess.ts';

const BIN = path.resolve('bin/fido2-harness.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });

/** a process's libuv thread-pool threads, by their names in /proc (Linux) */
const libuvThreads = (pid: number) => fs.readdirSync(`/proc/${pid}/task`).filter((t) => fs.readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim() === 'libuv-worker').length;

describe('fido2-harness CLI', { timeout: 120_000 }, () => {
  it('help and usage errors', () => {
    const help = run(['help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('serve');
    expect(help.stdout).toContain('report diff');
    const none = run([]);
    expect(none.status).toBe(2);
    const unknown = run(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const serveHelp = run(['serve', '--help']);
    expect(serveHelp.status).toBe(0);
    expect(serveHelp.stdout).toContain('--rp-id');
  });

  it('mistakes a new user makes are named: a command typo, two kinds of key, a report format we do not write; a CI log lists what failed', () => {
    const typo = run(['chek']);
    expect([typo.status, typo.stderr.split('\n')[0]]).toEqual([2, 'fido2-harness: unknown command "chek" (did you mean "check"?)']);
    expect(run(['inspcet']).stderr).toMatch(/did you mean "inspect"\?/);
    expect(run(['help']).stdout).toMatch(/report merge <shard\.json>/);
    const both = run(['check', '--emulate', 'fixtures/example-compliant-profile.json', '--virtual']);
    expect([both.status, both.stderr]).toEqual([2, expect.stringMatching(/check takes one of --emulate <profile\.json>, --ctap or --virtual, not --emulate and --virtual/)]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-out-'));
    try {
      const pdf = run(['check', '--emulate', 'fixtures/example-compliant-profile.json', '--out', path.join(dir, 'report.pdf')]);
      expect([pdf.status, pdf.stderr]).toEqual([2, expect.stringMatching(/--out .*report\.pdf: the extension says a format fido2-harness does not write/)]);
      expect(fs.existsSync(path.join(dir, 'report.pdf'))).toBe(false);
      const failed = run(['check', '--emulate', 'fixtures/example-faulty-profile.json', '--out', path.join(dir, 'r.json')]);
      expect(failed.status).toBe(1);
      expect(failed.stdout).toMatch(/^FAIL: report written to .*r\.json; failing: [A-Z_]+(, [A-Z_]+)*\n$/);
      const baseline = run(['report', 'diff', path.join(dir, 'baseline.json'), path.join(dir, 'r.json'), '--baseline-missing', 'ok']);
      expect([baseline.status, baseline.stdout]).toEqual([0, expect.stringMatching(/^no baseline yet: .*baseline\.json does not exist/)]);
      expect(run(['report', 'diff', path.join(dir, 'baseline.json'), path.join(dir, 'r.json')]).status).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('check --virtual with no Chromium: exit 2 within seconds naming what to install (the origin server it started is closed)', () => {
    const started = Date.now();
    const r = run(['check', '--virtual', '--profile', 'no-rk'], { CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/Chromium not found at \/nonexistent\/chromium: install it \(Debian\/Ubuntu: sudo apt-get install chromium/);
  });

  it('catalogue prints the checks and the FIDO coverage as docs/checks.md carries them, JSON too; bad options exit 2', () => {
    const docs = fs.readFileSync('docs/checks.md', 'utf8');
    const block = (m: string) => docs.slice(docs.indexOf(`<!-- ${m}:start -->`) + `<!-- ${m}:start -->`.length, docs.indexOf(`<!-- ${m}:end -->`)).trim();
    const md = run(['catalogue']);
    expect(md.status, md.stderr).toBe(0);
    expect(md.stdout.trim()).toBe(block('catalogue'));
    const cov = run(['catalogue', '--coverage']);
    expect(cov.stdout.trim()).toBe(block('coverage'));
    const json = JSON.parse(run(['catalogue', '--format', 'json']).stdout) as { checks: { id: string; source: string; evaluate?: unknown }[] };
    expect(json.checks.length).toBe(block('catalogue').split('\n').length - 2);
    expect(json.checks.every((c) => c.source.length > 10 && c.evaluate === undefined)).toBe(true);
    const rows = (JSON.parse(run(['catalogue', '--coverage', '--format', 'json']).stdout) as { coverage: { script: string; checks: string[]; notCovered?: string }[] }).coverage;
    expect(rows.find((r) => r.script === 'HID-1')!.checks).toContain('CTAP_HID_INIT');
    expect(rows.filter((r) => !r.checks.length).every((r) => r.notCovered && r.notCovered.length > 20)).toBe(true);
    for (const args of [['catalogue', '--format', 'xml'], ['catalogue', 'extra'], ['catalogue', '--bogus']]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/format is md or json|unexpected argument extra|unknown option --bogus/);
    }
  });

  it('serve refuses bad configuration with exit 2 and says what to fix', () => {
    for (const [args, msg] of [
      [['--port', 'x'], /port must be an integer/],
      [['--rp-id', 'http://x'], /domain name/],
      [['--bogus'], /unknown option --bogus/],
      [['--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key', '--port', '0'], /ENOENT|tls-cert/],
      [['--statements', '/nonexistent/draft.json', '--port', '0'], /cannot read statement \/nonexistent\/draft\.json: ENOENT/],
      [['--statements', 'package.json', '--port', '0'], /BAD_STATEMENT: .*package\.json: a draft statement needs the key's AAGUID/],
      // a database that is not there: the start stops naming it, without the password
      [['--store', 'postgres://fh:secret@127.0.0.1:1/lab', '--port', '0'], /STORE_UNREACHABLE: cannot open the store at PostgreSQL 127\.0\.0\.1:1\/lab: connect ECONNREFUSED/],
      [['--store', 'mongodb://x', '--port', '0'], /--store must be sqlite, sqlite:FILE, memory or postgres/],
      [['--accounts', 'yes'], /--accounts must be on or off/],
    ] as const) {
      const r = run(['serve', ...args]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toContain('secret');
    }
    const env = run(['serve'], { PORT: '-1' });
    expect(env.status).toBe(2);
  }, 120_000);

  it('serve starts, prints the URL, answers, keeps data in DATA_DIR, and refuses a busy port', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-cli-'));
    const port = await freePort();
    const server = await startHarness(['serve', '--port', String(port)], /listening on (\S+)/, { env: { DATA_DIR: dir } });
    try {
      const url = server.match[1]!;
      expect(url).toBe(`http://localhost:${port}/`);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await page.text()).toContain('fido2-harness');
      // libuv's pool (the sign-in signatures) sized to the cores the event loop leaves free
      expect(libuvThreads(server.child.pid!)).toBe(Number(process.env.UV_THREADPOOL_SIZE) || Math.max(1, os.availableParallelism() - 1));
      expect((await (await fetch(`${url}api/config`)).json()).rpId).toBe('localhost');
      expect(fs.existsSync(path.join(dir, 'fido2-harness.sqlite'))).toBe(true);
      const busy = run(['serve', '--port', String(port)], { DATA_DIR: dir });
      expect(busy.status).toBe(2);
      expect(busy.stderr).toContain('already in use');
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve keeps the UV_THREADPOOL_SIZE a person set', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-pool-'));
    const server = await startHarness(['serve', '--port', '0', '--data-dir', dir], /listening on (\S+)/, { env: { UV_THREADPOOL_SIZE: '3' } });
    try {
      expect((await fetch(server.match[1]!)).status).toBe(200);
      expect(libuvThreads(server.child.pid!)).toBe(3);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve --tls-self-signed answers over https with a generated certificate', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-tls-'));
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--tls-self-signed', '--data-dir', dir]);
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => String(d).includes('listening on https://') && resolve());
        child.on('exit', (c) => reject(new Error(`exited ${c}`)));
      });
      const r = await new Promise<{ status: number; cn: string; body: string }>((resolve, reject) => {
        https.get(`https://localhost:${port}/api/config`, { rejectUnauthorized: false }, (res) => {
          const cn = String((res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject.CN);
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, cn, body }));
        }).on('error', reject);
      });
      expect(r.status).toBe(200);
      expect(r.cn).toBe('localhost');
      expect(JSON.parse(r.body).origins).toEqual([`https://localhost:${port}`]);
      expect(fs.existsSync(path.join(dir, 'tls-localhost.crt'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
