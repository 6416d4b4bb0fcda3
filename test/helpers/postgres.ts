import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './testServer.ts';

/**
 * A throw-away PostgreSQL cluster: initdb in a temporary folder, started on a free loopback port
 * (and a socket in that folder), as a non-root user (the server refuses root), removed by
 * `stop()`. `scripts/ensure-postgres.sh` (run by `npm test`) installs Debian's server when it
 * is missing; where there is none, `startTempPostgres` answers why, and the tests skip.
 */
export interface TempPostgres {
  /** the cluster's superuser connection URL, database `postgres` */
  url: string;
  port: number;
  /** a fresh, empty database; its URL */
  createDatabase(): Promise<string>;
  /** stop the server, keeping its data (an outage), and start it again on the same port */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export function findPostgresBin(): string | undefined {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  try {
    for (const v of fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    /* not Debian's layout */
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) candidates.push(dir);
  return candidates.find((d) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl')));
}

/** uid/gid of a user from /etc/passwd (node has no getpwnam) */
function account(name: string): { uid: number; gid: number } | undefined {
  try {
    const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    if (!line) return undefined;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

let counter = 0;

export async function startTempPostgres(): Promise<TempPostgres | { skip: string }> {
  const bin = findPostgresBin();
  if (!bin) return { skip: 'no PostgreSQL server here (initdb not found; scripts/ensure-postgres.sh installs Debian\'s)' };
  // the server refuses to run as root: use the postgres account Debian's package creates, or nobody
  const runAs = process.getuid?.() === 0 ? (account('postgres') ?? account('nobody')) : undefined;
  if (process.getuid?.() === 0 && !runAs) return { skip: 'running as root and no postgres or nobody account to run the server as' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-pg-'));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  fs.mkdirSync(data, { mode: 0o700 });
  if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid), fs.chownSync(data, runAs.uid, runAs.gid);
  const as = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(path.join(bin, cmd), args, { ...as, cwd: dir, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  };
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-U', 'harness', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, 'start']);

  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { skip: `could not start a temporary PostgreSQL: ${(e as Error).message.slice(0, 400)}` };
  }
  const url = `postgres://harness@127.0.0.1:${port}/postgres`;
  const startArgs = ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, 'start'];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      /* already gone */
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => {
    if (!stopped) {
      try {
        execFileSync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { ...as, stdio: 'ignore' });
      } catch {
        /* best effort */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  return {
    url,
    port,
    async createDatabase() {
      const name = `t${process.pid}_${++counter}_${Date.now() % 100_000}`;
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return `postgres://harness@127.0.0.1:${port}/${name}`;
    },
    pause: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    resume: () => run('pg_ctl', startArgs),
    stop,
  };
}
