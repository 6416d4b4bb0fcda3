import { HarnessError } from '../errors/HarnessError.ts';
import { parseAreas, parseShard, parseCommandArgs, parseTime, readPemCertificates, readTenantProfiles } from './args.ts';
import { deviceFromArgs, DEVICE_HELP, DEVICE_OPTIONS, POWER_CYCLE_HELP, POWER_CYCLE_OPTIONS } from './deviceArgs.ts';
import { changesAllowed } from '../checks/changesAllowed.ts';
import { metadataFromArgs } from './metadataArgs.ts';
import { outputsFromArgs, writeAllReports } from './writeReports.ts';
import { askSecret } from './askSecret.ts';
import { runOverCtap } from '../run/runOverCtap.ts';
import { evaluateRun } from '../checks/evaluateRun.ts';
import type { CliIo } from './main.ts';
import type { NodeHidApi } from '../ctap/transport/NodeHidTransport.ts';
import { openDevice } from '../ctap/CtapDevice.ts';

export const CHECK_CTAP_USAGE = `usage: fido2-harness check --ctap [--device PATH|udp:HOST:PORT|pcsc:READER] [--other-interface SPEC] [--pin-env VAR] [--set-pin]
                           [--destructive] [--allow-reset] [--power-cycle-hook URL]
                           [--mds BLOB]... [--mds-root PEM] [--statement FILE]... [--label NAME] [--firmware VER]
                           [--tenant-profile FILE]
                           [--areas LIST] [--shard i/n] [--format text|json|junit|md|html] [--out FILE]... [--at TIME]

Runs the conformance catalogue on a key over CTAP 2.3, as a browser would drive it (the same
ceremonies, check IDs and reports), plus the ctap area: what only the key's own protocol shows,
group by group as FIDO certification tests it (CTAPHID, request and response validation,
getInfo against its statement, PIN/UV protocols and tokens, hmac-secret and the other
extensions, credential management, power cycles, U2F; with the flags below also PIN blocking
and policy, authenticatorConfig, fingerprint enrollment, large blobs and reset).

By default the key is left as it was: credentials are made only for the harness's own RP IDs
(conformance.fido2-harness.test, ctap.fido2-harness.test) and deleted at the end through
credential management; the report ends with exactly what changed. A PIN is never set or
changed unless you ask (--set-pin), and never tried wrong unless the key has 4 or more retries
left (one wrong try, restored by the right PIN at once). What the flags allow is listed before
the run starts; what they changed (and put back) ends the report.

${DEVICE_HELP}
  --other-interface PATH|udp:HOST:PORT|pcsc:READER
                     the same key over its other interface (a key with USB and NFC: the key on the
                     reader as --device, its USB side here, or the other way round): a credential
                     made over --device must sign over this one too (NFC_USB_SAME_CREDENTIAL);
                     nothing is created over it
  --pin-env VAR      the environment variable holding the key's PIN (without it, a terminal asks;
                     the PIN is never logged, stored or sent anywhere but the key)
  --set-pin          set that PIN on a key that has none yet (it stays: only a reset removes it)
  --destructive      also the groups that change the key and put it back: PIN blocking (three
                     retries spent, a power cycle), the PIN policy (the PIN changed and back),
                     authenticatorConfig (alwaysUv on and off, a forced PIN change), a finger
                     enrolled and removed, the large-blob array written and restored
  --allow-reset      also authenticatorReset, as the run's last act (the key ends up empty), and
                     enterprise attestation on a key that has it off (only a reset turns it off)
${POWER_CYCLE_HELP}
  --mds BLOB         MDS BLOB file(s) with the key's entry (verified first); --mds-root PEM its root
  --statement FILE   a draft metadata statement, the entry of its AAGUID (before the key is in MDS)
  --label NAME       how the report names the key (default: the statement's description)
  --firmware VER     the firmware version, for the report and comparisons
  --areas LIST       a subset of the catalogue's areas (comma-separated)
  --shard i/n        the i-th of n slices of the catalogue (CI across machines; join with report merge)

exit: 0 every required check passed, 1 a required check failed, 2 the key could not be reached,
stopped answering (the report says what ran), or bad usage
`;

/** What the run will change on the key with these flags, said before it starts (the checks' own words). */
export async function checkCtapCommand(argv: string[], io: CliIo & { nodeHid?: NodeHidApi; input?: NodeJS.ReadStream; fetch?: typeof fetch }): Promise<number> {
  const { values: v, positionals } = parseCommandArgs(argv, {
    ctap: { type: 'boolean' }, ...DEVICE_OPTIONS, 'other-interface': { type: 'string' }, ...POWER_CYCLE_OPTIONS, 'pin-env': { type: 'string' }, 'set-pin': { type: 'boolean' }, destructive: { type: 'boolean' }, 'allow-reset': { type: 'boolean' },
    mds: { type: 'string', multiple: true }, 'mds-root': { type: 'string', multiple: true }, statement: { type: 'string', multiple: true },
    label: { type: 'string' }, firmware: { type: 'string' }, 'tenant-profile': { type: 'string' }, areas: { type: 'string' }, shard: { type: 'string' }, format: { type: 'string' }, out: { type: 'string', multiple: true }, at: { type: 'string' },
  }, CHECK_CTAP_USAGE);
  if (v.help) {
    io.out.write(CHECK_CTAP_USAGE);
    return 0;
  }
  if (positionals.length) throw new HarnessError('BAD_USAGE', `unexpected argument ${positionals[0]}\n${CHECK_CTAP_USAGE}`);
  const outputs = outputsFromArgs(v.out, v.format);
  const areas = parseAreas(v.areas);
  const shard = parseShard(v.shard);
  const at = v.at === undefined ? undefined : parseTime(v.at);
  const passkeyProfiles = readTenantProfiles(v['tenant-profile']);
  let pin: string | undefined;
  if (v['pin-env'] !== undefined) {
    pin = io.env[v['pin-env']];
    if (pin === undefined || pin === '') throw new HarnessError('BAD_USAGE', `--pin-env ${v['pin-env']}: that environment variable is not set (it should hold the key's PIN)`);
  }
  const metadata = await metadataFromArgs({ mds: v.mds, mdsRoots: (v['mds-root'] ?? []).flatMap(readPemCertificates), statements: v.statement, err: io.err });
  const device = await deviceFromArgs(v, { nodeHid: io.nodeHid, fetch: io.fetch });
  let other: Awaited<ReturnType<typeof openDevice>> | undefined;
  try {
    if (!device.ctap2 || !device.info) throw new HarnessError('BAD_USAGE', `${device.description} speaks only CTAP1/U2F: check --ctap needs a CTAP2 key (a U2F-only key can be judged through the browser: the guided page)`);
    if (v['other-interface'] !== undefined) {
      if (v['other-interface'] === v.device) throw new HarnessError('BAD_USAGE', '--other-interface names the same device as --device: give the key\'s other interface (its USB side beside the reader, or the reader beside USB)');
      // any client port: the key's two interfaces may both be simulators over UDP
      other = await openDevice(v['other-interface'], { nodeHid: io.nodeHid, udpClientPort: 0 });
      io.err.write(`the same key's other interface: ${other.description}\n`);
    }
    if (pin === undefined && (device.info.options.clientPin === true || v['set-pin'])) pin = await askSecret(v['set-pin'] ? 'new PIN for the key: ' : 'the key\'s PIN: ', { input: io.input, err: io.err });
    const entry = metadata?.byAaguid(device.info.aaguidText);
    if (!metadata) io.err.write('no metadata given (--mds BLOB or --statement FILE): the metadata checks are not judged, and the verdict is at best incomplete\n');
    else if (!entry) io.err.write(`${metadata.description} has no entry for AAGUID ${device.info.aaguidText}\n`);
    const label = v.label ?? entry?.metadataStatement?.description ?? `key ${device.info.aaguidText}`;
    io.err.write(`check --ctap: ${label} on ${device.description}\n`);
    const allowed = changesAllowed({ destructive: v.destructive, allowReset: v['allow-reset'], setPin: v['set-pin'] });
    if (allowed.length) io.err.write(`this run may change the key (and puts back what it can):\n${allowed.map((a) => `  ${a}\n`).join('')}`);
    // a USB key is power-cycled by a person: only when one is there to be asked (or a hook does it)
    const powerCycles = device.power?.how !== 'person' || !!io.input?.isTTY;
    if (!powerCycles) io.err.write('no terminal to ask for a replug and no --power-cycle-hook: the checks that need a power cycle are not run\n');
    let touches = 0;
    const run = await runOverCtap({
      device,
      transport: device.description,
      label,
      pin,
      setPin: v['set-pin'],
      destructive: v.destructive,
      allowReset: v['allow-reset'],
      powerCycles,
      onPrompt: (m) => io.err.write(`  >> ${m}\n`),
      onTouch: () => io.err.write(`  touch the key now (${++touches})\n`),
      onProgress: (what) => io.err.write(`  ${what}\n`),
      metadataFor: (aaguid) => {
        const e = metadata?.byAaguid(aaguid);
        return metadata && e ? { no: metadata.blob?.no ?? 0, nextUpdate: metadata.blob?.nextUpdate ?? '9999-12-31', entry: e } : undefined;
      },
      ...(other ? { otherInterface: { device: other, transport: other.description } } : {}),
    });
    if (v.firmware) run.subject.firmware = v.firmware;
    const report = evaluateRun(run, { at, areas, shard, passkeyProfiles });
    const code = writeAllReports([report], outputs, { wrap: false, out: io.out, env: io.env });
    const broken = run.interrupted ?? run.ctap?.brokenOff;
    if (broken) {
      io.err.write(`the run did not finish: ${broken}\n`);
      return 2;
    }
    return code;
  } finally {
    await other?.close().catch(() => {});
    await device.close().catch(() => {});
  }
}
