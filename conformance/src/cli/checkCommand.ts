import { HarnessError } from '../errors/HarnessError.ts';
import { parseAreas, parseCommandArgs, parseShard, parseTime, readTenantProfiles } from './args.ts';
import { checkCtapCommand } from './checkCtapCommand.ts';
import type { CliIo } from './main.ts';
import type { NodeHidApi } from '../ctap/transport/NodeHidTransport.ts';
import { loadProfile } from '../emulation/loadProfile.ts';
import { runWithSoftAuthenticator } from '../run/runWithSoftAuthenticator.ts';
import { evaluateRun } from '../checks/evaluateRun.ts';
import { outputsFromArgs, writeAllReports } from './writeReports.ts';

export const CHECK_USAGE = `usage: fido2-harness check --emulate <profile.json> [--allow-reset] [--tenant-profile FILE] [--areas LIST] [--shard i/n] [--format text|json|junit|md|html] [--out FILE]... [--at <time>]
       fido2-harness check --ctap [--device PATH|udp:HOST:PORT] [--pin-env VAR] ...       (check --ctap --help)
       fido2-harness check --virtual [--profile NAME]... [--areas LIST] [--format ...] [--out FILE]  (check --virtual --help)

Runs the conformance catalogue (Microsoft Entra attestation criteria, Windows
Microsoft-compatible key, declared vs observed, hygiene, and the key's own CTAP answers)
against a software authenticator that carries the profile's AAGUID and attestation chain
(generated, or the vendor's PEM files), with an MDS entry generated from the profile or read
from a statement file. It is the run check --ctap performs on a USB key or a simulator, over an
in-process transport. The emulated key exists for this run only, so every group runs, the
destructive ones included (the PIN policy, authenticatorConfig, fingers, large blobs), and a key
without a PIN gets one, as Windows sets one during sign-in; --allow-reset adds the reset (it
waits out the profile's reset window, 10 s unless the profile says otherwise).

--out FILE (repeatable): several outputs of one run, each in the format its extension says (.json,
.xml for JUnit, .md, .html, .txt): all are written before the exit code says pass or fail.

--tenant-profile FILE: a tenant's Entra passkey profiles (Microsoft Graph passkeyProfile JSON: one,
an array, { "value": [...] } or the policy's { "passkeyProfiles": [...] }); the report predicts, per
profile, whether registration and sign-in would be accepted, and why not.

--shard i/n (CI across machines): judge the i-th of n slices of the catalogue; join the n reports with
fido2-harness report merge (the merged report equals the unsharded one, check by check).

exit: 0 every required check passed, 1 a required check failed (or, with no metadata, was not judged: incomplete),
2 the run could not be performed
`;

export async function checkCommand(argv: string[], io: CliIo & { nodeHid?: NodeHidApi }): Promise<number> {
  if (argv.includes('--ctap')) return checkCtapCommand(argv, io);
  const { values: v, positionals } = parseCommandArgs(argv, { emulate: { type: 'string' }, 'allow-reset': { type: 'boolean' }, format: { type: 'string' }, out: { type: 'string', multiple: true }, at: { type: 'string' }, areas: { type: 'string' }, shard: { type: 'string' }, 'tenant-profile': { type: 'string' } }, CHECK_USAGE);
  if (v.help) {
    io.out.write(CHECK_USAGE);
    return 0;
  }
  if (positionals.length) throw new HarnessError('BAD_USAGE', `unexpected argument ${positionals[0]}\n${CHECK_USAGE}`);
  if (!v.emulate) throw new HarnessError('BAD_USAGE', `check needs --emulate <profile.json>, --ctap or --virtual\n${CHECK_USAGE}`);
  const outputs = outputsFromArgs(v.out, v.format);
  const areas = parseAreas(v.areas);
  const shard = parseShard(v.shard);
  const at = v.at === undefined ? undefined : parseTime(v.at);
  const passkeyProfiles = readTenantProfiles(v['tenant-profile']);
  const { profile, key, entry } = await loadProfile(v.emulate);
  const run = await runWithSoftAuthenticator(key, { rpId: 'conformance.fido2-harness.test', origin: 'https://conformance.fido2-harness.test', label: profile.description, mds: { no: 0, nextUpdate: '9999-12-31', entry }, allowReset: v['allow-reset'] });
  run.subject.profile = v.emulate;
  const report = evaluateRun(run, { at, areas, shard, passkeyProfiles });
  return writeAllReports([report], outputs, { wrap: false, out: io.out, env: io.env });
}
