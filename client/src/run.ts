import { $, el, input, select, table, showStatus } from './dom.ts';
import { api, ApiError } from './api.ts';
import { performCeremony } from './ceremony.ts';
import { explainBrowserError } from './explainError.ts';
import { codeId } from './render.ts';
import { showAccountBadge } from './accountBadge.ts';
import type { CreateRunRequest, CreateRunResponse, PlanResponse, ReportDiff, RunList, RunReport, StartUsbRunRequest, UsbDevices, UsbRunStatus } from '../../server/src/schemas/api.ts';

/**
 * The guided physical-key run: the server hands out each step's options and judges each
 * result; this page tells the person what to do, runs the ceremony, and shows the checks
 * as they stand after every step. Everything from the server is rendered as text.
 */
type Obj = Record<string, any>;
let runId: string | undefined;
let plan: { step: string; kind: string; instruction: string }[] = [];
let next = 0;

function status(kind: 'idle' | 'busy' | 'ok' | 'error', text: string) {
  showStatus('run-status', kind, text);
}

let busy = false;
/** steps the run has an outcome for (a redo replaces the step's earlier outcome) */
let doneSteps = new Set<string>();

function renderSteps() {
  $('steps').replaceChildren(...plan.map((p, i) => {
    const done = doneSteps.has(p.step);
    const redo = el('button', { type: 'button', class: 'small redo', 'data-redo': p.step, title: 'do this step again (its earlier outcome is replaced)' }, 'redo');
    (redo as HTMLButtonElement).disabled = busy;
    // a finished run is a record; redoing a step belongs to a run in progress
    redo.hidden = !runId;
    redo.addEventListener('click', () => void doStep(i, true));
    return el('li', { class: done ? 'done' : i === next ? 'current' : '', 'data-step': p.step }, el('strong', {}, p.step), ' ', p.instruction, done ? ' ' : '', done ? redo : '');
  }));
  const btn = $('next') as HTMLButtonElement;
  btn.disabled = busy || next >= plan.length;
  btn.textContent = next >= plan.length ? 'Run complete' : `Do step ${next + 1}: ${plan[next]!.step}`;
  ($('cancel') as HTMLButtonElement).hidden = !busy;
}

/** the step to do next: the first without an outcome */
function firstOpen(): number {
  const i = plan.findIndex((p) => !doneSteps.has(p.step));
  return i < 0 ? plan.length : i;
}

/** the run in progress survives a reload of the page (this tab) */
function remember() {
  if (runId) sessionStorage.setItem('fh-run', JSON.stringify({ runId, plan }));
  else sessionStorage.removeItem('fh-run');
}

function renderReport(r: RunReport) {
  const v = $('verdict');
  v.textContent = r.run.finishedAt ? (r.verdict === 'pass' ? 'PASS' : r.verdict === 'incomplete' ? 'INCOMPLETE: load metadata' : 'FAIL') : `(${r.counts.pass} passing so far)`;
  v.dataset.verdict = r.run.finishedAt ? r.verdict : 'running';
  const row = r.predictedRow;
  $('row').replaceChildren(row ? table([['predicted Microsoft table row', `${row.description} | ${row.aaguid} | Bio ${row.bio ? 'yes' : 'no'} | USB ${row.usb ? 'yes' : 'no'} | NFC ${row.nfc ? 'yes' : 'no'} | BLE ${row.ble ? 'yes' : 'no'}`], ['eligible', row.eligible ? 'yes' : 'no'], ['metadata', r.mds?.generated ? `generated from the profile ${r.mds.generated} (not from MDS)` : r.mds?.draft ? `draft statement ${r.mds.draft} (not from MDS)` : `MDS BLOB no ${r.mds?.no}`]], 'predicted-row') : el('p', { class: 'muted' }, !r.aaguid ? 'The key has not registered yet.' : r.mds ? `AAGUID ${r.aaguid} is not in the metadata the server has loaded.` : 'Predicted Microsoft table row: incomplete: no metadata is loaded (start the server with --mds or --statements).'));
  // a tenant's passkey profiles (serve --tenant-profile): each one's verdict, with the reasons
  const pp = r.passkeyProfiles;
  if (pp) {
    $('row').append(el('div', { 'data-testid': 'passkey-profiles' },
      el('h3', {}, `Entra passkey profiles (${pp.source}): registration ${pp.registration}${pp.acceptedBy.length ? `, accepted by ${pp.acceptedBy.join(', ')}` : ''}`),
      el('ul', {}, ...pp.profiles.map((x) => el('li', { 'data-profile': x.id, class: x.registration.verdict === 'accepted' ? 'ok' : x.registration.verdict === 'refused' ? 'bad' : '' },
        `${x.name} (attestation ${x.attestationEnforcement === 'registrationOnly' ? 'enforced' : 'not enforced'}; ${x.passkeyTypes.join(' + ')}): registration ${x.registration.verdict}${x.registration.reasons.length ? `: ${x.registration.reasons.join('; ')}` : ''}; sign-in ${x.signIn.verdict}${x.signIn.reasons.length ? `: ${x.signIn.reasons.join('; ')}` : ''}`)))));
  }
  const t = el('table', { 'data-testid': 'checks' });
  t.append(el('tr', { class: 'head' }, ...['result', 'check', 'severity', 'what was seen'].map((h) => el('th', { scope: 'col' }, h))));
  for (const o of r.outcomes) {
    const shown = o.pending ? 'pending' : o.notApplicable ? 'n/a' : o.status;
    t.append(el('tr', { class: `finding ${o.pending ? 'pending' : o.status}`, 'data-check': o.id, 'data-status': o.status, 'data-shown': shown },
      el('td', {}, shown),
      el('td', {}, codeId(o.id), el('br', {}), o.title),
      el('td', {}, o.severity),
      el('td', {}, o.message, o.status === 'fail' && !o.pending ? ` (expected ${o.expected}, got ${o.actual})` : '', o.status === 'fail' && !o.pending ? el('div', { class: 'muted' }, `fix: ${o.fix}`) : '')));
  }
  $('checks').replaceChildren(...(r.metadataMissing ? [el('p', { class: 'status error', 'data-testid': 'no-metadata' }, r.mds ? `The metadata checks fail for one reason: ${r.metadataMissing}.` : `The metadata checks were not judged: ${r.metadataMissing}.`)] : []), t);
  if (r.keyChanges) {
    // the same lines every report format ends with (the report carries them)
    const lines = r.keyChangeLines ?? [];
    $('checks').append(el('div', { 'data-testid': 'key-changes' },
      el('h3', {}, 'What this run changed on the key'),
      el('ul', {}, ...lines.map((l) => el('li', { class: /^(LEFT ON THE KEY|CHANGED|not listed)|FEWER|may still be on the key/.test(l) ? 'bad' : /^nothing of this run is left/.test(l) ? 'ok' : '' }, l)))));
  }
  $('downloads').replaceChildren(el('p', {}, 'Report: ', ...['html', 'md', 'json', 'junit'].flatMap((f) => [el('a', { href: `/api/runs/${encodeURIComponent(r.run.id)}/report.${f}` }, f), ' '])));
}

let pastRuns: RunList['runs'] = [];

let nextRuns: string | undefined;

/** the newest page of runs again, or (older) the page after the ones shown */
async function refreshRuns(older = false) {
  const page = await api<RunList>('GET', `/api/runs${older && nextRuns ? `?cursor=${encodeURIComponent(nextRuns)}` : ''}`);
  nextRuns = page.next;
  const runs = older ? [...pastRuns, ...page.runs] : page.runs;
  pastRuns = runs;
  if (!runs.length) {
    $('runs').replaceChildren(el('p', { class: 'muted' }, 'No runs yet.'));
    return;
  }
  // grouped by AAGUID (the key model), newest first within each: firmware versions side by side
  const groups = new Map<string, RunList['runs']>();
  for (const r of runs) groups.set(r.aaguid ?? 'no registration yet', [...(groups.get(r.aaguid ?? 'no registration yet') ?? []), r]);
  const t = el('table', { 'data-testid': 'runs' });
  t.append(el('tr', {}, ...['', 'key', 'firmware', 'started', 'verdict', ''].map((h) => el('th', {}, h))));
  for (const [aaguid, list] of groups) {
    const hist = /^[0-9a-f-]{36}$/.test(aaguid) ? el('button', { type: 'button', class: 'small', 'data-history': aaguid }, 'history') : undefined;
    hist?.addEventListener('click', () => void showHistory(aaguid));
    t.append(el('tr', { class: 'group' }, el('td', { colspan: '6' }, 'AAGUID ', el('code', {}, aaguid), ` (${list.length} run${list.length > 1 ? 's' : ''}) `, ...(hist ? [hist] : []))));
    for (const r of list) {
      const cb = el('input', { type: 'checkbox', value: r.id, class: 'run-pick', 'aria-label': `select run ${r.id}` });
      const open = el('button', { type: 'button', class: 'small open-run', 'data-open': r.id }, r.verdict ? 'open' : 'resume');
      open.addEventListener('click', () => void openRun(r.id));
      t.append(el('tr', { 'data-run': r.id }, el('td', {}, cb), el('td', {}, r.label), el('td', {}, r.firmware ?? ''), el('td', {}, r.startedAt), el('td', {}, r.verdict ?? 'unfinished'), el('td', {}, open)));
    }
  }
  const more = nextRuns ? el('button', { type: 'button', class: 'small', 'data-testid': 'older-runs' }, 'Show older runs') : undefined;
  more?.addEventListener('click', () => void refreshRuns(true));
  $('runs').replaceChildren(t, ...(more ? [more] : []));
}

interface History {
  aaguid: string;
  runs: { id: string; label: string; firmware: string | null; startedAt: string; finished: boolean; verdict: string }[];
  checks: { id: string; title: string; severity: string; outcomes: string[] }[];
  regressions: { check: string; from: number; to: number }[];
}

/**
 * A key model's history as a picture: one column per run (oldest first, by firmware and date), one
 * row per check, each cell coloured by its outcome; a cell that regressed from the run before it is
 * marked, and the rows with a regression come first.
 */
async function showHistory(aaguid: string) {
  const h = await api<History>('GET', `/api/history?aaguid=${encodeURIComponent(aaguid)}`);
  const regressed = new Set(h.regressions.map((r) => `${r.check}@${r.to}`));
  const rows = [...h.checks].sort((a, b) => Number(h.regressions.some((r) => r.check === b.id)) - Number(h.regressions.some((r) => r.check === a.id)));
  const t = el('table', { class: 'history', 'data-testid': 'history' });
  t.append(el('tr', {}, el('th', { scope: 'col' }, 'check'), ...h.runs.map((r) => el('th', { scope: 'col', title: `${r.label} ${r.startedAt}` }, r.firmware ?? r.label, el('br', {}), el('span', { class: 'muted' }, r.startedAt.slice(0, 10)), r.finished ? '' : el('span', { class: 'muted' }, ' (unfinished)')))));
  for (const c of rows) {
    t.append(el('tr', { 'data-check': c.id }, el('td', {}, codeId(c.id)), ...c.outcomes.map((o, i) => {
      const down = regressed.has(`${c.id}@${i}`);
      return el('td', { class: `cell ${o.replace('/', '')}${down ? ' regressed' : ''}`, 'data-outcome': o, ...(down ? { 'data-regressed': 'true', title: `regressed since ${h.runs[i - 1]?.firmware ?? 'the run before'}` } : {}) }, `${down ? '▼ ' : ''}${o}`);
    })));
  }
  $('history').replaceChildren(
    el('h3', {}, 'History of AAGUID ', el('code', {}, aaguid)),
    el('p', { 'data-testid': 'history-summary' }, h.regressions.length ? `${h.regressions.length} regression(s) between consecutive runs (marked ▼, listed first).` : `No regression between consecutive runs (${h.runs.length} run${h.runs.length === 1 ? '' : 's'}).`),
    el('div', { class: 'wide' }, t),
  );
  $('history').scrollIntoView({ block: 'nearest' });
}

/** a stored run: its report, and (unfinished, browser runs) its steps to go on with */
async function openRun(id: string, quiet = false) {
  try {
    const report = await api<RunReport>('GET', `/api/runs/${encodeURIComponent(id)}`);
    renderReport(report);
    if (report.run.subject.via === 'physical' && !report.run.finishedAt) {
      runId = id;
      if (!plan.length) plan = (await api<PlanResponse>('GET', '/api/plan')).plan;
      doneSteps = new Set(report.run.ceremonies.map((c) => c.step));
      next = firstOpen();
      remember();
      renderSteps();
      status('idle', `Run ${id} resumed at step ${next + 1} of ${plan.length}.`);
    } else if (!quiet) status('idle', `Showing run ${id} (${report.run.subject.label}${report.run.subject.firmware ? `, firmware ${report.run.subject.firmware}` : ''}).`);
  } catch (e) {
    if (quiet) {
      runId = undefined;
      remember();
      return;
    }
    status('error', e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
  }
}

let abort: AbortController | undefined;

/** Step `i` (the next one, or a redo of a done one). A cancelled ceremony records nothing. */
async function doStep(i = next, redo = false) {
  const p = plan[i];
  if (!runId || !p || busy) return;
  busy = true;
  renderSteps();
  status('busy', `${redo ? 'Again: ' : ''}${p.instruction}`);
  let options: Obj;
  try {
    options = await api<Obj>('POST', `/api/runs/${runId}/steps/${p.step}/options`);
  } catch (e) {
    busy = false;
    renderSteps();
    status('error', e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    return;
  }
  abort = new AbortController();
  let body: Obj | undefined;
  const t0 = performance.now();
  try {
    body = { response: await performCeremony(p.kind as 'registration' | 'authentication', options, abort.signal) };
  } catch (e) {
    if (abort.signal.aborted) {
      busy = false;
      renderSteps();
      status('idle', `Step ${p.step} cancelled: nothing was recorded. Press the step's button when you are ready.`);
      return;
    }
    const err = e as { name?: string; message?: string; cause?: { name?: string } };
    body = { error: { name: String(err.cause?.name ?? err.name ?? 'Error').slice(0, 64), message: String(err.message ?? '').slice(0, 1000) }, challenge: options.challenge };
    status('error', `${explainBrowserError(e, p.kind === 'registration' ? 'register' : 'sign in', { options, elapsedMs: performance.now() - t0 })}\nThe step is recorded as failed; redo it or continue.`);
  }
  try {
    const report = await api<RunReport>('POST', `/api/runs/${runId}/steps/${p.step}/result`, body);
    renderReport(report);
    doneSteps.add(p.step);
    if (body.response) status('ok', `Step ${p.step} done.`);
    // the past-runs list shows this run as it now stands (its AAGUID, unfinished or its verdict)
    void refreshRuns().catch(() => {});
  } catch (e) {
    // the wrong account picked in the chooser is the person's slip, not the key's: the step stays open
    status('error', e instanceof ApiError ? (e.code === 'WRONG_ACCOUNT_PICKED' ? `${e.message}.` : `${e.code}: ${e.message}`) : String(e));
  }
  busy = false;
  next = firstOpen();
  renderSteps();
  if (next >= plan.length && !redo) {
    status('ok', 'Run complete. The report downloads are under the verdict ("Checks"); the run is stored with the others.');
    runId = undefined;
    remember();
    renderSteps();
    await refreshRuns();
  }
}

async function start() {
  if (runId && doneSteps.size > 0 && !window.confirm(`A run is in progress (${doneSteps.size} of ${plan.length} steps done). Start another? The current one stays in the list, unfinished, and can be resumed.`)) return;
  const body: CreateRunRequest = {};
  if (input('label').value.trim()) body.label = input('label').value.trim();
  if (input('firmware').value.trim()) body.firmware = input('firmware').value.trim();
  try {
    const r = await api<CreateRunResponse>('POST', '/api/runs', body);
    runId = r.id;
    plan = r.plan;
    doneSteps = new Set();
    next = 0;
    remember();
    renderSteps();
    status('idle', `Run ${r.id} started. Press "Do step 1" and follow the instruction.`);
    await refreshRuns();
  } catch (e) {
    status('error', e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
  }
}

async function diff() {
  const picked = [...document.querySelectorAll<HTMLInputElement>('.run-pick:checked')].map((c) => c.value);
  if (picked.length !== 2) {
    $('diff-result').replaceChildren(el('p', { class: 'muted' }, 'Select exactly two runs.'));
    return;
  }
  // a is the older run, b the newer: "regressed" means it got worse over time
  const [a, b] = picked.map((id) => pastRuns.find((r) => r.id === id)!).sort((x, y) => x.startedAt.localeCompare(y.startedAt));
  const d = await api<ReportDiff>('GET', `/api/runs/diff?a=${a!.id}&b=${b!.id}`);
  const side = (r: RunList['runs'][number]) => `${r.label}${r.firmware ? ` firmware ${r.firmware}` : ''} (${r.startedAt})`;
  $('diff-result').replaceChildren(
    el('p', { 'data-testid': 'diff-sides' }, `a: ${side(a!)} → b: ${side(b!)}`),
    d.changed.length
      ? table(d.changed.map((c) => [c.id, `${c.a} → ${c.b}${c.change === 'changed' ? '' : ` (${c.change})`}`] as [string, string]), 'diff')
      : el('p', {}, 'The two runs agree on every check they both judged.'),
    ...(d.notCompared?.length ? [el('p', { class: 'muted', 'data-testid': 'diff-not-compared' }, `Not compared (a step not run yet in an unfinished run): ${d.notCompared.map((c) => c.id).join(', ')}.`)] : []),
  );
}

// ------------------------------------------------------------ over USB: the server drives the key

function usbStatus(kind: 'idle' | 'busy' | 'ok' | 'error' | 'touch', text: string) {
  showStatus('usb-status', kind, text);
}

async function refreshUsb() {
  const sel = select('usb-device');
  let d: UsbDevices;
  try {
    d = await api<UsbDevices>('GET', '/api/usb/devices');
  } catch (e) {
    sel.replaceChildren(el('option', { value: '' }, '(not available)'));
    ($('usb-start') as HTMLButtonElement).disabled = true;
    usbStatus('idle', e instanceof ApiError ? e.message : String(e));
    return;
  }
  mayChange = d.mayChange;
  showUsbChanges();
  if (!d.available || !d.devices.length) {
    sel.replaceChildren(el('option', { value: '' }, d.available ? '(no key found)' : '(USB not available)'));
    ($('usb-start') as HTMLButtonElement).disabled = true;
    usbStatus('idle', d.available ? 'No FIDO key found over USB. Plug one in and press "look for keys again" (on Linux, check the hidraw permissions: see the README).' : `USB is not available on this server: ${d.reason ?? ''}`);
    return;
  }
  sel.replaceChildren(...d.devices.map((k) => el('option', { value: k.path }, k.path.startsWith('pcsc:') ? `NFC: the key on ${k.product ?? 'a reader'} (${k.productId})` : `${k.product ?? 'FIDO key'}${k.manufacturer ? ` (${k.manufacturer})` : ''}, ${k.vendorId}:${k.productId}, ${k.path}`)));
  ($('usb-start') as HTMLButtonElement).disabled = false;
  usbStatus('idle', `${d.devices.length} key${d.devices.length > 1 ? 's' : ''} found. Press "Test the key" and touch the key when asked (over NFC, keep it on the reader).`);
}

let mayChange: UsbDevices['mayChange'];

/** Under the boxes: what the ticked ones let the run change on the key, before it starts. */
function showUsbChanges() {
  const box = $('usb-changes');
  const lines = [
    ...(input('usb-set-pin').checked ? mayChange?.setPin ?? [] : []),
    ...(input('usb-destructive').checked || input('usb-allow-reset').checked ? mayChange?.destructive ?? [] : []),
    ...(input('usb-allow-reset').checked ? mayChange?.allowReset ?? [] : []),
  ];
  box.hidden = lines.length === 0;
  box.replaceChildren(el('p', {}, 'This run may change the key (it puts back what it can):'), el('ul', {}, ...lines.map((l) => el('li', {}, l))));
}

async function startUsb() {
  const body: StartUsbRunRequest = {};
  if (select('usb-device').value) body.device = select('usb-device').value;
  if (input('label').value.trim()) body.label = input('label').value.trim();
  if (input('firmware').value.trim()) body.firmware = input('firmware').value.trim();
  const pin = input('usb-pin').value;
  if (pin) body.pin = pin;
  if (input('usb-set-pin').checked) body.setPin = true;
  if (input('usb-replug').checked) body.replug = true;
  if (input('usb-destructive').checked) body.destructive = true;
  if (input('usb-allow-reset').checked) body.allowReset = true;
  const btn = $('usb-start') as HTMLButtonElement;
  btn.disabled = true;
  let st: UsbRunStatus;
  try {
    st = await api<UsbRunStatus>('POST', '/api/usb/runs', body);
  } catch (e) {
    usbStatus('error', e instanceof ApiError ? `${e.message}` : String(e));
    btn.disabled = false;
    return;
  }
  // the PIN is not kept in the page once the server has it
  input('usb-pin').value = '';
  while (st.state === 'running') {
    // what the person must do: replug, a finger on the sensor, a long touch; else a touch; else wait
    if (st.prompt) usbStatus('touch', st.prompt);
    else usbStatus(st.touchNow ? 'touch' : 'busy', st.touchNow ? `Touch the key now (${st.step ?? ''})` : `Running: ${st.step ?? 'starting'}…`);
    await new Promise((r) => setTimeout(r, 250));
    try {
      st = await api<UsbRunStatus>('GET', `/api/usb/runs/${st.id}`);
    } catch (e) {
      usbStatus('error', e instanceof ApiError ? e.message : String(e));
      btn.disabled = false;
      return;
    }
  }
  if (st.report) renderReport(st.report as unknown as RunReport);
  if (st.state === 'done') usbStatus('ok', `Done: ${{ pass: 'PASS', fail: 'FAIL', incomplete: 'INCOMPLETE (load metadata)' }[(st.report as unknown as RunReport | undefined)?.verdict ?? 'fail']}. The run is stored with the others; the report below ends with what changed on the key.`);
  else usbStatus('error', `The run did not finish: ${st.error ?? 'unknown error'}`);
  btn.disabled = false;
  await refreshRuns();
}

$('usb-start').addEventListener('click', () => void startUsb());
for (const id of ['usb-set-pin', 'usb-destructive', 'usb-allow-reset']) $(id).addEventListener('change', showUsbChanges);
$('usb-refresh').addEventListener('click', () => void refreshUsb());
void refreshUsb();

$('start').addEventListener('click', () => void start());
$('next').addEventListener('click', () => void doStep());
$('cancel').addEventListener('click', () => abort?.abort());
$('diff').addEventListener('click', () => void diff());
// a run in progress in this tab survives a reload
const saved = sessionStorage.getItem('fh-run');
if (saved) {
  try {
    const s = JSON.parse(saved) as { runId: string; plan: typeof plan };
    plan = s.plan;
    void openRun(s.runId, true);
  } catch {
    sessionStorage.removeItem('fh-run');
  }
}
void showAccountBadge();
refreshRuns().then(() => (document.body.dataset.ready = 'true')).catch((e) => status('error', e instanceof ApiError && e.code === 'ACCOUNT_REQUIRED'
  ? 'This harness is shared between people: sign in first on the account page (link in the header), then reload.'
  : `Could not reach the harness server: ${(e as Error).message}`));
