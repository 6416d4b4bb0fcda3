import { HarnessError } from '../../errors/HarnessError.ts';
import type { AwaitBack, PowerCycler } from './PowerCycler.ts';

/** How long the hook may take to answer before the power cycle counts as failed. */
export const HOOK_TIMEOUT_MS = 30_000;

/**
 * `--power-cycle-hook URL`: a vendor's rig (a relay board, a programmable USB hub, a bench supply
 * behind a small HTTP service) cycles the key's power when asked. The harness POSTs
 * `{"action":"power-cycle","device":"<what it is talking to>"}` as JSON; any 2xx answer means the
 * power went off and on; then the transport waits for the key to come back as it would after a
 * replug (USB: re-enumerated; UDP: answering CTAPHID_INIT). Anything else is a DEVICE_UNREACHABLE
 * error naming the status, so a run never goes on believing a cycle that did not happen.
 */
export function hookPowerCycler(o: { url: string; device: string; back: AwaitBack; fetch?: typeof fetch; hookTimeoutMs?: number }): PowerCycler {
  const url = parseHookUrl(o.url);
  const doFetch = o.fetch ?? fetch;
  return {
    how: 'hook',
    async cycle(c = {}) {
      let res: Response;
      try {
        res = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'power-cycle', device: o.device }),
          signal: AbortSignal.timeout(o.hookTimeoutMs ?? HOOK_TIMEOUT_MS),
          redirect: 'error',
        });
      } catch (e) {
        throw new HarnessError('DEVICE_UNREACHABLE', `the power-cycle hook ${redacted(url)} did not answer: ${(e as Error).message}`, { cause: e });
      }
      // the body is not needed; drop it so the socket is released
      await res.body?.cancel().catch(() => {});
      if (!res.ok) throw new HarnessError('DEVICE_UNREACHABLE', `the power-cycle hook ${redacted(url)} answered HTTP ${res.status}: the key's power was not cycled`);
      await o.back(c);
    },
  };
}

/** An http(s) URL, or a BAD_USAGE error saying what is wrong with it. */
export function parseHookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HarnessError('BAD_USAGE', `--power-cycle-hook wants an http:// or https:// URL, not ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HarnessError('BAD_USAGE', `--power-cycle-hook wants an http:// or https:// URL, not ${url.protocol}`);
  return url;
}

/** The URL without credentials or query (a token in it stays out of reports and logs). */
function redacted(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
