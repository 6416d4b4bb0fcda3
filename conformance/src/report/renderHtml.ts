import type { RunReport } from '../checks/evaluateRun.ts';
import { keyChangeLines, metadataSource, runNotes, predictionLines } from './reportNotes.ts';

/** Everything from a response, a profile or metadata goes through here: nothing is trusted markup. */
export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"'`]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!);
}

/** a check ID that breaks only after its underscores, never mid-word */
const idHtml = (id: string) => `<code class="id">${esc(id).replace(/_/g, '_<wbr>')}</code>`;

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1f24;margin:24px auto;max-width:1100px;padding:0 16px}
h1{font-size:1.4rem;margin:0 0 4px}h2{font-size:1.1rem;margin:24px 0 8px}.muted{color:#5b6570}
.verdict{display:inline-block;padding:4px 12px;border-radius:6px;font-weight:700}.pass{background:#e6f6ea;color:#116329}.fail{background:#fde8e6;color:#b42318}.incomplete{background:#fff4e0;color:#8a5300}.predictions li{overflow-wrap:anywhere}.wide{overflow-x:auto;max-width:100%}.predictions li.sub{margin-left:1.5em}.skip{background:#eef0f3;color:#5b6570}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e5e7eb;padding:5px 8px;text-align:left;vertical-align:top}th{background:#f6f7f9}
code{font-family:ui-monospace,Menlo,monospace;font-size:12px;word-break:break-all}code.id{word-break:normal;overflow-wrap:normal}.yes{color:#116329;font-weight:600}.no{color:#5b6570}.s{font-weight:600;text-transform:uppercase;font-size:11px}
.note{background:#fff8e1;border-left:3px solid #f2b600;padding:6px 10px}.changes li.left{color:#b42318;font-weight:600}`;

/**
 * A single-file HTML report a vendor can attach to an email: inline CSS, no script, no
 * external assets, and a CSP that forbids both should anything slip through the escaping.
 */
/** how the run reached the key, in words (a guided run in the browser cannot tell a physical key from a virtual one) */
const VIA: Record<string, string> = { physical: 'the guided page (a key through the browser)', virtual: "Chromium's virtual authenticator", software: 'the software key', ctap: 'CTAP, straight to the key' };

export function renderHtml(r: RunReport): string {
  const row = r.predictedRow;
  // words, not emoji: a mail client or a machine without an emoji font shows empty boxes for those
  const yes = (b: boolean) => (b ? '<span class="yes">yes</span>' : '<span class="no">no</span>');
  const outcomes = r.outcomes.map((o) => `<tr data-check="${esc(o.id)}"><td><span class="s ${o.status}">${esc(o.notApplicable ? 'n/a' : o.notRun ? 'not run' : o.status)}</span></td><td>${idHtml(o.id)}<br>${esc(o.title)}</td><td>${esc(o.severity)}</td><td>${esc(o.message)}${o.status === 'fail' ? `<br><span class="muted">expected</span> ${esc(o.expected)}<br><span class="muted">got</span> ${esc(o.actual)}` : ''}</td><td class="muted">${esc(o.source)}</td></tr>`).join('\n');
  const fixes = r.toFix.map((f) => `<li>${idHtml(f.id)} (${esc(f.severity)})${f.actual ? `: got ${esc(f.actual)}` : ''}. ${esc(f.fix)}</li>`).join('\n');
  const notes = runNotes(r).map((n) => `<p class="note">${esc(n)}</p>`).join('\n');
  const predicted = predictionLines(r).map((l) => `<li${l.startsWith('  ') ? ' class="sub"' : ''}>${esc(l.trim())}</li>`).join('\n');
  const changes = keyChangeLines(r).map((l) => `<li${l.startsWith('LEFT') ? ' class="left"' : ''}>${esc(l)}</li>`).join('\n');
  const ceremonies = r.run.ceremonies.map((c) => `<tr><td><code>${esc(c.step)}</code></td><td>${esc(c.kind)}</td><td>${c.ok ? 'ok' : `failed: ${esc(c.error)}`}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fido2-harness report: ${esc(r.run.subject.label)}</title><style>${STYLE}</style></head>
<body>
<h1>fido2-harness report: ${esc(r.run.subject.label)}</h1>
<p><span class="verdict ${r.verdict}" data-verdict="${r.verdict}">${r.verdict === 'pass' ? 'PASS' : r.verdict === 'incomplete' ? 'INCOMPLETE: load metadata' : 'FAIL'}</span>
${r.counts.pass} passed, ${r.counts.fail} failed, ${r.counts.skip} skipped</p>
<p class="muted">Run <code>${esc(r.run.id)}</code> via ${esc(VIA[r.run.subject.via] ?? r.run.subject.via)}${r.run.subject.profile ? ` (${esc(r.run.subject.profile)})` : ''}${r.run.subject.firmware ? `, firmware ${esc(r.run.subject.firmware)}` : ''}; started ${esc(r.run.startedAt)}; evaluated ${esc(r.evaluatedAt)}. RP ID ${esc(r.run.rpId)}. AAGUID <code>${esc(r.aaguid ?? 'unknown')}</code>; MDS: ${esc(metadataSource(r))}.</p>
${row ? `<h2>Predicted row of Microsoft's eligible-keys table</h2>
<div class="wide"><table><tr><th>Description</th><th>AAGUID</th><th>Bio</th><th>USB</th><th>NFC</th><th>BLE</th></tr>
<tr><td>${esc(row.description)}</td><td><code>${esc(row.aaguid)}</code></td><td>${yes(row.bio)}</td><td>${yes(row.usb)}</td><td>${yes(row.nfc)}</td><td>${yes(row.ble)}</td></tr></table></div>
<p>${row.eligible ? 'Every required check passed: the key is predicted to appear in the table.' : 'The key is <strong>not</strong> predicted to appear: fix the required failures below.'}</p>` : ''}
${predicted ? `<h2>Predictions</h2><ul class="predictions">${predicted}</ul>` : ''}
${fixes ? `<h2>To fix</h2><ul>${fixes}</ul>` : ''}
<h2>Checks</h2>
<div class="wide"><table><tr><th></th><th>Check</th><th>Severity</th><th>Result</th><th>Source</th></tr>
${outcomes}
</table></div>
${notes}
${changes ? `<h2>What this run changed on the key${r.ctap ? ` (${esc(r.ctap.transport)})` : ''}</h2><ul class="changes">${changes}</ul>` : ''}
<h2>Ceremonies</h2>
<div class="wide"><table><tr><th>Step</th><th>Kind</th><th>Outcome</th></tr>
${ceremonies}
</table></div>
<p class="muted">Schema ${esc(r.$schema)} v${r.schemaVersion}. Generated by fido2-harness.</p>
</body></html>
`;
}
