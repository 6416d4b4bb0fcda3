import type { Page } from 'playwright-core';
import { domErrorName, type SoftAuthenticator } from '../conformance/src/index.ts';

/**
 * The software authenticator inside a real page, in place of navigator.credentials: the page
 * keeps its own code (@simplewebauthn/browser, the guided run) and the server sees the key
 * as it would see a physical one. clientDataJSON is built as Chromium builds it, with the
 * page's origin; the key's errors surface as the DOMExceptions a browser would raise.
 */
export interface SoftKeyController {
  /** the credential ID a person would pick in the account chooser for the next discoverable sign-in */
  nextChoice?: string;
}

export async function installSoftAuthenticator(page: Page, key: SoftAuthenticator): Promise<SoftKeyController> {
  const controller: SoftKeyController = {};
  await page.exposeBinding('__fido2HarnessSoftKey', async (source, kind: 'create' | 'get', options: Record<string, unknown>) => {
    const origin = new URL(source.frame.url()).origin;
    try {
      if (kind === 'create') return { ok: await key.create(options, origin) };
      const choose = controller.nextChoice;
      controller.nextChoice = undefined;
      return { ok: await key.get(options, origin, {}, choose) };
    } catch (e) {
      return { error: { name: domErrorName(e), message: (e as Error).message } };
    }
  });
  await page.addInitScript(() => {
    const b64u = (buf: ArrayBuffer | ArrayBufferView): string => {
      const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      let s = '';
      for (const x of bytes) s += String.fromCharCode(x);
      return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    };
    const fromB64u = (s: string): ArrayBuffer => {
      const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
      const out = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
      return out.buffer;
    };
    // options with BufferSources -> the JSON form (binary as base64url), recursively
    const toJson = (v: unknown): unknown => {
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return b64u(v as ArrayBuffer);
      if (Array.isArray(v)) return v.map(toJson);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'signal').map(([k, x]) => [k, toJson(x)]));
      return v;
    };
    const extOut = (ext: Record<string, any>) => {
      const out: Record<string, any> = { ...ext };
      if (ext.prf?.results) out.prf = { ...ext.prf, results: Object.fromEntries(Object.entries(ext.prf.results).map(([k, x]) => [k, fromB64u(x as string)])) };
      if (typeof ext.largeBlob?.blob === 'string') out.largeBlob = { ...ext.largeBlob, blob: fromB64u(ext.largeBlob.blob) };
      return out;
    };
    const credential = (json: Record<string, any>) => {
      const r = json.response;
      const response: Record<string, unknown> = { clientDataJSON: fromB64u(r.clientDataJSON) };
      if (r.attestationObject) {
        response.attestationObject = fromB64u(r.attestationObject);
        response.getTransports = () => r.transports ?? [];
      } else {
        response.authenticatorData = fromB64u(r.authenticatorData);
        response.signature = fromB64u(r.signature);
        response.userHandle = r.userHandle ? fromB64u(r.userHandle) : null;
      }
      return {
        id: json.id,
        rawId: fromB64u(json.rawId),
        type: 'public-key',
        response,
        authenticatorAttachment: json.authenticatorAttachment ?? null,
        getClientExtensionResults: () => extOut(json.clientExtensionResults ?? {}),
        toJSON: () => json,
      };
    };
    const call = async (kind: 'create' | 'get', opts?: CredentialCreationOptions | CredentialRequestOptions) => {
      const publicKey = (opts as { publicKey?: unknown } | undefined)?.publicKey;
      if (!publicKey) throw new DOMException('only publicKey credentials are emulated', 'NotSupportedError');
      const bridge = (window as unknown as { __fido2HarnessSoftKey(kind: string, o: unknown): Promise<{ ok?: Record<string, any>; error?: { name: string; message: string } }> }).__fido2HarnessSoftKey;
      const r = await bridge(kind, toJson(publicKey));
      if (r.error) throw new DOMException(r.error.message, r.error.name);
      return credential(r.ok!) as unknown as Credential;
    };
    Object.defineProperty(navigator, 'credentials', {
      configurable: true,
      value: { create: (o?: CredentialCreationOptions) => call('create', o), get: (o?: CredentialRequestOptions) => call('get', o), store: async () => undefined, preventSilentAccess: async () => undefined },
    });
  });
  return controller;
}
