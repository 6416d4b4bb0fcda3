import type { RunReport } from '../checks/evaluateRun.ts';
import { keyChangeLines, metadataSource, predictionLines, runNotes } from './reportNotes.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
const yes = (b: boolean) => (b ? '✅' : '❌');

/** A Markdown summary for a PR comment or a ticket: verdict, predicted table row, what to fix, every check. */
export function renderMarkdown(r: RunReport): string {
  const lines = [
    `# fido2-harness report: ${cell(r.run.subject.label)}`,
    '',
    `**Verdict: ${r.verdict === 'pass' ? 'PASS' : r.verdict === 'incomplete' ? 'INCOMPLETE (load metadata)' : 'FAIL'}** (${r.counts.pass} passed, ${r.counts.fail} failed, ${r.counts.skip} skipped). Run ${r.run.id} via ${r.run.subject.via}, evaluated ${r.evaluatedAt}.`,
    `AAGUID ${r.aaguid ?? 'unknown'}; MDS: ${cell(metadataSource(r))}.`,
    '',
  ];
  if (r.predictedRow) {
    const p = r.predictedRow;
    lines.push('## Predicted row of Microsoft\'s eligible-keys table', '', '| Description | AAGUID | Bio | USB | NFC | BLE |', '|---|---|---|---|---|---|', `| ${cell(p.description)} | ${p.aaguid} | ${yes(p.bio)} | ${yes(p.usb)} | ${yes(p.nfc)} | ${yes(p.ble)} |`, '', p.eligible ? 'The key meets every required check: it is predicted to appear in the table.' : 'The key is **not** predicted to appear: fix the required failures below.', '');
  }
  const predicted = predictionLines(r);
  if (predicted.length) lines.push('## Predictions', '', ...predicted.map((l) => `${l.startsWith('  ') ? '  - ' : '- '}${cell(l.trim())}`), '');
  if (r.toFix.length) {
    lines.push('## To fix', '');
    for (const f of r.toFix) lines.push(`- **${f.id}** (${f.severity})${f.actual ? `: got ${cell(f.actual)}` : ''}. ${cell(f.fix)}`);
    lines.push('');
  }
  lines.push('## Checks', '', '| | Check | Severity | Result | Source |', '|---|---|---|---|---|');
  for (const o of r.outcomes) {
    const mark = o.status === 'pass' ? '✅' : o.status === 'fail' ? '❌' : o.notApplicable ? 'n/a' : o.notRun ? 'not run' : '➖';
    lines.push(`| ${mark} | \`${o.id}\` ${cell(o.title)} | ${o.severity} | ${cell(o.message)}${o.status === 'fail' ? ` (expected ${cell(o.expected ?? '')}, got ${cell(o.actual ?? '')})` : ''} | ${cell(o.source)} |`);
  }
  const notes = runNotes(r);
  if (notes.length) lines.push('', ...notes.map((n) => `> ${cell(n)}`));
  const changes = keyChangeLines(r);
  if (changes.length) lines.push('', `## What this run changed on the key${r.ctap ? ` (${cell(r.ctap.transport)})` : ''}`, '', ...changes.map((l) => `- ${cell(l)}`));
  return `${lines.join('\n')}\n`;
}
