import type { RunReport } from '../checks/evaluateRun.ts';
import { palette } from '../terminal/palette.ts';
import { keyChangeLines, metadataSource, predictionLines, runNotes } from './reportNotes.ts';

/** Terminal rendering: one line per check, failures with expected/actual and the fix. */
export function renderText(r: RunReport, colour: boolean): string {
  const p = palette(colour);
  const lines = [`${p.bold(r.run.subject.label)}: ${r.verdict === 'pass' ? p.green('PASS') : r.verdict === 'incomplete' ? p.yellow('INCOMPLETE: load metadata') : p.red('FAIL')} (${r.counts.pass} passed, ${r.counts.fail} failed, ${r.counts.skip} skipped)`];
  lines.push(`  ${p.dim(`metadata: ${metadataSource(r)}`)}`);
  if (r.predictedRow) lines.push(`  predicted Microsoft table row: ${r.predictedRow.description} | ${r.predictedRow.aaguid} | Bio ${r.predictedRow.bio ? 'yes' : 'no'} | USB ${r.predictedRow.usb ? 'yes' : 'no'} | NFC ${r.predictedRow.nfc ? 'yes' : 'no'} | BLE ${r.predictedRow.ble ? 'yes' : 'no'}${r.predictedRow.eligible ? '' : p.red('  (not eligible)')}`);
  for (const l of predictionLines(r)) lines.push(`  ${l}`);
  const w = Math.max(...r.outcomes.map((o) => o.id.length));
  for (const o of r.outcomes) {
    const st = o.status === 'pass' ? p.green('pass') : o.status === 'fail' ? p.red('FAIL') : p.dim(o.notApplicable ? 'n/a ' : o.notRun ? 'off ' : 'skip');
    lines.push(`  ${st}  ${o.id.padEnd(w)}  ${p.dim(o.severity.padEnd(11))} ${o.message}${o.status === 'fail' ? ` (expected ${o.expected}, got ${o.actual})` : ''}`);
    if (o.status === 'fail') lines.push(`        ${' '.repeat(w)}  fix: ${o.fix}`);
  }
  for (const n of runNotes(r)) lines.push(`  ${p.yellow(n)}`);
  const changes = keyChangeLines(r);
  if (changes.length) lines.push(`  what this run changed on the key${r.ctap ? ` (${r.ctap.transport})` : ''}:`, ...changes.map((l) => `    ${l.startsWith('LEFT') ? p.red(l) : l}`));
  return lines.join('\n');
}
