import { HarnessError, CHECK_AREAS, evaluateRun, parseCommandArgs, parseAreas, parseShard, readTenantProfiles, outputsFromArgs, writeAllReports, type CheckArea, type PasskeyProfile, type RunReport, type CliIo, type Shard } from '../conformance/src/index.ts';
import { launchChromium } from './chromium.ts';
import { startBlankOrigin, runVirtualProfile } from './runVirtual.ts';
import { VIRTUAL_PROFILES, type VirtualProfile } from './virtualProfiles.ts';

const AREAS: readonly CheckArea[] = CHECK_AREAS;

export const VIRTUAL_USAGE = `usage: fido2-harness check --virtual [--profile NAME]... [--tenant-profile FILE] [--areas LIST] [--shard i/n] [--format text|json|junit|md|html] [--out FILE]

Runs the conformance plan in headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH)
against CDP virtual authenticators, one browser context per profile, all in parallel.
profiles: ${VIRTUAL_PROFILES.map((p) => p.name).join(', ')} (default: all)
--areas: comma-separated subset of ${AREAS.join(', ')} (Chromium's own AAGUID is in no MDS,
         so CI that gates on behaviour uses --areas windows,hygiene)
--shard i/n (CI across machines): judge the i-th of n slices of the catalogue; join the n reports with
fido2-harness report merge (the merged report equals the unsharded one, check by check).

exit: 0 every required check passed in every profile, 1 a required check failed, 2 the run could not be performed
`;

/** All profiles in parallel contexts of one browser; reports in profile order. */
export async function runVirtualMatrix(profiles: VirtualProfile[], o: { areas?: CheckArea[]; shard?: Shard; passkeyProfiles?: { profiles: readonly PasskeyProfile[]; source: string }; progress?: (line: string) => void } = {}): Promise<{ profile: VirtualProfile; report: RunReport }[]> {
  const origin = await startBlankOrigin();
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  try {
    browser = await launchChromium();
  } catch (e) {
    // what was started before the browser is closed too, or the process would never exit
    await origin.close();
    throw e;
  }
  try {
    return await Promise.all(profiles.map(async (profile) => {
      const run = await runVirtualProfile(browser, origin.origin, profile);
      const report = evaluateRun(run, { areas: o.areas, shard: o.shard, passkeyProfiles: o.passkeyProfiles });
      o.progress?.(`${profile.name}: ${report.verdict === 'pass' ? 'pass' : report.verdict === 'incomplete' ? 'INCOMPLETE (load metadata)' : 'FAIL'} (${report.counts.pass} passed, ${report.counts.fail} failed, ${report.counts.skip} skipped)`);
      return { profile, report };
    }));
  } finally {
    await browser.close();
    await origin.close();
  }
}

export async function checkVirtual(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parseCommandArgs(argv, { profile: { type: 'string', multiple: true }, areas: { type: 'string' }, shard: { type: 'string' }, format: { type: 'string' }, out: { type: 'string', multiple: true }, 'tenant-profile': { type: 'string' } }, VIRTUAL_USAGE);
  if (v.help) {
    io.out.write(VIRTUAL_USAGE);
    return 0;
  }
  if (positionals.length) throw new HarnessError('BAD_USAGE', `unexpected argument ${positionals[0]}\n${VIRTUAL_USAGE}`);
  const names = v.profile ?? [];
  const areas = parseAreas(v.areas);
  const shard = parseShard(v.shard);
  const outputs = outputsFromArgs(v.out, v.format);
  const passkeyProfiles = readTenantProfiles(v['tenant-profile']);
  if (outputs.some((o) => o.format === 'html') && names.length !== 1) throw new HarnessError('BAD_USAGE', 'the HTML report is one file per key: add --profile NAME');
  const profiles = names.length ? names.map((n) => VIRTUAL_PROFILES.find((p) => p.name === n) ?? (() => { throw new HarnessError('BAD_USAGE', `unknown profile ${n}; profiles are ${VIRTUAL_PROFILES.map((p) => p.name).join(', ')}`); })()) : VIRTUAL_PROFILES;
  const t0 = Date.now();
  let results: Awaited<ReturnType<typeof runVirtualMatrix>>;
  try {
    results = await runVirtualMatrix(profiles, { areas, shard, passkeyProfiles, progress: (l) => io.err.write(`  ${l}\n`) });
  } catch (e) {
    throw new HarnessError('RUN_FAILED', `the virtual run could not be performed: ${(e as Error).message}`, { cause: e });
  }
  const reports = results.map((r) => r.report);
  io.err.write(`${reports.length} profile(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return writeAllReports(reports, outputs, { wrap: true, out: io.out, env: io.env });
}
