import { startRegistration, startAuthentication, WebAuthnAbortService } from '@simplewebauthn/browser';
import { extensionInputsToBuffers, buffersToBase64url } from './binary.ts';

/**
 * One WebAuthn ceremony from the server's options JSON to response JSON the server can read
 * (binary extension inputs and outputs converted both ways). Browsers hang (not fail) when
 * no authenticator answers on some platforms, so the harness aborts the ceremony itself a
 * little after the timeout it asked for. Browser errors are thrown as they came.
 */
export async function performCeremony(kind: 'registration' | 'authentication', options: Record<string, any>): Promise<Record<string, any>> {
  const timer = setTimeout(() => WebAuthnAbortService.cancelCeremony(), (options.timeout ?? 120000) + 5000);
  try {
    const optionsJSON = { ...options, extensions: extensionInputsToBuffers(options.extensions) } as never;
    const response: Record<string, any> = kind === 'registration' ? await startRegistration({ optionsJSON }) : await startAuthentication({ optionsJSON });
    response.clientExtensionResults = buffersToBase64url(response.clientExtensionResults);
    return response;
  } finally {
    clearTimeout(timer);
  }
}
