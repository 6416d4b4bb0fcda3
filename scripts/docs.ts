/**
 * npm run docs: the tables in docs/*.md that are generated from the code (the catalogue, the
 * software key's features and faults, the fault matrix), written between their markers.
 * test/docs.test.ts fails when a page's copy differs from what this would write.
 */
import fs from 'node:fs';
import { catalogueMarkdown, coverageMarkdown } from '../conformance/src/report/catalogueTables.ts';
import { COMPLIANT_VARIANTS, FAULT_CASES, faultMatrixMarkdown, softFaultTableMarkdown } from '../conformance/src/run/faultMatrix.ts';
import { CHECKS } from '../conformance/src/checks/registry.ts';
import { featureTableMarkdown } from '../conformance/src/emulation/device/features.ts';
import { synopsisMarkdown } from '../conformance/src/cli/synopsis.ts';
import { algorithmTableMarkdown, COSE_ALGORITHMS } from '../conformance/src/webauthn/coseAlgorithms.ts';
import { VERIFIABLE_ALGORITHMS } from '../conformance/src/webauthn/coseKey.ts';

/** The sizes the architecture page quotes, counted from the code. */
function countsMarkdown(): string {
  const ctap = new Set(CHECKS.filter((c) => c.area === 'ctap').map((c) => c.id));
  const ctapCases = FAULT_CASES.filter((c) => c.expect.some((id) => ctap.has(id)) && c.faults && c.link !== 'nfc').length;
  const nfcCases = FAULT_CASES.filter((c) => c.link === 'nfc').length;
  return `Today: ${CHECKS.length} checks, ${ctap.size} of them in the \`ctap\` area; a fault matrix of ${FAULT_CASES.length} defect cases (${ctapCases} of them at the CTAP and CTAPHID level, run in process and again over a real UDP socket; ${nfcCases} of the NFC card, run over its APDUs) and ${COMPLIANT_VARIANTS.length} compliant variants that must pass.`;
}

export const GENERATED_BLOCKS: { file: string; marker: string; make: () => string; inline?: boolean }[] = [
  { file: 'docs/cli.md', marker: 'synopsis', make: synopsisMarkdown },
  { file: 'docs/architecture.md', marker: 'counts', make: countsMarkdown },
  { file: 'docs/checks.md', marker: 'catalogue', make: () => catalogueMarkdown() },
  { file: 'docs/checks.md', marker: 'coverage', make: () => coverageMarkdown() },
  { file: 'docs/verification.md', marker: 'algorithms', make: () => algorithmTableMarkdown(VERIFIABLE_ALGORITHMS) },
  { file: 'README.md', marker: 'readme-algorithms', make: () => COSE_ALGORITHMS.filter((a) => VERIFIABLE_ALGORITHMS.includes(a.id)).map((a) => a.name).join(', '), inline: true },
  { file: 'docs/software-key.md', marker: 'features', make: featureTableMarkdown },
  { file: 'docs/software-key.md', marker: 'soft-faults', make: softFaultTableMarkdown },
  { file: 'docs/software-key.md', marker: 'fault-matrix', make: faultMatrixMarkdown },
];

/** the text between `<!-- marker:start -->` and `<!-- marker:end -->`, trimmed (undefined: no markers) */
export function blockIn(text: string, marker: string): string | undefined {
  const start = text.indexOf(`<!-- ${marker}:start -->`);
  const end = text.indexOf(`<!-- ${marker}:end -->`);
  if (start < 0 || end < start) return undefined;
  return text.slice(start + `<!-- ${marker}:start -->`.length, end).trim();
}

export function writeBlocks(): string[] {
  const changed: string[] = [];
  for (const b of GENERATED_BLOCKS) {
    const text = fs.readFileSync(b.file, 'utf8');
    const start = `<!-- ${b.marker}:start -->`;
    const end = `<!-- ${b.marker}:end -->`;
    if (blockIn(text, b.marker) === undefined) throw new Error(`${b.file} has no ${start} … ${end}`);
    const nl = b.inline ? '' : '\n';
    const next = text.slice(0, text.indexOf(start) + start.length) + `${nl}${b.make()}${nl}` + text.slice(text.indexOf(end));
    if (next !== text) {
      fs.writeFileSync(b.file, next);
      changed.push(`${b.file} (${b.marker})`);
    }
  }
  return changed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const changed = writeBlocks();
  process.stdout.write(changed.length ? `updated: ${changed.join(', ')}\n` : 'docs are current\n');
}
