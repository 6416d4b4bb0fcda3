import { CATALOGUE_USAGE } from './catalogueCommand.ts';
import { CHECK_USAGE } from './checkCommand.ts';
import { CHECK_CTAP_USAGE } from './checkCtapCommand.ts';
import { DEVICES_USAGE } from './devicesCommand.ts';
import { INSPECT_USAGE } from './inspectCommand.ts';
import { MDS_USAGE } from './mdsCommand.ts';
import { PROBE_USAGE } from './probeCommand.ts';
import { REPORT_USAGE } from './reportCommand.ts';
import { RESET_USAGE } from './resetCommand.ts';
import { SOFTKEY_USAGE } from './softkeyCommand.ts';

/**
 * Every command's synopsis: the usage lines its own --help starts with (up to the first blank
 * line), so docs/cli.md shows exactly the flags the commands parse (npm run docs writes it).
 */
export function synopsisMarkdown(): string {
  const lines = [INSPECT_USAGE, MDS_USAGE, CHECK_USAGE, CHECK_CTAP_USAGE, REPORT_USAGE, CATALOGUE_USAGE, DEVICES_USAGE, PROBE_USAGE, SOFTKEY_USAGE, RESET_USAGE]
    .map((u) => u.split('\n\n')[0]!.replace(/^usage: /, '').replace(/^ {7}/gm, ''));
  // check's own synopsis points at check --ctap --help, whose lines follow in full
  return ['```', ...lines.join('\n').split('\n').filter((l) => !l.endsWith('(check --ctap --help)')), '```'].join('\n');
}
