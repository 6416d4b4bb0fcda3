import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorResponses, startUsbRunBody, usbDevicesResponse, usbRunStatusResponse, type StartUsbRunRequest, type UsbRunStatus } from '../schemas/api.ts';
import {
  HarnessError, attachMetadata, changesAllowed, evaluateRun, fidoDevices, openDevice, probeReaders, runOverCtap, type CtapDevice, type NodeHidApi, type PcscApi, type RunEvidence,
} from '../../../conformance/src/index.ts';

/** How the server reaches node-hid: loaded on first use (tests hand in a fake at its API boundary). */
export type NodeHidLoader = () => Promise<NodeHidApi>;
/** How the server reaches PC/SC (NFC readers): the optional smartcard binding, loaded on first use. */
export type PcscLoader = () => Promise<PcscApi>;

interface Job {
  /** the team that started it (accounts on) */
  team: string | null;
  status: UsbRunStatus;
}

const MAX_LOG = 200;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The guided run over USB: the server, on the machine the key is plugged into, drives the key
 * itself through node-hid (runOverCtap: the ceremony plan as a browser performs it, then the
 * CTAP probes, then the key put back) while the page polls the job and shows "touch the key
 * now" from KEEPALIVE UP_NEEDED. Only from this machine (the request must come from loopback):
 * a server reachable from elsewhere must not let anyone touch the key on its desk. The PIN comes
 * in the start request, goes to the key and nowhere else (not stored, not logged, not echoed).
 * One run at a time; the finished run is stored like every guided run (same list, reports, diff).
 */
export async function usbRunRoutes(app: FastifyInstance, o: { nodeHid: NodeHidLoader; pcsc?: PcscLoader }) {
  const jobs = new Map<string, Job>();
  let active: string | undefined;
  const localOnly = (req: FastifyRequest) => {
    if (!LOOPBACK.has(req.ip)) throw new HarnessError('USB_LOCAL_ONLY', 'a run over USB drives the key plugged into the server\'s machine: open the page on that machine (http://localhost…)', { status: 403 });
  };
  const hid = async (): Promise<NodeHidApi> => {
    try {
      return await o.nodeHid();
    } catch (e) {
      throw new HarnessError('USB_UNAVAILABLE', `USB access is not available on this server: ${(e as Error).message}`, { status: 409, cause: e });
    }
  };

  /** the NFC readers holding a FIDO key, as devices (path pcsc:NAME); none when PC/SC is not there */
  const nfcKeys = async () => {
    try {
      const probed = await probeReaders(await o.pcsc!());
      return probed.filter((p) => p.fido).map((p) => ({ path: `pcsc:${p.reader}`, vendorId: 'NFC', productId: p.version ?? '', manufacturer: null, product: p.reader }));
    } catch {
      return [];
    }
  };
  // the boxes' consequences: only what the flag adds (--allow-reset implies --destructive's list)
  const destructive = changesAllowed({ destructive: true });
  const mayChange = { destructive, allowReset: changesAllowed({ allowReset: true }).filter((c) => !destructive.includes(c)), setPin: changesAllowed({ setPin: true }) };
  app.get('/api/usb/devices', { schema: { response: { 200: usbDevicesResponse, ...errorResponses } } }, async (req) => {
    localOnly(req);
    const nfc = o.pcsc ? await nfcKeys() : [];
    let api: NodeHidApi;
    try {
      api = await hid();
    } catch (e) {
      return nfc.length ? { available: true, reason: (e as Error).message, mayChange, devices: nfc } : { available: false, reason: (e as Error).message, mayChange, devices: [] };
    }
    try {
      return { available: true, mayChange, devices: [...fidoDevices(api).map((d) => ({ path: d.path!, vendorId: `0x${d.vendorId.toString(16).padStart(4, '0')}`, productId: `0x${d.productId.toString(16).padStart(4, '0')}`, manufacturer: d.manufacturer ?? null, product: d.product ?? null })), ...nfc] };
    } catch (e) {
      return { available: false, reason: `listing HID devices failed: ${(e as Error).message}`, mayChange, devices: nfc };
    }
  });

  app.post<{ Body: StartUsbRunRequest }>('/api/usb/runs', { schema: { body: startUsbRunBody, response: { 200: usbRunStatusResponse, ...errorResponses } } }, async (req) => {
    localOnly(req);
    if (active) throw new HarnessError('USB_BUSY', 'a run over USB is already going on: wait for it to finish', { status: 409 });
    const body = req.body ?? {};
    const overNfc = body.device?.startsWith('pcsc:') === true;
    const api = overNfc ? undefined : await hid();
    // only a key the list showed: a HID path, or an NFC reader holding a FIDO key; never a simulator or another kind of --device
    const listed = overNfc ? (await nfcKeys()).some((d) => d.path === body.device) : body.device === undefined || fidoDevices(api!).some((d) => d.path === body.device);
    if (!listed) throw new HarnessError('DEVICE_NOT_FOUND', `no FIDO key at ${body.device}: press "look for keys again"`, { status: 404 });
    let device: CtapDevice;
    try {
      // openDevice: a key replugged for a power cycle is followed to its new path; an NFC reader through PC/SC
      device = overNfc ? await openDevice(body.device, { pcsc: await o.pcsc!() }) : await openDevice(body.device, { nodeHid: api });
    } catch (e) {
      if (e instanceof HarnessError) throw new HarnessError(e.code, e.message, { status: e.code === 'DEVICE_NOT_FOUND' ? 404 : 424, cause: e });
      throw e;
    }
    const info = device.info;
    const refuse = async (code: 'USB_CTAP1_ONLY' | 'PIN_REQUIRED', message: string) => {
      await device.close().catch(() => {});
      throw new HarnessError(code, message, { status: 400 });
    };
    if (!device.ctap2 || !info) return refuse('USB_CTAP1_ONLY', 'this key speaks only CTAP1/U2F: run it through the browser steps above');
    if (info.options.clientPin === true && body.pin === undefined && !body.setPin) return refuse('PIN_REQUIRED', 'this key has a PIN: type it in the PIN field (it goes to the key and nowhere else)');
    if (body.setPin && body.pin === undefined) return refuse('PIN_REQUIRED', 'type the new PIN to set on the key');
    const id = crypto.randomUUID();
    const job: Job = { team: app.teams.owner(req), status: { id, state: 'running', touchNow: false, touches: 0, log: [] } };
    const log = (line: string) => {
      job.status.log.push(line);
      if (job.status.log.length > MAX_LOG) job.status.log.shift();
    };
    jobs.set(id, job);
    active = id;
    const label = body.label ?? info.aaguidText;
    void runOverCtap({
      device,
      transport: device.description,
      label,
      pin: body.pin,
      setPin: body.setPin,
      destructive: body.destructive,
      allowReset: body.allowReset,
      // a person replugs a USB key only when they said they can; a reader cycles its field itself
      powerCycles: device.power?.how !== 'person' || body.replug === true,
      onPrompt: (m) => {
        job.status.prompt = m;
        log(m);
      },
      onTouch: () => {
        job.status.touchNow = true;
        job.status.touches += 1;
      },
      onProgress: (what) => {
        job.status.touchNow = false;
        delete job.status.prompt;
        job.status.step = what;
        log(what);
      },
      metadataFor: () => undefined,
      now: () => new Date(app.now()),
    })
      .then(async (run: RunEvidence) => {
        if (body.firmware) run.subject.firmware = body.firmware;
        const report = evaluateRun(attachMetadata(run, app.metadata.current()), { at: new Date(app.now()), passkeyProfiles: app.passkeyProfiles });
        await app.runs.saveRun({ id: run.id, aaguid: report.aaguid ?? null, label, firmware: body.firmware ?? null, via: 'ctap', startedAt: run.startedAt, verdict: run.finishedAt ? report.verdict : null, evidence: run, team: job.team });
        Object.assign(job.status, { state: run.interrupted || run.ctap?.brokenOff ? 'failed' : 'done', runId: run.id, report, touchNow: false, ...(run.interrupted || run.ctap?.brokenOff ? { error: run.interrupted ?? run.ctap?.brokenOff } : {}) });
      })
      .catch((e: unknown) => {
        Object.assign(job.status, { state: 'failed', touchNow: false, error: e instanceof HarnessError ? `${e.code}: ${e.message}` : `the run failed: ${(e as Error).message}` });
        if (!(e instanceof HarnessError)) req.log.error({ err: e }, 'USB run failed');
      })
      .finally(() => {
        active = undefined;
        void device.close().catch(() => {});
        // finished jobs are kept a while for the page to read, then forgotten
        setTimeout(() => jobs.delete(id), 10 * 60_000).unref();
      });
    return job.status;
  });

  app.get<{ Params: { id: string } }>('/api/usb/runs/:id', {
    schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } }, response: { 200: usbRunStatusResponse, ...errorResponses } },
  }, async (req) => {
    localOnly(req);
    const found = jobs.get(req.params.id);
    const job = found && app.teams.canSee(req, found.team) ? found : undefined;
    if (!job) throw new HarnessError('RUN_UNKNOWN', `no run over USB ${req.params.id}`, { status: 404 });
    return job.status;
  });
}
