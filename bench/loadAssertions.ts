import http from 'node:http';
import net from 'node:net';
import { SoftAuthenticator } from '../conformance/src/emulation/SoftAuthenticator.ts';

/**
 * Load generator, run as a second process: registers `window` credentials per connection, fetches
 * challenges (untimed), signs the assertions (untimed), warms the server up on the same target
 * (untimed: the route's code is compiled before the clock starts, as in a server that has been
 * running), then posts them to /api/authentication/verify over keep-alive connections for a
 * bounded time and count. Each connection sends its own credential's assertions in counter order.
 */
const [urls, connectionsArg, perConnArg, msArg, targetArg, windowArg] = process.argv.slice(2);
/** several server instances (comma-separated): connection i talks to instance i mod n */
const bases = urls!.split(',').map((u) => new URL(u));
/** where the timed phase posts (the no-op route measures the HTTP floor with the same bodies) */
const target = targetArg ?? '/api/authentication/verify';
const connections = Number(connectionsArg ?? 8);
const perConnection = Number(perConnArg ?? 2000);
const maxMs = Number(msArg ?? 4000);
/**
 * The warm-up: WARM_ROUNDS rounds of about 8,000 requests each before the clock starts. V8 still
 * optimises the route's code well past the first 8,000 (--trace-opt printed 299 lines during the
 * timed phase after one round, 40 after four), and that compiling ran on the core the timed phase
 * needs: V8's helper threads took 24 - 38 µs per sign-in after one round, 6 - 7 after four.
 * The environment variable WARM_ROUNDS overrides the count, to measure the warm-up itself.
 */
const warmUp = Math.ceil(8000 / connections);
const WARM_ROUNDS = Number(process.env.WARM_ROUNDS ?? 4);
/** the sign-in route uses up each assertion; any other target (the no-op floor) can be sent the same ones again */
const consumes = target === '/api/authentication/verify';
const agent = new http.Agent({ keepAlive: true, maxSockets: connections * 2 });

function post(base: URL, path: string, body: unknown, cookie?: string): Promise<{ status: number; json: any; cookie?: string }> {
  return new Promise((resolve, reject) => {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request({ host: base.hostname, port: base.port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(cookie ? { cookie } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const set = res.headers['set-cookie']?.[0]?.split(';')[0];
        resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString() || 'null'), cookie: set ?? cookie });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** requests in flight per connection (HTTP/1.1 pipelining) */
const WINDOW = Number(windowArg ?? 16);

interface Job { cookie: string; body: string }

interface Connection { base: URL; keys: { key: SoftAuthenticator; username: string }[] }

/**
 * One connection's credentials: WINDOW of them take turns, so the requests in flight together
 * are always of different credentials and each credential's next one leaves only after its last
 * answer came back: counters arrive in order even when the server handles pipelined requests
 * concurrently (a shared database), so the run measures the route, not refused regressions.
 */
async function register(conn: number): Promise<Connection> {
  const base = bases[conn % bases.length]!;
  const keys = await Promise.all(Array.from({ length: WINDOW }, async (_, w) => {
    const key = new SoftAuthenticator();
    const username = `bench-${process.pid}-${conn}-${w}`;
    const o = await post(base, '/api/registration/options', { username, residentKey: 'discouraged', userVerification: 'discouraged' });
    const v = await post(base, '/api/registration/verify', await key.create(o.json, base.origin), o.cookie);
    if (v.status !== 200) throw new Error(`registration failed: ${JSON.stringify(v.json)}`);
    return { key, username };
  }));
  return { base, keys };
}

/** n signed assertions for one connection, its credentials in turn (challenges fetched first, untimed) */
async function prepare(c: Connection, n: number): Promise<Job[]> {
  const jobs: Job[] = [];
  let cookie: string | undefined;
  for (let i = 0; i < n; i++) {
    if (i % 60 === 0) cookie = undefined; // a new session every 60 challenges (the server keeps 64 per session)
    const { key, username } = c.keys[i % WINDOW]!;
    const a = await post(c.base, '/api/authentication/options', { username, userVerification: 'discouraged' }, cookie);
    cookie = a.cookie;
    jobs.push({ cookie: cookie!, body: JSON.stringify(await key.get(a.json, c.base.origin)) });
  }
  return jobs;
}

const conns = await Promise.all(Array.from({ length: connections }, (_, i) => register(i)));
const prepareAll = (n: number) => Promise.all(conns.map((c) => prepare(c, n)));

/**
 * Both phases use raw keep-alive sockets with HTTP/1.1 pipelining (a window of requests in
 * flight per connection, like wrk), so the generator costs far less CPU than the server and the
 * figure measures the server. Responses come back in request order, so each credential's
 * counters still arrive in order.
 */
function send(batches: Job[][], deadline: number): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  return Promise.all(batches.map((jobs, conn) => new Promise<void>((resolve, reject) => {
    const base = bases[conn % bases.length]!;
    const reqs = jobs.map((j) => Buffer.from(`POST ${target} HTTP/1.1\r\nHost: ${base.host}\r\nContent-Type: application/json\r\nCookie: ${j.cookie}\r\nContent-Length: ${Buffer.byteLength(j.body)}\r\n\r\n${j.body}`));
    const sock = net.connect(Number(base.port), base.hostname);
    let sent = 0;
    let done = 0;
    let buf = Buffer.alloc(0);
    const pump = () => {
      while (sent < reqs.length && sent - done < WINDOW && performance.now() < deadline) sock.write(reqs[sent++]!);
      if (done === sent) {
        sock.end();
        resolve();
      }
    };
    sock.on('connect', pump);
    sock.on('error', reject);
    sock.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const headEnd = buf.indexOf('\r\n\r\n');
        if (headEnd < 0) break;
        const head = buf.subarray(0, headEnd).toString('latin1');
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < headEnd + 4 + len) break;
        const status = Number(head.slice(9, 12));
        if (status === 200) ok++;
        else {
          failed++;
          if (failed < 3) process.stderr.write(`verify failed: ${buf.subarray(headEnd + 4, headEnd + 4 + len)}\n`);
        }
        buf = buf.subarray(headEnd + 4 + len);
        done++;
      }
      pump();
    });
  }))).then(() => ({ ok, failed }));
}

// each round's assertions are used up before the next ones are fetched, so the challenges pending
// at once stay under the server's share per client address (the floor keeps one round's pending)
let warmJobs: Job[][] | undefined;
for (let round = 0; round < WARM_ROUNDS; round++) {
  warmJobs = consumes || !warmJobs ? await prepareAll(warmUp) : warmJobs;
  const warm = await send(warmJobs, Infinity);
  if (warm.failed) throw new Error(`${warm.failed} requests failed while warming up`);
}
const queues = await prepareAll(perConnection);
agent.destroy();
process.stdout.write('timed phase\n');
const start = performance.now();
const { ok, failed } = await send(queues, start + maxMs);
const seconds = (performance.now() - start) / 1000;
process.stdout.write(JSON.stringify({ ok, failed, seconds, rps: ok / seconds }) + '\n');
