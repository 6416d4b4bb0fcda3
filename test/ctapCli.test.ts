import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, harnessAsync, startHarness } from './helpers/harnessProcess.ts';
import { GET_INFO_MEMBERS, pinUvAuthParam, ClientPin, PIN_PROTOCOL_2, PERMISSION, AuthenticatorConfig, BioEnrollment, LargeBlobs, parseLargeBlobArray, decryptInfoMember, hmacSecret, parseAuthenticatorData, type CanonicalValue, openUdpTransport, connectDevice, WebAuthnClient, parseAuthenticationResponse, parseRegistrationResponse, coseKeyToPublicKey, verifyCoseSignature } from '../conformance/src/index.ts';
import crypto from 'node:crypto';

/**
 * softkey, probe and devices as a person runs them: separate processes, a real UDP socket on
 * loopback between the simulator and the client (the fido2-tests --sim convention).
 */
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-ctap-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const READY = /listening on udp:127\.0\.0\.1:(\d+)/;

describe('softkey --udp and probe --device udp:', { timeout: 120_000 }, () => {
  it('probe prints the profile\'s getInfo and agrees with the statement softkey wrote (exit 0)', async () => {
    const st = path.join(dir, 'statement.json');
    const key = await startHarness(['softkey', '--udp', '127.0.0.1:0', '--statement-out', st], READY);
    try {
      const port = key.match[1];
      const json = harness(['probe', '--device', `udp:127.0.0.1:${port}`, '--udp-client-port', '0', '--json', '--statement', st]);
      expect(json.status, json.stderr).toBe(0);
      const r = JSON.parse(json.stdout);
      expect(r).toMatchObject({ agrees: true, differences: [], getInfo: { aaguid: 'e7a3b1c2-4d5e-4f60-8a9b-0c1d2e3f4a5b', versions: ['U2F_V2', 'FIDO_2_0', 'FIDO_2_1', 'FIDO_2_2', 'FIDO_2_3'], extensions: ['credBlob', 'credProtect', 'hmac-secret', 'hmac-secret-mc', 'largeBlobKey', 'minPinLength', 'pinComplexityPolicy', 'thirdPartyPayment'], transports: ['usb', 'nfc'] }, metadata: { description: 'Example Vendor Key NFC', origin: { kind: 'draft' } } });
      expect(r.comparison.filter((c: { verdict: string }) => c.verdict === 'same').length).toBeGreaterThan(10);
      const text = harness(['probe', '--device', `udp:127.0.0.1:${port}`, '--udp-client-port', '0', '--statement', st]);
      expect(text.status).toBe(0);
      expect(text.stdout).toMatch(/pinUvAuthProtocols\s+2, 1/);
      expect(text.stdout).toMatch(/the key answers as its metadata declares/);
    } finally {
      await key.stop();
    }
  });

  it('probe prints every CTAP 2.3 getInfo member of a 2.3 key, and --json carries each', async () => {
    const base = JSON.parse(fs.readFileSync('fixtures/example-compliant-profile.json', 'utf8'));
    const profile = path.join(dir, 'every-member.json');
    // the shipped profile plus the two members it leaves out: certifications and transportsForReset
    fs.writeFileSync(profile, JSON.stringify({ ...base, features: { ...base.features, certifications: { FIDO: 1 }, transportsForReset: ['usb'] } }));
    const key = await startHarness(['softkey', '--udp', '127.0.0.1:0', '--profile', profile], READY);
    try {
      const port = key.match[1];
      const text = harness(['probe', '--device', `udp:127.0.0.1:${port}`, '--udp-client-port', '0']);
      expect(text.status, text.stderr).toBe(0);
      const json = JSON.parse(harness(['probe', '--device', `udp:127.0.0.1:${port}`, '--udp-client-port', '0', '--json']).stdout);
      for (const member of Object.keys(GET_INFO_MEMBERS)) {
        expect(text.stdout, member).toMatch(new RegExp(`^  ${member === 'aaguid' ? 'AAGUID' : member}\\s+\\S`, 'm'));
        expect(json.getInfo, member).toHaveProperty(member);
      }
      expect(text.stdout).not.toMatch(/unknown to this harness|problem/);
    } finally {
      await key.stop();
    }
  });

  it('softkey --udp with the shipped profile answers authenticatorConfig, bio enrollment, large blobs, the persistent token, hmac-secret-mc and thirdPartyPayment', async () => {
    const key = await startHarness(['softkey', '--udp', '127.0.0.1:0', '--profile', 'fixtures/example-compliant-profile.json'], READY);
    const device = await connectDevice(await openUdpTransport({ host: '127.0.0.1', port: Number(key.match[1]), clientPort: 0 }));
    try {
      const ctap = device.ctap2!;
      const uv = (perm: number) => new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingUv(perm);
      // authenticatorConfig: alwaysUv on and off again (the key has a finger enrolled: a token with acfg)
      await new AuthenticatorConfig(ctap, await uv(PERMISSION.acfg)).toggleAlwaysUv();
      expect(ctap.info.options.alwaysUv).toBe(true);
      await new AuthenticatorConfig(ctap, await uv(PERMISSION.acfg)).toggleAlwaysUv();
      expect(ctap.info.options.alwaysUv).toBe(false);
      // bio enrollment: the sensor and the one enrolled finger
      const bio = new BioEnrollment(ctap, await uv(PERMISSION.be), ctap.info);
      expect((await bio.sensorInfo()).maxCaptureSamplesRequiredForEnroll).toBe(4);
      expect((await bio.enumerate()).length).toBe(1);
      // large blobs: the empty array
      expect(parseLargeBlobArray(await new LargeBlobs(ctap, ctap.info.maxMsgSize).read())).toEqual([]);
      // the persistent token decrypts encIdentifier
      const ppuat = await uv(PERMISSION.pcmr);
      expect(decryptInfoMember(ppuat.token, 'encIdentifier', (await ctap.getInfo()).encIdentifier!).length).toBe(16);
      // hmac-secret-mc and thirdPartyPayment
      const s = await hmacSecret.session(ctap, PIN_PROTOCOL_2);
      const made = await ctap.makeCredential({ clientDataHash: new Uint8Array(32), rp: { id: 'udp.example' }, user: { id: Uint8Array.of(1) }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], options: { uv: true }, extensions: new Map<string, CanonicalValue>([['hmac-secret', true], ['hmac-secret-mc', hmacSecret.input(s, [new Uint8Array(32)])], ['thirdPartyPayment', true]]) });
      const ext = parseAuthenticatorData(made.authData).extensions!;
      expect(hmacSecret.outputs(s, ext.get('hmac-secret-mc'))?.output1.length).toBe(32);
      expect(ext.get('thirdPartyPayment')).toBe(true);
    } finally {
      await device.close();
      await key.stop();
    }
  });

  it('a statement that declares an extension the key lacks: probe exits 1 and names it', async () => {
    const statement = JSON.parse(fs.readFileSync('fixtures/example-compliant-profile.json', 'utf8'));
    const profile = path.join(dir, 'lying-profile.json');
    const draft = path.join(dir, 'lying-statement.json');
    // a statement of its own, declaring largeBlob (the CTAP 2.3 extension) the key does not implement: it has largeBlobKey
    const first = path.join(dir, 'honest.json');
    const honest = await startHarness(['softkey', '--udp', '127.0.0.1:0', '--statement-out', first], READY);
    await honest.stop();
    const entry = JSON.parse(fs.readFileSync(first, 'utf8'));
    const keyHas = [...entry.metadataStatement.authenticatorGetInfo.extensions];
    entry.metadataStatement.authenticatorGetInfo.extensions.push('largeBlob');
    fs.writeFileSync(path.join(dir, 'statement-with-credblob.json'), JSON.stringify(entry.metadataStatement));
    fs.writeFileSync(profile, JSON.stringify({ ...statement, metadata: { statement: 'statement-with-credblob.json' } }));
    const key = await startHarness(['softkey', '--udp', '127.0.0.1:0', '--profile', profile, '--statement-out', draft], READY);
    try {
      const r = harness(['probe', '--device', `udp:127.0.0.1:${key.match[1]}`, '--udp-client-port', '0', '--statement', draft]);
      expect(r.status, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toContain(`DIFFERS  extensions`);
      expect(r.stdout).toContain(`declared ${JSON.stringify([...keyHas, 'largeBlob'])}, key says ${JSON.stringify(keyHas)} (declared, not on the key: largeBlob)`);
      expect(r.stdout).toMatch(/differ in extensions: fix the statement \(or the firmware\) before submitting/);
    } finally {
      await key.stop();
    }
  });

  it('--state keeps the key\'s credentials and attestation across a restart', async () => {
    const state = path.join(dir, 'key-state.json');
    const origin = 'https://state.example';
    let reg: Record<string, any>;
    {
      const key = await startHarness(['softkey', '--udp', '127.0.0.1:0', '--state', state], READY);
      const device = await connectDevice(await openUdpTransport({ host: '127.0.0.1', port: Number(key.match[1]), clientPort: 0 }));
      reg = await new WebAuthnClient({ device }).create({ challenge: 'c3RhdGU', attestation: 'direct', rp: { id: 'state.example' }, user: { id: 'dQ', name: 'u' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], authenticatorSelection: { residentKey: 'required', userVerification: 'required' } }, origin);
      await device.close();
      expect(await key.stop()).toBe(0);
    }
    expect(fs.statSync(state).mode & 0o777).toBe(0o600);
    const key = await startHarness(['softkey', '--udp', '127.0.0.1:0', '--state', state], READY);
    try {
      const device = await connectDevice(await openUdpTransport({ host: '127.0.0.1', port: Number(key.match[1]), clientPort: 0 }));
      const a = await new WebAuthnClient({ device }).get({ challenge: 'YWdhaW4', rpId: 'state.example', userVerification: 'required' }, origin);
      await device.close();
      expect(a.id).toBe(reg.id);
      const p = parseAuthenticationResponse(a);
      const k = coseKeyToPublicKey(parseRegistrationResponse(reg).authData.attestedCredentialData!.publicKey);
      expect(verifyCoseSignature(-7, k.keyObject, Uint8Array.from([...p.authData.bytes, ...crypto.createHash('sha256').update(p.clientDataJSON).digest()]), p.signature)).toBe(true);
      expect(p.authData.signCount).toBe(1);
    } finally {
      await key.stop();
    }
  });

  it('bad usage and bad state are exit 2 with the reason', async () => {
    const garbage = path.join(dir, 'garbage-state.json');
    fs.writeFileSync(garbage, '{"version": 7}');
    // well-formed state files whose members are corrupt: refused naming the member, no stack trace
    const good = { version: 1, aaguid: 'e7a3b1c24d5e4f608a9b0c1d2e3f4a5b', credentials: [], counter: 0, largeBlobArray: Buffer.from('8076be8b528d0075f7aae98d6fa57a6d3c', 'hex').toString('base64url') };
    const corrupt = (name: string, s: object) => {
      const f = path.join(dir, `${name}.json`);
      fs.writeFileSync(f, JSON.stringify({ ...good, ...s }));
      return f;
    };
    const credential = { id: 'AAAA', privateKey: 'AAAA', publicKeyCose: 'AAAA', rpIdHash: Buffer.alloc(32).toString('base64url'), alg: -7, signCount: 0 };
    const badKey = corrupt('bad-key', { credentials: [credential] });
    const badPin = corrupt('bad-pin', { pin: { hash: 1234, retries: 8 } });
    const badRetries = corrupt('bad-retries', { pin: { hash: '00'.repeat(16), retries: 99 } });
    for (const [args, msg] of [
      [['softkey'], /softkey serves over UDP or as an NFC card: add --udp \[HOST:PORT\] or --nfc/],
      [['softkey', '--nfc', 'listen:10.0.0.5:9000'], /--nfc listen: the card waits for the reader on loopback only \(127\.0\.0\.1\), not 10\.0\.0\.5/],
      [['softkey', '--nfc', 'vpcd'], /--nfc "vpcd": expected HOST:PORT of vpcd/],
      [['softkey', '--udp', 'nonsense:host:x'], /--udp "nonsense:host:x": expected HOST:PORT/],
      [['softkey', '--udp', '--touch', 'sometimes'], /--touch must be auto, instant or delay:MS/],
      [['softkey', '--udp', '127.0.0.1:0', '--state', garbage], /--state .* cannot be used: it is not a fido2-harness software key state/],
      [['softkey', '--udp', '127.0.0.1:0', '--profile', '/nonexistent.json'], /cannot read profile/],
      [['softkey', '--udp', '127.0.0.1:0', '--state', badKey], /credentials\[0\]\.privateKey is not a PKCS#8 DER private key/],
      [['softkey', '--udp', '127.0.0.1:0', '--state', badPin], /pin\.hash must be 16 bytes of hex/],
      [['softkey', '--udp', '127.0.0.1:0', '--state', badRetries], /pin\.retries must be an integer 0-8/],
      [['softkey', '--udp', '127.0.0.1:0', '--reset-window', 'soon'], /--reset-window must be milliseconds or off/],
      [['probe', '--udp-client-port', 'x', '--device', 'udp:127.0.0.1:9'], /--udp-client-port must be 0-65535/],
      [['probe', '--device', 'udp:127.0.0.1:70000'], /port must be 1-65535/],
      [['probe', '--devcie', 'udp:127.0.0.1:1'], /unknown option --devcie; did you mean --device\?/],
    ] as const) {
      const r = harness([...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('SIGUSR1 power-cycles softkey: the token it issued is gone, credentials and retries stay', async () => {
    const key = await startHarness(['softkey', '--udp', '127.0.0.1:0'], READY);
    const device = await connectDevice(await openUdpTransport({ host: '127.0.0.1', port: Number(key.match[1]), clientPort: 0 }));
    try {
      const ctap = device.ctap2!;
      const made = await ctap.makeCredential({ clientDataHash: new Uint8Array(32), rp: { id: 'cycle.example' }, user: { id: Uint8Array.of(7) }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], options: { rk: true, uv: true } });
      const token = await new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingUv(PERMISSION.ga, 'cycle.example');
      key.child.kill('SIGUSR1');
      await new Promise((r) => setTimeout(r, 300));
      expect(key.output()).toMatch(/power cycle \(SIGUSR1\)/);
      // the channel is gone with the power: the device must be found again
      const again = await connectDevice(await openUdpTransport({ host: '127.0.0.1', port: Number(key.match[1]), clientPort: 0 }));
      try {
        const hash = new Uint8Array(32);
        await expect(again.ctap2!.getAssertion({ rpId: 'cycle.example', clientDataHash: hash, pinUvAuthParam: pinUvAuthParam(token, hash), pinUvAuthProtocol: 2 })).rejects.toMatchObject({ ctapStatus: 0x33 });
        const a = await again.ctap2!.getAssertion({ rpId: 'cycle.example', clientDataHash: hash, options: { uv: true } });
        expect(Buffer.from(a.credential!.id)).toEqual(Buffer.from(parseAuthenticatorData(made.authData).attestedCredentialData!.credentialId));
      } finally {
        await again.close();
      }
    } finally {
      await device.close();
      await key.stop();
    }
  });

  it('a port that is taken, nothing at the other end, and a device answering garbage: exit 2 naming the problem', async () => {
    const key = await startHarness(['softkey', '--udp', '127.0.0.1:0'], READY);
    try {
      const busy = harness(['softkey', '--udp', `127.0.0.1:${key.match[1]}`]);
      expect(busy.status).toBe(2);
      expect(busy.stderr).toMatch(/EADDRINUSE|another simulator is running there/);
    } finally {
      await key.stop();
    }
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    const nothing = harness(['probe', '--device', `udp:127.0.0.1:${silent.address().port}`, '--udp-client-port', '0']);
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toMatch(/DEVICE_TIMEOUT: CTAPHID_INIT: udp:127\.0\.0\.1:\d+ did not answer within 3000 ms/);
    // answers INIT with the wrong nonce: ignored, as the spec says, so the client times out
    silent.on('message', (m, rinfo) => {
      const reply = Buffer.alloc(64);
      m.copy(reply, 0, 0, 5);
      reply.writeUInt16BE(17, 5);
      reply.fill(0xee, 7);
      silent.send(reply, rinfo.port, rinfo.address);
    });
    const wrongNonce = await harnessAsync(['probe', '--device', `udp:127.0.0.1:${silent.address().port}`, '--udp-client-port', '0']);
    expect(wrongNonce.status).toBe(2);
    expect(wrongNonce.stderr).toMatch(/DEVICE_TIMEOUT: CTAPHID_INIT/);
    silent.removeAllListeners('message');
    // a proper INIT answer (CBOR capable), then getInfo answered "success" with a body that is not CBOR
    silent.on('message', (m, rinfo) => {
      const reply = Buffer.alloc(64);
      if (m[4] === 0x86) {
        m.copy(reply, 0, 0, 5);
        reply.writeUInt16BE(17, 5);
        m.copy(reply, 7, 7, 15);
        reply.writeUInt32BE(0x01020304, 15);
        reply.set([2, 1, 0, 0, 0x04], 19);
      } else {
        m.copy(reply, 0, 0, 5);
        reply.writeUInt16BE(3, 5);
        reply.set([0x00, 0xa1, 0xff], 7);
      }
      silent.send(reply, rinfo.port, rinfo.address);
    });
    const junk = await harnessAsync(['probe', '--device', `udp:127.0.0.1:${silent.address().port}`, '--udp-client-port', '0']);
    expect(junk.status, junk.stderr).toBe(2);
    expect(junk.stderr).toMatch(/DEVICE_PROTOCOL: authenticatorGetInfo answered bytes that are not one CBOR item/);
    // getInfo bodies that decode but break a MUST: versions missing, keys out of order, an indefinite-length map
    const aaguid = [0x50, ...Array(16).fill(0x11)];
    const fido20 = [0x81, 0x68, ...Buffer.from('FIDO_2_0')];
    const broken: [number[], RegExp][] = [
      [[0xa1, 0x03, ...aaguid], /breaks CTAP 2\.1 §6\.4: versions is required and missing/],
      [[0xa2, 0x03, ...aaguid, 0x01, ...fido20], /breaks CTAP 2\.1 §6\.4: not CTAP2 canonical CBOR \(§8\): .*(order|sorted)/],
      [[0xbf, 0x01, ...fido20, 0x03, ...aaguid, 0xff], /breaks CTAP 2\.1 §6\.4: not CTAP2 canonical CBOR \(§8\): .*indefinite/],
    ];
    for (const [body, msg] of broken) {
      silent.removeAllListeners('message');
      silent.on('message', (m, rinfo) => {
        const reply = Buffer.alloc(64);
        m.copy(reply, 0, 0, 5);
        if (m[4] === 0x86) {
          reply.writeUInt16BE(17, 5);
          m.copy(reply, 7, 7, 15);
          reply.writeUInt32BE(0x01020304, 15);
          reply.set([2, 1, 0, 0, 0x04], 19);
        } else {
          reply.writeUInt16BE(body.length + 1, 5);
          reply.set([0x00, ...body], 7);
        }
        silent.send(reply, rinfo.port, rinfo.address);
      });
      const r = await harnessAsync(['probe', '--device', `udp:127.0.0.1:${silent.address().port}`, '--udp-client-port', '0']);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    silent.close();
  });

  it('reset: refused without --allow-reset (the key keeps its credentials), done with it after a warning and a touch', async () => {
    const state = path.join(dir, 'reset-state.json');
    const key = await startHarness(['softkey', '--udp', '127.0.0.1:0', '--state', state, '--touch', 'delay:300'], READY);
    const device = () => openUdpTransport({ host: '127.0.0.1', port: Number(key.match[1]), clientPort: 0 }).then((t) => connectDevice(t));
    const origin = 'https://reset.example';
    const signIn = async () => {
      const d = await device();
      try {
        return await new WebAuthnClient({ device: d }).get({ challenge: 'cmVzZXQ', rpId: 'reset.example', userVerification: 'required' }, origin).then(() => 'signed in', (e: { domName?: string }) => e.domName);
      } finally {
        await d.close();
      }
    };
    try {
      const d = await device();
      await new WebAuthnClient({ device: d }).create({ challenge: 'cmVnaXN0ZXI', rp: { id: 'reset.example' }, user: { id: 'dQ', name: 'u' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], authenticatorSelection: { residentKey: 'required', userVerification: 'required' } }, origin);
      await d.close();
      const udp = `udp:127.0.0.1:${key.match[1]}`;
      const refused = await harnessAsync(['reset', '--device', udp, '--udp-client-port', '0']);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/reset wipes every credential and the PIN on the key: add --allow-reset/);
      expect(await signIn()).toBe('signed in');
      const done = await harnessAsync(['reset', '--allow-reset', '--device', udp, '--udp-client-port', '0']);
      expect(done.status, done.stderr).toBe(0);
      expect(done.stderr).toMatch(/WARNING: resetting the key with AAGUID e7a3b1c2-4d5e-4f60-8a9b-0c1d2e3f4a5b/);
      expect(done.stderr).toMatch(/touch the key now to confirm the reset/);
      expect(done.stdout).toMatch(/was reset/);
      expect(await signIn()).toBe('NotAllowedError');
    } finally {
      await key.stop();
    }
  });
});
