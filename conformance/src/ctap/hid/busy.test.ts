import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../../emulation/SoftAuthenticator.ts';
import { personTouchingAfter } from '../../emulation/softPerson.ts';
import { serveUdpDevice } from '../transport/UdpDeviceEndpoint.ts';
import { openUdpTransport } from '../transport/UdpTransport.ts';
import { connectDevice } from '../CtapDevice.ts';
import { CtapError } from '../CtapError.ts';
import { CTAP_STATUS } from '../status.ts';

/**
 * Two clients on one key over a real UDP socket: while one waits for the person's touch, the key
 * answers the other CTAP1_ERR_CHANNEL_BUSY (CTAP 2.1 §11.2.3). The second client asks again with
 * a bounded backoff and gets its answer once the first is done; with a short deadline it gives up
 * saying the key is busy with another client.
 */
describe('CTAPHID: a key busy with another client', () => {
  it('the second client waits its turn; with a short deadline it says who is busy', async () => {
    const key = new SoftAuthenticator({ hid: { presence: personTouchingAfter(800) } });
    const endpoint = await serveUdpDevice(key.server, { host: '127.0.0.1', port: 0 });
    const open = async () => connectDevice(await openUdpTransport({ host: '127.0.0.1', port: endpoint.port, clientPort: 0 }));
    const [a, b] = [await open(), await open()];
    try {
      const make = () => a.ctap2!.makeCredential({ clientDataHash: crypto.randomBytes(32), rp: { id: 'busy.example' }, user: { id: crypto.randomBytes(8), name: 'u' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }] });
      // the first client holds the key for the touch; the second asks meanwhile
      const first = make();
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const info = await b.ctap2!.getInfo();
      expect(info.versions).toContain('FIDO_2_0');
      expect(Date.now() - started).toBeGreaterThan(300);
      await first;
      // again, with a deadline shorter than the touch
      const second = make();
      await new Promise((r) => setTimeout(r, 100));
      const e = await b.ctap2!.getInfo({ busyRetryMs: 200 }).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(CtapError);
      expect((e as CtapError).ctapStatus).toBe(CTAP_STATUS.CTAP1_ERR_CHANNEL_BUSY);
      expect((e as Error).message).toMatch(/stayed busy with another client's transaction for 0\.\d s/);
      await second;
    } finally {
      await a.close();
      await b.close();
      await endpoint.close();
    }
  });
});
