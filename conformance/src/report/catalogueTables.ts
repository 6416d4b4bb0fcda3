import { CHECKS } from '../checks/registry.ts';
import type { CheckDefinition } from '../checks/Check.ts';
import type { CheckId } from '../checks/checkIds.ts';
import { FIDO_TEST_GROUPS, NOT_COVERED, type FidoTestScript } from '../checks/fidoTestGroups.ts';
import { FAULT_CASES } from '../run/faultMatrix.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The check catalogue as a Markdown table (docs/checks.md carries it). */
export function catalogueMarkdown(checks: readonly CheckDefinition[] = CHECKS): string {
  const rows = checks.map((c) => `| \`${c.id}\` | ${c.area} | ${c.severity}${c.changesKey ? ` (${c.changesKey.flag})` : ''} | ${cell(c.title)} | ${cell(c.source)} |`);
  return ['| ID | area | severity | what it checks | source |', '|---|---|---|---|---|', ...rows].join('\n');
}

export interface CoverageRow {
  group: string;
  script: FidoTestScript;
  /** the checks covering it */
  checks: CheckId[];
  /** the software key's faults that prove those checks catch something (the fault matrix) */
  faults: string[];
  /** when no check covers it: why */
  notCovered?: string;
}

/**
 * The faults that prove a check: the fault-matrix cases that name it, the most targeted first
 * (a case that fails few checks says more about each than one that breaks everything).
 */
function provingFaults(id: CheckId): string[] {
  const cases = FAULT_CASES.filter((c) => c.expect.includes(id)).sort((a, b) => a.expect.length - b.expect.length);
  const targeted = cases.filter((c) => c.expect.length <= 3);
  return (targeted.length ? targeted : cases.slice(0, 1)).map((c) => c.fault);
}

/** FIDO's CTAP 2.3 authenticator test groups, script by script: our checks, the faults proving them, or why not covered. */
export function coverageRows(checks: readonly CheckDefinition[] = CHECKS): CoverageRow[] {
  return FIDO_TEST_GROUPS.flatMap((g) => g.scripts.map((script) => {
    const covering = checks.filter((c) => c.covers?.includes(script)).map((c) => c.id);
    const faults = [...new Set(covering.flatMap(provingFaults))];
    return { group: g.group, script, checks: covering, faults, ...(covering.length ? {} : { notCovered: NOT_COVERED[script] ?? 'not covered yet' }) };
  }));
}

/** The coverage table as Markdown (docs/checks.md and `fido2-harness catalogue --coverage`). */
export function coverageMarkdown(rows: CoverageRow[] = coverageRows()): string {
  const lines = rows.map((r) => `| ${r.group} | ${r.script} | ${r.checks.length ? r.checks.map((id) => `\`${id}\``).join(', ') : `not covered: ${cell(r.notCovered!)}`} | ${r.faults.map((f) => `\`${f}\``).join(', ')} |`);
  return ['| FIDO test group | script | checks | faults of the software key that prove them |', '|---|---|---|---|', ...lines].join('\n');
}
