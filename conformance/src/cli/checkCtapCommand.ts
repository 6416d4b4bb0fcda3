import { HarnessError } from '../errors/HarnessError.ts';
import { parseAreas, parseShard, parseCommandArgs, parseTime, readPemCertificates } from './args.ts';
import { deviceFromArgs, DEVICE_HELP, DEVICE_OPTIONS } from './deviceArgs.ts';
import { metadataFromArgs } from './metadataArgs.ts';
import { outputsFromArgs, writeAllReports } from './writeReports.ts';
import { askSecret } from './askSecret.ts';
import { runOverCtap } from '../run/runOverCtap.ts';
import { evaluateRun } from '../checks/evaluateRun.ts';
import type { CliIo } from './main.ts';
import type { NodeHidApi } from '../ctap/transport/NodeHidTransport.ts';

export const CHECK_CTAP_USAGE = `usage: fido2-harness check --ctap [--device PATH|udp:HOST:PORT] [--pin-env VAR] [--set-pin] [--destructive]
                           [--mds BLOB]... [--mds-root PEM] [--statement FILE]... [--label NAME] [--firmware VER]
                           [--areas LIST] [--shard i/n] [--format text|json|junit|md|html] [--out FILE]... [--at TIME]

Runs the conformance catalogue on a key over CTAP 2.1, as a browser would drive it (the same
ceremonies, check IDs and reports), plus the ctap area: what only the key's own protocol shows
(getInfo against its statement, PIN/UV protocols, hmac-secret, credential management,
credProtect, excludeList, U2F, error codes, CTAPHID channels, user presence).

The key is left as it was: credentials are made only for the harness's own RP IDs
(conformance.fido2-harness.test, ctap.fido2-harness.test) and deleted at the end through
credential management; the report ends with exactly what changed. It is never reset; a PIN is
never set or changed unless you ask (--set-pin), and never tried wrong unless the key has 4 or
more retries left (one wrong try, restored by the right PIN at once).

${DEVICE_HELP}
  --pin-env VAR      the environment variable holding the key's PIN (without it, a terminal asks;
                     the PIN is never logged, stored or sent anywhere but the key)
  --set-pin          set that PIN on a key that has none yet (it stays: only a reset removes it)
  --destructive      allow PIN tests on a key with fewer than 4 retries left
  --mds BLOB         MDS BLOB file(s) with the key's entry (verified first); --mds-root PEM its root
  --statement FILE   a draft metadata statement, the entry of its AAGUID (before the key is in MDS)
  --label NAME       how the report names the key (default: the statement's description)
  --firmware VER     the firmware version, for the report and comparisons
  --areas LIST       a subset of the catalogue's areas (comma-separated)
  --shard i/n        the i-th of n slices of the catalogue (CI across machines; join with report merge)

exit: 0 every required check passed, 1 a required check failed, 2 the key could not be reached,
stopped answering (the report says what ran), or bad usage
`;

export async function checkCtapCommand(argv: string[], io: CliIo & { nodeHid?: NodeHidApi; input?: NodeJS.ReadStream }): Promise<number> {
  const { values: v, positionals } = parseCommandArgs(argv, {
    ctap: { type: 'boolean' }, ...DEVICE_OPTIONS, 'pin-env': { type: 'string' }, 'set-pin': { type: 'boolean' }, destructive: { type: 'boolean' },
    mds: { type: 'string', multiple: true }, 'mds-root': { type: 'string', multiple: true }, statement: { type: 'string', multiple: true },
    label: { type: 'string' }, firmware: { type: 'string' }, areas: { type: 'string' }, shard: { type: 'string' }, format: { type: 'string' }, out: { type: 'string', multiple: true }, at: { type: 'string' },
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
  let pin: string | undefined;
  if (v['pin-env'] !== undefined) {
    pin = io.env[v['pin-env']];
    if (pin === undefined || pin === '') throw new HarnessError('BAD_USAGE', `--pin-env ${v['pin-env']}: that environment variable is not set (it should hold the key's PIN)`);
  }
  const metadata = await metadataFromArgs({ mds: v.mds, mdsRoots: (v['mds-root'] ?? []).flatMap(readPemCertificates), statements: v.statement, err: io.err });
  const device = await deviceFromArgs(v, { nodeHid: io.nodeHid });
  try {
    if (!device.ctap2 || !device.info) throw new HarnessError('BAD_USAGE', `${device.description} speaks only CTAP1/U2F: check --ctap needs a CTAP2 key (a U2F-only key can be judged through the browser: the guided page)`);
    if (pin === undefined && (device.info.options.clientPin === true || v['set-pin'])) pin = await askSecret(v['set-pin'] ? 'new PIN for the key: ' : 'the key\'s PIN: ', { input: io.input, err: io.err });
    const entry = metadata?.byAaguid(device.info.aaguidText);
    if (!metadata) io.err.write('no metadata given (--mds BLOB or --statement FILE): the metadata checks will fail as for a key not in MDS\n');
    else if (!entry) io.err.write(`${metadata.description} has no entry for AAGUID ${device.info.aaguidText}\n`);
    const label = v.label ?? entry?.metadataStatement?.description ?? `key ${device.info.aaguidText}`;
    io.err.write(`check --ctap: ${label} on ${device.description}\n`);
    let touches = 0;
    const run = await runOverCtap({
      device,
      transport: device.description,
      label,
      pin,
      setPin: v['set-pin'],
      destructive: v.destructive,
      onTouch: () => io.err.write(`  touch the key now (${++touches})\n`),
      onProgress: (what) => io.err.write(`  ${what}\n`),
      metadataFor: (aaguid) => {
        const e = metadata?.byAaguid(aaguid);
        return metadata && e ? { no: metadata.blob?.no ?? 0, nextUpdate: metadata.blob?.nextUpdate ?? '9999-12-31', entry: e } : undefined;
      },
    });
    if (v.firmware) run.subject.firmware = v.firmware;
    const report = evaluateRun(run, { at, areas, shard });
    const code = writeAllReports([report], outputs, { wrap: false, out: io.out, env: io.env });
    const broken = run.interrupted ?? run.ctap?.brokenOff;
    if (broken) {
      io.err.write(`the run did not finish: ${broken}\n`);
      return 2;
    }
    return code;
  } finally {
    await device.close().catch(() => {});
  }
}
