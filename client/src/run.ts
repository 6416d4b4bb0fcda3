import { $, el, input, select, table } from './dom.ts';
import { api, ApiError } from './api.ts';
import { performCeremony } from './ceremony.ts';
import { explainBrowserError } from './explainError.ts';
import type { CreateRunRequest, CreateRunResponse, ReportDiff, RunList, RunReport, StartUsbRunRequest, UsbDevices, UsbRunStatus } from '../../server/src/schemas/api.ts';

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
  const s = $('run-status');
  s.className = `status ${kind}`;
  s.dataset.kind = kind;
  s.textContent = text;
}

function renderSteps() {
  $('steps').replaceChildren(...plan.map((p, i) => el('li', { class: i < next ? 'done' : i === next ? 'current' : '', 'data-step': p.step }, el('strong', {}, p.step), ' ', p.instruction)));
  const btn = $('next') as HTMLButtonElement;
  btn.disabled = next >= plan.length;
  btn.textContent = next >= plan.length ? 'Run complete' : `Do step ${next + 1}: ${plan[next]!.step}`;
}

function renderReport(r: RunReport) {
  const v = $('verdict');
  v.textContent = r.run.finishedAt ? (r.verdict === 'pass' ? 'PASS' : 'FAIL') : `(${r.counts.pass} passing so far)`;
  v.dataset.verdict = r.run.finishedAt ? r.verdict : 'running';
  const row = r.predictedRow;
  $('row').replaceChildren(row ? table([['predicted Microsoft table row', `${row.description} | ${row.aaguid} | Bio ${row.bio ? 'yes' : 'no'} | USB ${row.usb ? 'yes' : 'no'} | NFC ${row.nfc ? 'yes' : 'no'} | BLE ${row.ble ? 'yes' : 'no'}`], ['eligible', row.eligible ? 'yes' : 'no'], ['metadata', r.mds?.generated ? `generated from the profile ${r.mds.generated} (not from MDS)` : r.mds?.draft ? `draft statement ${r.mds.draft} (not from MDS)` : `MDS BLOB no ${r.mds?.no}`]], 'predicted-row') : el('p', { class: 'muted' }, r.aaguid ? `AAGUID ${r.aaguid} is not in the MDS BLOB the server has loaded.` : 'The key has not registered yet.'));
  const t = el('table', { 'data-testid': 'checks' });
  for (const o of r.outcomes) {
    t.append(el('tr', { class: `finding ${o.status}`, 'data-check': o.id, 'data-status': o.status },
      el('td', {}, o.notApplicable ? 'n/a' : o.status),
      el('td', {}, el('code', {}, o.id), el('br', {}), o.title),
      el('td', {}, o.severity),
      el('td', {}, o.message, o.status === 'fail' ? ` (expected ${o.expected}, got ${o.actual})` : '', o.status === 'fail' ? el('div', { class: 'muted' }, `fix: ${o.fix}`) : '')));
  }
  $('checks').replaceChildren(t);
  const changes = r.keyChanges;
  if (changes) {
    $('checks').append(el('div', { 'data-testid': 'key-changes' },
      el('h3', {}, 'What this run changed on the key'),
      el('p', {}, `created ${changes.created.length} discoverable credential(s), deleted ${changes.deleted.length}${changes.pinSet ? '; the PIN was set by this run' : ''}.`),
      changes.left.length ? el('ul', {}, ...changes.left.map((l) => el('li', { class: 'bad' }, `left on the key: ${l.rpId} ${l.credentialId}: ${l.reason}`))) : el('p', { class: 'ok' }, 'Nothing of this run is left on the key.')));
  }
  $('downloads').replaceChildren(el('p', {}, 'Report: ', ...['html', 'md', 'json', 'junit'].flatMap((f) => [el('a', { href: `/api/runs/${encodeURIComponent(r.run.id)}/report.${f}` }, f), ' '])));
}

async function refreshRuns() {
  const { runs } = await api<RunList>('GET', '/api/runs');
  if (!runs.length) {
    $('runs').replaceChildren(el('p', { class: 'muted' }, 'No runs yet.'));
    return;
  }
  // grouped by AAGUID (the key model), newest first within each: firmware versions side by side
  const groups = new Map<string, RunList['runs']>();
  for (const r of runs) groups.set(r.aaguid ?? 'no registration yet', [...(groups.get(r.aaguid ?? 'no registration yet') ?? []), r]);
  const t = el('table', { 'data-testid': 'runs' });
  t.append(el('tr', {}, ...['', 'key', 'firmware', 'started', 'verdict'].map((h) => el('th', {}, h))));
  for (const [aaguid, list] of groups) {
    t.append(el('tr', { class: 'group' }, el('td', { colspan: '5' }, 'AAGUID ', el('code', {}, aaguid), ` (${list.length} run${list.length > 1 ? 's' : ''})`)));
    for (const r of list) {
      const cb = el('input', { type: 'checkbox', value: r.id, class: 'run-pick', 'aria-label': `select run ${r.id}` });
      t.append(el('tr', { 'data-run': r.id }, el('td', {}, cb), el('td', {}, r.label), el('td', {}, r.firmware ?? ''), el('td', {}, r.startedAt), el('td', {}, r.verdict ?? 'unfinished')));
    }
  }
  $('runs').replaceChildren(t);
}

async function doStep() {
  const p = plan[next];
  if (!runId || !p) return;
  ($('next') as HTMLButtonElement).disabled = true;
  status('busy', p.instruction);
  const options = await api<Obj>('POST', `/api/runs/${runId}/steps/${p.step}/options`);
  let body: Obj;
  try {
    body = { response: await performCeremony(p.kind as 'registration' | 'authentication', options) };
  } catch (e) {
    const err = e as { name?: string; message?: string; cause?: { name?: string } };
    body = { error: { name: String(err.cause?.name ?? err.name ?? 'Error').slice(0, 64), message: String(err.message ?? '').slice(0, 1000) }, challenge: options.challenge };
    status('error', `${explainBrowserError(e, p.kind === 'registration' ? 'register' : 'sign in')}\nThe step is recorded as failed; you can continue.`);
  }
  try {
    const report = await api<RunReport>('POST', `/api/runs/${runId}/steps/${p.step}/result`, body);
    renderReport(report);
    if (body.response) status('ok', `Step ${p.step} done.`);
  } catch (e) {
    status('error', e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
  }
  next += 1;
  renderSteps();
  if (next >= plan.length) {
    status('ok', 'Run complete. Download the report below; the run is stored with the others.');
    await refreshRuns();
  }
}

async function start() {
  const body: CreateRunRequest = {};
  if (input('label').value.trim()) body.label = input('label').value.trim();
  if (input('firmware').value.trim()) body.firmware = input('firmware').value.trim();
  try {
    const r = await api<CreateRunResponse>('POST', '/api/runs', body);
    runId = r.id;
    plan = r.plan;
    next = 0;
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
  const d = await api<ReportDiff>('GET', `/api/runs/diff?a=${picked[0]}&b=${picked[1]}`);
  $('diff-result').replaceChildren(d.changed.length
    ? table(d.changed.map((c) => [c.id, `${c.a} → ${c.b}${c.change === 'changed' ? '' : ` (${c.change})`}`] as [string, string]), 'diff')
    : el('p', {}, 'The two runs agree on every check.'));
}

// ------------------------------------------------------------ over USB: the server drives the key

function usbStatus(kind: 'idle' | 'busy' | 'ok' | 'error' | 'touch', text: string) {
  const s = $('usb-status');
  s.className = `status ${kind}`;
  s.dataset.kind = kind;
  s.textContent = text;
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
  if (!d.available || !d.devices.length) {
    sel.replaceChildren(el('option', { value: '' }, d.available ? '(no key found)' : '(USB not available)'));
    ($('usb-start') as HTMLButtonElement).disabled = true;
    usbStatus('idle', d.available ? 'No FIDO key found over USB. Plug one in and press "look for keys again" (on Linux, check the hidraw permissions: see the README).' : `USB is not available on this server: ${d.reason ?? ''}`);
    return;
  }
  sel.replaceChildren(...d.devices.map((k) => el('option', { value: k.path }, `${k.product ?? 'FIDO key'}${k.manufacturer ? ` (${k.manufacturer})` : ''}, ${k.vendorId}:${k.productId}, ${k.path}`)));
  ($('usb-start') as HTMLButtonElement).disabled = false;
  usbStatus('idle', `${d.devices.length} key${d.devices.length > 1 ? 's' : ''} found. Press "Test over USB" and touch the key when asked.`);
}

async function startUsb() {
  const body: StartUsbRunRequest = {};
  if (select('usb-device').value) body.device = select('usb-device').value;
  if (input('label').value.trim()) body.label = input('label').value.trim();
  if (input('firmware').value.trim()) body.firmware = input('firmware').value.trim();
  const pin = input('usb-pin').value;
  if (pin) body.pin = pin;
  if (input('usb-set-pin').checked) body.setPin = true;
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
    usbStatus(st.touchNow ? 'touch' : 'busy', st.touchNow ? `Touch the key now (${st.step ?? ''})` : `Running: ${st.step ?? 'starting'}…`);
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
  if (st.state === 'done') usbStatus('ok', `Done: ${(st.report as unknown as RunReport | undefined)?.verdict === 'pass' ? 'PASS' : 'FAIL'}. The run is stored with the others; the report below ends with what changed on the key.`);
  else usbStatus('error', `The run did not finish: ${st.error ?? 'unknown error'}`);
  btn.disabled = false;
  await refreshRuns();
}

$('usb-start').addEventListener('click', () => void startUsb());
$('usb-refresh').addEventListener('click', () => void refreshUsb());
void refreshUsb();

$('start').addEventListener('click', () => void start());
$('next').addEventListener('click', () => void doStep());
$('diff').addEventListener('click', () => void diff());
refreshRuns().then(() => (document.body.dataset.ready = 'true')).catch((e) => status('error', `Could not reach the harness server: ${(e as Error).message}`));
