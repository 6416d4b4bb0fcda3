import { startRegistration, startAuthentication, WebAuthnAbortService } from '@simplewebauthn/browser';
import { extensionInputsToBuffers, buffersToBase64url } from './binary.ts';

/**
 * One WebAuthn ceremony from the server's options JSON to response JSON the server can read
 * (binary extension inputs and outputs converted both ways). Browsers hang (not fail) when
 * no authenticator answers on some platforms, so the harness aborts the ceremony itself a
 * little after the timeout it asked for. Browser errors are thrown as they came.
 */
export async function performCeremony(kind: 'registration' | 'authentication', options: Record<string, any>, signal?: AbortSignal): Promise<Record<string, any>> {
  const timer = setTimeout(() => WebAuthnAbortService.cancelCeremony(), (options.timeout ?? 120000) + 5000);
  // the person's Cancel: the browser's pending create()/get() is aborted
  signal?.addEventListener('abort', () => WebAuthnAbortService.cancelCeremony(), { once: true });
  try {
    const optionsJSON = { ...options, extensions: extensionInputsToBuffers(options.extensions) } as never;
    const response: Record<string, any> = kind === 'registration' ? await startRegistration({ optionsJSON }) : await startAuthentication({ optionsJSON });
    response.clientExtensionResults = buffersToBase64url(response.clientExtensionResults);
    return response;
  } finally {
    clearTimeout(timer);
  }
}
