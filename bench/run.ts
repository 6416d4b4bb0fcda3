import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { measureF, opsPerSecond, opsPerSecondAsync } from './floor.ts';
import { buildApp } from '../server/src/app.ts';
import { loadConfig } from '../server/src/config.ts';
import { SoftAuthenticator } from '../conformance/src/authenticator/SoftAuthenticator.ts';
import { parseAuthenticationResponse, parseRegistrationResponse } from '../conformance/src/webauthn/parseResponse.ts';
import { verifyAssertion } from '../conformance/src/webauthn/verifyAssertion.ts';
import { coseKeyToPublicKey } from '../conformance/src/webauthn/coseKey.ts';

/**
 * npm run bench [-- --json]: figures as ratios to F (raw P-256 verify/s), all measured in
 * this run on this machine. Later work appends its own figures to the same list.
 */
interface Figure { name: string; value: number; unit: string; ratio: number; floor: number | null }
const json = process.argv.includes('--json');
const log = (s: string) => !json && process.stdout.write(`${s}\n`);
const figures: Figure[] = [];
const CONNECTIONS = 32;
const here = path.dirname(fileURLToPath(import.meta.url));

log(`fido2-harness bench: Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`);
const F = measureF(1500);
figures.push({ name: 'raw P-256 verify (F)', value: Math.round(F), unit: 'ops/s', ratio: 1, floor: null });
log(`F = ${Math.round(F)} P-256 verifies/s`);

// in-process: the lean assertion verifier vs @simplewebauthn/server on the same assertion
{
  const origin = 'https://rp.example';
  const key = new SoftAuthenticator();
  const reg = parseRegistrationResponse(key.create({ challenge: 'Y2g', rp: { id: 'rp.example' }, user: { id: 'dQ' }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }] }, origin));
  const acd = reg.authData.attestedCredentialData!;
  const pk = coseKeyToPublicKey(acd.publicKey);
  const id = Buffer.from(acd.credentialId).toString('base64url');
  const challenge = crypto.randomBytes(32).toString('base64url');
  const resp = key.get({ challenge, rpId: 'rp.example', allowCredentials: [{ id }] }, origin);
  const lean = opsPerSecond(() => {
    const v = verifyAssertion(parseAuthenticationResponse(resp), { challenge, origins: [origin], rpId: 'rp.example', requireUserVerification: false }, { alg: -7, keyObject: pk.keyObject, counter: 0, userHandle: new Uint8Array() });
    if (!v.verified) throw new Error('bench assertion did not verify');
  });
  figures.push({ name: 'assertion verify, harness lean path (parse + verify)', value: Math.round(lean), unit: 'ops/s', ratio: lean / F, floor: null });
  const swa = await opsPerSecondAsync(async () => {
    const v = await verifyAuthenticationResponse({ response: resp as never, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: 'rp.example', credential: { id, publicKey: new Uint8Array(acd.publicKeyBytes), counter: 0 } });
    if (!v.verified) throw new Error('bench assertion did not verify');
  });
  figures.push({ name: 'assertion verify, @simplewebauthn/server', value: Math.round(swa), unit: 'ops/s', ratio: swa / F, floor: null });
}

// the HTTP route, load from a second process on loopback, bounded in count and time
{
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-bench-'));
  const port = 18000 + crypto.randomInt(2000);
  const config = loadConfig(['--port', String(port), '--data-dir', dataDir], {}, process.cwd());
  const app = await buildApp({ config });
  await app.listen({ host: '127.0.0.1', port });
  try {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [path.join(here, 'loadAssertions.ts'), `http://localhost:${port}/`, String(CONNECTIONS), String(Math.ceil(12000 / CONNECTIONS)), '4000'], { timeout: 120_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`load generator failed: ${stderr || err.message}`));
        else resolve(stdout);
      });
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { ok: number; failed: number; seconds: number; rps: number };
    if (r.failed) throw new Error(`${r.failed} assertions were rejected during the load run`);
    figures.push({ name: `POST /api/authentication/verify (${CONNECTIONS} keep-alive connections, second process)`, value: Math.round(r.rps), unit: 'req/s', ratio: r.rps / F, floor: 0.2 });
    log(`  (${r.ok} verified assertions in ${r.seconds.toFixed(2)} s, 0 rejected)`);
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (json) {
  process.stdout.write(`${JSON.stringify({ figures }, null, 2)}\n`);
} else {
  log('');
  log('figure'.padEnd(78) + 'value'.padStart(10) + '  unit   ratio to F   goal');
  for (const f of figures) {
    const goal = f.floor === null ? '' : f.ratio >= f.floor ? `>= ${f.floor} F  met` : `>= ${f.floor} F  NOT MET`;
    log(`${f.name.padEnd(78)}${String(f.value).padStart(10)}  ${f.unit.padEnd(6)} ${f.ratio.toFixed(3).padStart(8)} F   ${goal}`);
  }
}
