import fs from 'node:fs';
import crypto from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { formatAaguid } from '../encoding/formatAaguid.ts';
import { packagePath } from '../runtime/packagePath.ts';
import { parseCommandArgs } from './args.ts';
import { loadProfile } from '../emulation/loadProfile.ts';
import { REACTION_MS, personTouchingAfter } from '../emulation/softPerson.ts';
import type { SoftAuthenticator } from '../emulation/SoftAuthenticator.ts';
import { readDeviceState, restoreDevice, snapshotDevice, writeDeviceState, type StoredDeviceState } from '../emulation/softDeviceState.ts';
import { serveUdpDevice } from '../ctap/transport/UdpDeviceEndpoint.ts';
import { UDP_DEVICE_PORT } from '../ctap/transport/UdpTransport.ts';
import { VPCD_PORT, serveVpcdCard } from '../ctap/iso7816/vpcdCard.ts';
import type { CliIo } from './main.ts';
import type { MetadataEntry } from '../mds/MetadataBlob.ts';

export const SOFTKEY_USAGE = `usage: fido2-harness softkey --udp [HOST:PORT] | --nfc [HOST:PORT | listen:PORT] [--profile profile.json] [--state FILE]
                             [--touch auto|instant|delay:MS] [--reset-window MS|off] [--statement-out FILE]

Serves the software authenticator as a CTAP 2.3 device over UDP (one 64-byte HID report per
datagram, the SoloKeys simulator / fido2-tests --sim convention), so other tools and other
harness instances can test against it:

  fido2-harness softkey --udp                        # 127.0.0.1:${UDP_DEVICE_PORT}
  fido2-harness probe --device udp:127.0.0.1:${UDP_DEVICE_PORT}

  --udp [HOST:PORT]  where to listen (default 127.0.0.1:${UDP_DEVICE_PORT}); answers each datagram's sender
  --nfc [HOST:PORT]  be the card in a vsmartcard virtual reader (pcscd + vpcd): connect to vpcd at HOST:PORT
                     (default 127.0.0.1:${VPCD_PORT}, vpcd's DEVICENAME /dev/null:0x8C7B); --nfc listen:PORT
                     instead waits on 127.0.0.1:PORT for a vpcd configured DEVICENAME 127.0.0.1:PORT (nothing
                     then listens beyond loopback). The key answers over NFC's rules: the tap is the touch,
                     the reader's power off and on is a power cycle. --udp and --nfc together serve one key
                     over both (a key with USB and NFC)
  --profile FILE     the key's identity and behaviour (an emulation profile, as check --emulate
                     takes; default: the shipped example-compliant-profile.json)
  --state FILE       keep credentials, PIN and attestation in FILE across restarts
  --touch MODE       how the person touches: auto (${REACTION_MS} ms after the key asks, default), delay:MS
                     (the key sends KEEPALIVE UP_NEEDED meanwhile), or instant (no reaction time: for
                     benchmarks; a CANCEL can never arrive before the touch)
  --reset-window MS|off
                     how long after power-up the key accepts authenticatorReset (default: the
                     profile's, 10000 as CTAP 2.1 §6.6 describes; off: always)
  --statement-out FILE
                     write the key's metadata statement (generated from the profile, or the profile's
                     own) as a draft entry: probe --statement FILE and check --ctap --statement FILE read it

A power cycle (the key forgets its channels, tokens and PIN blocking; credentials, PIN and
retries persist): the simulators' reboot datagram on the UDP port (fido2-tests --sim), or
SIGUSR1 (kill -USR1 PID). Runs until interrupted (Ctrl-C).
`;

/** --udp's value: HOST:PORT, PORT, or nothing. */
export function parseListen(v: string | undefined): { host: string; port: number } {
  if (v === undefined || v === '' || v === 'true') return { host: '127.0.0.1', port: UDP_DEVICE_PORT };
  const m = /^(?:\[([^\]]+)\]|([^:]+))?:?(\d+)?$/.exec(v);
  const port = m?.[3] === undefined ? UDP_DEVICE_PORT : Number(m[3]);
  if (!m || (m[1] ?? m[2]) === undefined && m[3] === undefined || !Number.isInteger(port) || port < 0 || port > 65535) throw new HarnessError('BAD_USAGE', `--udp ${JSON.stringify(v)}: expected HOST:PORT, e.g. 127.0.0.1:${UDP_DEVICE_PORT}`);
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
}

/** --nfc's value: HOST:PORT of vpcd (default 127.0.0.1:${VPCD_PORT}), or listen:[HOST:]PORT on loopback. */
export function parseNfc(v: string): { connect: { host: string; port: number } } | { listen: { host: string; port: number } } {
  const bad = () => new HarnessError('BAD_USAGE', `--nfc ${JSON.stringify(v)}: expected HOST:PORT of vpcd (e.g. 127.0.0.1:${VPCD_PORT}) or listen:PORT`);
  if (v.startsWith('listen:')) {
    const m = /^listen:(?:([^:]+):)?(\d{1,5})$/.exec(v);
    if (!m || Number(m[2]) > 65535) throw bad();
    const host = m[1] ?? '127.0.0.1';
    if (!['127.0.0.1', 'localhost', '::1'].includes(host)) throw new HarnessError('BAD_USAGE', `--nfc listen: the card waits for the reader on loopback only (127.0.0.1), not ${host}: a card on the network is anyone's key`);
    return { listen: { host: host === 'localhost' ? '127.0.0.1' : host, port: Number(m[2]) } };
  }
  if (v === '') return { connect: { host: '127.0.0.1', port: VPCD_PORT } };
  const m = /^([^:]+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw bad();
  return { connect: { host: m[1]!, port: Number(m[2]) } };
}

export function parseResetWindow(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === 'off') return 0;
  if (!/^\d{1,7}$/.test(v)) throw new HarnessError('BAD_USAGE', `--reset-window must be milliseconds or off, not ${JSON.stringify(v)}`);
  return Number(v);
}

export function parseTouch(v: string | undefined): ((signal: AbortSignal) => Promise<void>) | undefined {
  if (v === undefined || v === 'auto') return undefined;
  if (v === 'instant') return async () => {};
  const m = /^delay:(\d{1,6})$/.exec(v);
  if (!m) throw new HarnessError('BAD_USAGE', `--touch must be auto, instant or delay:MS, not ${JSON.stringify(v)}`);
  return personTouchingAfter(Number(m[1]));
}

/** Builds the key a softkey command serves (also used by tests to serve it in-process). */
export async function softkeyFromOptions(o: { profile?: string; state?: string; touch?: string; resetWindow?: string }): Promise<{ key: SoftAuthenticator; description: string; save: () => void; entry: MetadataEntry }> {
  const profileFile = o.profile ?? packagePath('fixtures', 'example-compliant-profile.json');
  const stored = o.state ? readDeviceState(o.state) : undefined;
  // the same key as last time: its attestation material comes from the state file
  const restored = stored?.attestation && {
    key: crypto.createPrivateKey({ key: Buffer.from(stored.attestation.key, 'base64url'), format: 'der', type: 'pkcs8' }),
    x5c: stored.attestation.x5c.map((c) => new Uint8Array(Buffer.from(c, 'base64url'))),
    rootPem: stored.attestation.rootPem,
    enterprise: stored.attestation.enterprise && { key: crypto.createPrivateKey({ key: Buffer.from(stored.attestation.enterprise.key, 'base64url'), format: 'der', type: 'pkcs8' }), x5c: stored.attestation.enterprise.x5c.map((c) => new Uint8Array(Buffer.from(c, 'base64url'))) },
  };
  const loaded = await loadProfile(profileFile, { hid: { presence: parseTouch(o.touch) }, attestation: restored || undefined, resetWindowMs: parseResetWindow(o.resetWindow) });
  const key = loaded.key;
  const ent = loaded.attestation.enterprise;
  const attestation: StoredDeviceState['attestation'] = {
    key: loaded.attestation.key.export({ type: 'pkcs8', format: 'der' }).toString('base64url'),
    x5c: loaded.attestation.x5c.map((c) => Buffer.from(c).toString('base64url')),
    rootPem: loaded.rootPem,
    ...(ent ? { enterprise: { key: ent.key.export({ type: 'pkcs8', format: 'der' }).toString('base64url'), x5c: ent.x5c.map((c) => Buffer.from(c).toString('base64url')) } } : {}),
  };
  if (stored) {
    if (stored.aaguid !== Buffer.from(key.aaguid).toString('hex')) throw new HarnessError('BAD_INPUT', `--state ${o.state} belongs to a key with AAGUID ${formatAaguid(Buffer.from(stored.aaguid, 'hex'))}, not this profile's ${formatAaguid(key.aaguid)}: use another state file`);
    restoreDevice(key.device, stored);
  }
  const save = () => {
    if (o.state) writeDeviceState(o.state, snapshotDevice(key.device, { attestation }));
  };
  return { key, description: `${loaded.profile.description} (AAGUID ${loaded.profile.aaguid})`, save, entry: loaded.entry };
}

export async function softkeyCommand(argv: string[], io: CliIo): Promise<number | undefined> {
  // --udp takes an optional value: "--udp" alone, "--udp HOST:PORT" or "--udp=HOST:PORT"
  const args = [...argv];
  for (const flag of ['--udp', '--nfc']) {
    const at = args.indexOf(flag);
    if (at >= 0 && (args[at + 1] === undefined || args[at + 1]!.startsWith('-'))) args[at] = `${flag}=`;
  }
  const { values: v, positionals } = parseCommandArgs(args, { udp: { type: 'string' }, nfc: { type: 'string' }, profile: { type: 'string' }, state: { type: 'string' }, touch: { type: 'string' }, 'reset-window': { type: 'string' }, 'statement-out': { type: 'string' } }, SOFTKEY_USAGE);
  if (v.help) {
    io.out.write(SOFTKEY_USAGE);
    return 0;
  }
  if (positionals.length) throw new HarnessError('BAD_USAGE', `unexpected argument ${positionals[0]}\n${SOFTKEY_USAGE}`);
  if (v.udp === undefined && v.nfc === undefined) throw new HarnessError('BAD_USAGE', `softkey serves over UDP or as an NFC card: add --udp [HOST:PORT] or --nfc [HOST:PORT]\n${SOFTKEY_USAGE}`);
  const listen = v.udp === undefined ? undefined : parseListen(v.udp);
  const nfc = v.nfc === undefined ? undefined : parseNfc(v.nfc);
  if (v.profile && !fs.existsSync(v.profile)) throw new HarnessError('BAD_PROFILE', `cannot read profile ${v.profile}: ENOENT`);
  const { key, description, save, entry } = await softkeyFromOptions({ profile: v.profile, state: v.state, touch: v.touch, resetWindow: v['reset-window'] });
  if (v['statement-out']) {
    try {
      fs.writeFileSync(v['statement-out'], `${JSON.stringify({ aaguid: entry.aaguid, metadataStatement: entry.metadataStatement, statusReports: entry.statusReports }, null, 2)}\n`);
    } catch (e) {
      throw new HarnessError('BAD_USAGE', `cannot write ${v['statement-out']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let timer: NodeJS.Timeout | undefined;
  key.device.onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 50);
  };
  const closers: (() => Promise<void>)[] = [];
  const lines: string[] = [];
  try {
    if (listen) {
      const endpoint = await serveUdpDevice(key.server, listen).catch((e: NodeJS.ErrnoException) => {
        throw new HarnessError('BAD_USAGE', `cannot listen on udp:${listen.host}:${listen.port}: ${e.message}${e.code === 'EADDRINUSE' ? ' (another simulator is running there: stop it or pick another port)' : ''}`);
      });
      closers.push(() => endpoint.close());
      lines.push(`listening on udp:${endpoint.host}:${endpoint.port}`);
    }
    if (nfc) {
      const card = await serveVpcdCard(key.nfc(), nfc, { onEvent: (e) => io.err.write(`nfc: ${e}\n`) }).catch((e: NodeJS.ErrnoException) => {
        throw new HarnessError('BAD_USAGE', `cannot serve the NFC card (${'listen' in nfc ? `listen on ${nfc.listen.host}:${nfc.listen.port}` : `vpcd at ${nfc.connect.host}:${nfc.connect.port}`}): ${e.message}`);
      });
      closers.push(() => card.close());
      lines.push('listen' in nfc ? `an NFC card for vpcd on tcp:${nfc.listen.host}:${card.port} (reader.conf DEVICENAME ${nfc.listen.host}:${card.port})` : `an NFC card in vpcd at ${nfc.connect.host}:${nfc.connect.port}`);
    }
  } catch (e) {
    for (const c of closers) await c().catch(() => {});
    throw e;
  }
  save();
  io.out.write(`software authenticator ${description} ${lines.join('; ')}${v.state ? `; state in ${v.state}` : ''}\n`);
  const stop = async () => {
    clearTimeout(timer);
    save();
    for (const c of closers) await c().catch(() => {});
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // a power cycle on request (a vendor's test rig, fido2-harness check --power-cycle-hook, a person)
  process.on('SIGUSR1', () => {
    key.powerCycle();
    io.out.write('power cycle (SIGUSR1)\n');
  });
  return undefined;
}
