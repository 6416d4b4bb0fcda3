import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/harnessProcess.ts';

/**
 * An independent CTAP client against the software key: Debian's python3-fido2 drives
 * `fido2-harness softkey --udp` through its own CTAPHID code (test/interop/python_fido2_client.py,
 * a UDP link for python-fido2's HID device class). Where python-fido2 and the key disagree, the
 * key is wrong unless the clause named in the assertion says otherwise.
 */
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.resolve('test/interop/python_fido2_client.py');
const probe = spawnSync(PYTHON, ['-c', 'import fido2, sys; sys.stdout.write(fido2.__version__)'], { encoding: 'utf8' });
const available = probe.status === 0;
const why = available ? '' : `Debian's python3-fido2 is not installed (apt-get install python3-fido2; scripts/ensure-interop.sh does it when it may): ${probe.stderr.trim().split('\n').pop()}`;

describe.skipIf(!available)(`python-fido2 ${probe.stdout} against softkey --udp`, () => {
  it('getInfo, PIN and tokens with both protocols, rk credentials, hmac-secret, credProtect, credential management, PIN blocking across a power cycle, U2F', async () => {
    const key = await startHarness(['softkey', '--udp', '127.0.0.1:0'], /listening on udp:127\.0\.0\.1:(\d+)/);
    try {
      const r = spawnSync(PYTHON, [SCRIPT, key.match[1]!, '135792'], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
      const o = JSON.parse(r.stdout);
      // python-fido2 parses getInfo and checks every answer is CTAP2 canonical CBOR (strict_cbor)
      expect(o.getInfo.versions).toEqual(['U2F_V2', 'FIDO_2_0', 'FIDO_2_1', 'FIDO_2_2', 'FIDO_2_3']);
      expect(o.getInfo.aaguid).toBe('e7a3b1c24d5e4f608a9b0c1d2e3f4a5b');
      expect(o.getInfo.options).toMatchObject({ rk: true, clientPin: false, pinUvAuthToken: true, credMgmt: true });
      expect(o.getInfo.pinUvAuthProtocols).toEqual([2, 1]);
      expect(o.clientPinAfterSet).toBe(true);
      expect(o.tokenLengths).toEqual({ 1: 32, 2: 32 });
      // CTAP 2.1 §6.5.5.7.2 step 13: a new token invalidates every earlier one
      expect(o.earlierTokenAfterNewOne).toBe('PIN_AUTH_INVALID');
      // python-fido2's own packed attestation verifier accepts the statement
      expect(o.makeCredential).toMatchObject({ fmt: 'packed', attestationVerifies: true, uv: true, extensions: { credProtect: 2, 'hmac-secret': true } });
      expect(o.getAssertion).toEqual({ signatureVerifies: true, uv: true, userName: 'alice', sameCredential: true });
      // CTAP 2.1 §6.2.2 step 9.4: a token serves one request that tests user presence
      expect(o.tokenReused).toBe('PIN_AUTH_INVALID');
      // CTAP 2.1 §12.5: 32 bytes per salt, stable per salt, the salts distinct, another CredRandom without UV
      expect(o.hmacSecret).toEqual({ oneSaltLength: 32, stable: true, twoSalts: { length: 64, firstMatches: true, secondDiffers: true }, differsWithoutUv: true });
      // CTAP 2.1 §12.1: level 2 is not discoverable without UV, but usable by its ID
      expect(o.credProtect).toEqual({ discoverableWithoutUv: 'NO_CREDENTIALS', byIdWithoutUv: 'OK' });
      expect(o.credentialManagement).toEqual({ existing: 2, rps: ['interop.example'], names: ['alice', 'bob'], afterDelete: 1 });
      // CTAP 2.1 §6.5.5.7 step 9.1.2: PIN_AUTH_BLOCKED after three, no further PIN tried, until the power cycle
      expect(o.pinBlock).toEqual({ retriesBefore: 8, wrong: ['PIN_INVALID', 'PIN_INVALID', 'PIN_AUTH_BLOCKED'], rightWhileBlocked: 'PIN_AUTH_BLOCKED', retriesWhileBlocked: 5, powerCycleState: true, afterPowerCycle: 'OK', retriesAfter: 8 });
      expect(o.u2f).toEqual({ version: 'U2F_V2', registerVerifies: true, authenticateVerifies: true, counter: 1 });
    } finally {
      await key.stop();
    }
  }, 180_000);
});

if (!available) {
  describe('python-fido2 interop', () => {
    it.skip(`skipped: ${why}`, () => {});
  });
}
