import { HarnessError } from '../errors/HarnessError.ts';
import { parseCommandArgs } from './args.ts';
import { CHECKS } from '../checks/registry.ts';
import { catalogueMarkdown, coverageMarkdown, coverageRows } from '../report/catalogueTables.ts';
import type { CliIo } from './main.ts';

export const CATALOGUE_USAGE = `usage: fido2-harness catalogue [--coverage] [--format md|json]

Prints the check catalogue: each check's ID, area, severity (and the flag it needs when it changes
the key), what it checks and the clause or Microsoft page it rests on. --coverage prints instead
the FIDO conformance tools' CTAP 2.3 test groups, script by script, with the checks that cover
each, the software-key faults that prove those checks fail when they should, and what is not
covered and why.
`;

export async function catalogueCommand(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parseCommandArgs(argv, { coverage: { type: 'boolean' }, format: { type: 'string' } }, CATALOGUE_USAGE);
  if (v.help) {
    io.out.write(CATALOGUE_USAGE);
    return 0;
  }
  if (positionals.length) throw new HarnessError('BAD_USAGE', `unexpected argument ${positionals[0]}\n${CATALOGUE_USAGE}`);
  const format = v.format ?? 'md';
  if (format !== 'md' && format !== 'json') throw new HarnessError('BAD_USAGE', `--format is md or json, not ${JSON.stringify(format)}`);
  if (format === 'json') {
    const body = v.coverage ? { coverage: coverageRows() } : { checks: CHECKS.map(({ evaluate: _e, ...c }) => c) };
    io.out.write(`${JSON.stringify(body, null, 2)}\n`);
  } else io.out.write(`${v.coverage ? coverageMarkdown() : catalogueMarkdown()}\n`);
  return 0;
}
