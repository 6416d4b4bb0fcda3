import { HarnessError } from '../errors/HarnessError.ts';
import { ArgReader, parseTime } from './ArgReader.ts';
import { loadProfile } from '../emulation/loadProfile.ts';
import { runWithSoftAuthenticator } from '../checks/runWithSoftAuthenticator.ts';
import { evaluateRun } from '../checks/evaluateRun.ts';
import { parseReportFormat, writeReports, type ReportFormat } from './writeReports.ts';

export const CHECK_USAGE = `usage: fido2-harness check --emulate <profile.json> [--format text|json|junit|md|html] [--out FILE] [--at <time>]
       fido2-harness check --virtual [--profile NAME]... [--areas LIST] [--format ...] [--out FILE]  (check --virtual --help)

Runs the conformance catalogue (Microsoft Entra attestation criteria, Windows
Microsoft-compatible key, declared vs observed, hygiene) against a software authenticator
that carries the profile's AAGUID and attestation chain (generated, or the vendor's PEM
files), with an MDS entry generated from the profile or read from a statement file.

exit: 0 every required check passed, 1 a required check failed, 2 the run could not be performed
`;

export async function checkCommand(argv: string[], io: { out: NodeJS.WritableStream & { isTTY?: boolean }; env: Record<string, string | undefined> }): Promise<number> {
  let profileFile: string | undefined;
  let format: ReportFormat = 'text';
  let outFile: string | undefined;
  let at: Date | undefined;
  const args = new ArgReader(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    if (a === '--emulate') profileFile = args.value(a);
    else if (a === '--format') {
      format = parseReportFormat(args.value(a));
    } else if (a === '--out') outFile = args.value(a);
    else if (a === '--at') at = parseTime(args.value(a));
    else if (a === '--help' || a === '-h') {
      io.out.write(CHECK_USAGE);
      return 0;
    } else throw new HarnessError('BAD_USAGE', `unknown option ${a}\n${CHECK_USAGE}`);
  }
  if (!profileFile) throw new HarnessError('BAD_USAGE', `check needs --emulate <profile.json>\n${CHECK_USAGE}`);
  const { profile, key, entry } = await loadProfile(profileFile);
  const run = runWithSoftAuthenticator(key, { rpId: 'conformance.fido2-harness.test', origin: 'https://conformance.fido2-harness.test', label: profile.description, mds: { no: 0, nextUpdate: '9999-12-31', entry } });
  run.subject.profile = profileFile;
  const report = evaluateRun(run, { at });
  return writeReports([report], { format, outFile, wrap: false, out: io.out, env: io.env });
}
