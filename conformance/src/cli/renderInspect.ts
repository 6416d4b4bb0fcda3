import type { InspectResult } from '../attestation/inspectInput.ts';
import { palette } from '../terminal/palette.ts';

const BASIS: Record<InspectResult['atBasis'], string> = { option: 'from --at', captureTime: "from the input's captureTime", now: 'now' };

/** The human report for one inspected input. */
export function renderInspect(name: string, r: InspectResult, colour: boolean): string {
  const p = palette(colour);
  const lines: string[] = [];
  const verdict = r.verified ? p.green('VERIFIED') : p.red('FAILED');
  lines.push(`${p.bold(name)}: ${r.kind} ${verdict} (as of ${r.at}, ${BASIS[r.atBasis]})`);
  const s = r.summary;
  if (r.kind === 'registration') {
    lines.push(`  format ${s.fmt} (${s.attestationType} attestation), AAGUID ${s.aaguid}, credential ${s.credentialAlg ?? 'unusable key'}`);
    const trust = s.trust === 'trusted' ? p.green('trusted') : s.trust === 'untrusted' ? p.yellow('untrusted') : s.trust === 'unknown' ? p.yellow('unknown') : 'n/a';
    lines.push(`  attestation trust: ${trust}${s.trustAnchor ? `, chain ends at ${s.trustAnchor}` : s.trust === 'unknown' ? ' (no trust anchor known: pass --mds or --roots)' : s.trust === 'untrusted' ? ' (the chain reaches none of the known anchors)' : ''}`);
    if (s.mdsDescription) lines.push(`  MDS: "${s.mdsDescription}"${s.mdsStatus ? `, ${s.mdsStatus}` : ''}`);
  }
  const width = Math.max(...r.findings.map((f) => f.code.length), 10);
  for (const f of r.findings) {
    const st = f.status === 'pass' ? p.green('pass') : f.status === 'fail' ? p.red('FAIL') : f.status === 'warn' ? p.yellow('warn') : p.dim('skip');
    const detail = f.status === 'fail' && f.expected !== undefined ? ` (expected ${f.expected}, got ${f.actual})` : '';
    lines.push(`  ${st}  ${f.code.padEnd(width)}  ${f.message}${detail}  ${p.dim(f.spec)}`);
    if (f.status === 'fail' && f.evidence) lines.push(`        ${' '.repeat(width)}  ${p.dim(`concerns: ${f.evidence}`)}`);
  }
  return lines.join('\n');
}

export interface SummaryRow {
  file: string;
  kind?: string;
  fmt?: string;
  verdict: 'verified' | 'failed' | 'bad input';
  detail: string;
}

export function renderSummary(rows: SummaryRow[], colour: boolean): string {
  const p = palette(colour);
  const w = (k: keyof SummaryRow, min: number) => Math.max(min, ...rows.map((r) => String(r[k] ?? '').length));
  const wf = w('file', 4);
  const wk = w('kind', 4);
  const wm = w('fmt', 3);
  const out = [`${'file'.padEnd(wf)}  ${'kind'.padEnd(wk)}  ${'fmt'.padEnd(wm)}  verdict    first failure`];
  for (const r of rows) {
    const v = r.verdict === 'verified' ? p.green('verified ') : r.verdict === 'failed' ? p.red('failed   ') : p.yellow('bad input');
    out.push(`${r.file.padEnd(wf)}  ${(r.kind ?? '-').padEnd(wk)}  ${(r.fmt ?? '-').padEnd(wm)}  ${v}  ${r.detail}`);
  }
  const n = (v: SummaryRow['verdict']) => rows.filter((r) => r.verdict === v).length;
  out.push(`${rows.length} input(s): ${n('verified')} verified, ${n('failed')} failed, ${n('bad input')} bad input`);
  return out.join('\n');
}
