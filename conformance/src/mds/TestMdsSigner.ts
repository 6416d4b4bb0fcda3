import crypto, { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { peculiarX509 } from '../pki/x509Provider.ts';
import type { MetadataEntry } from './MetadataBlob.ts';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestBlobOptions {
  no: number;
  nextUpdate: string;
  entries: MetadataEntry[];
  /** corrupt the JWS signature */
  badSignature?: boolean;
  /** put an unrelated certificate where the intermediate should be */
  brokenChain?: boolean;
}

/**
 * A test MDS PKI: root -> intermediate -> BLOB signer, like the FIDO Alliance's
 * GlobalSign chain but ours, so tests build valid, stale, revoked, badly signed and
 * broken-chain BLOBs without outside data. ES256 JWS (FIDO MDS 3.0 §3.2 allows it).
 */
export class TestMdsSigner {
  readonly rootPem: string;
  readonly rootDer: Uint8Array;
  private readonly signerKey: CryptoKey;
  private readonly chain: string[];
  private readonly stranger: string;
  private readonly caKey: CryptoKey;
  private readonly caName: string;
  private readonly signerSerial: string;

  private constructor(rootDer: Uint8Array, signerKey: CryptoKey, chain: string[], stranger: string, ca: { key: CryptoKey; name: string }, signerSerial: string) {
    this.rootDer = rootDer;
    this.rootPem = new crypto.X509Certificate(rootDer).toString();
    this.signerKey = signerKey;
    this.chain = chain;
    this.stranger = stranger;
    this.caKey = ca.key;
    this.caName = ca.name;
    this.signerSerial = signerSerial;
  }

  /** `crlUrl`: the signer certificate names it as its CRL distribution point */
  static async create(validity = { notBefore: new Date(Date.UTC(2020, 0, 1)), notAfter: new Date(Date.UTC(2060, 0, 1)) }, crlUrl?: string): Promise<TestMdsSigner> {
    const x509 = peculiarX509();
    const gen = () => webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
    const [rootKeys, caKeys, signerKeys, strangerKeys] = await Promise.all([gen(), gen(), gen(), gen()]);
    const serial = () => crypto.randomBytes(8).toString('hex').replace(/^[89a-f]/, '1');
    const ca = () => [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)];
    const root = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: serial(), name: 'CN=fido2-harness Test MDS Root, O=fido2-harness, C=US', ...validity, signingAlgorithm: ALG, keys: rootKeys, extensions: ca() });
    const inter = await x509.X509CertificateGenerator.create({ serialNumber: serial(), subject: 'CN=fido2-harness Test MDS CA, O=fido2-harness, C=US', issuer: root.subject, ...validity, signingAlgorithm: ALG, publicKey: caKeys.publicKey, signingKey: rootKeys.privateKey, extensions: ca() });
    const signerSerial = serial();
    const signerExt: X509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
    if (crlUrl) signerExt.push(new x509.CRLDistributionPointsExtension([crlUrl]));
    const signer = await x509.X509CertificateGenerator.create({ serialNumber: signerSerial, subject: 'CN=mds.test.invalid, O=fido2-harness, C=US', issuer: inter.subject, ...validity, signingAlgorithm: ALG, publicKey: signerKeys.publicKey, signingKey: caKeys.privateKey, extensions: signerExt });
    const stranger = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: serial(), name: 'CN=Unrelated CA', ...validity, signingAlgorithm: ALG, keys: strangerKeys, extensions: ca() });
    const b64 = (c: X509.X509Certificate) => Buffer.from(c.rawData).toString('base64');
    return new TestMdsSigner(new Uint8Array(root.rawData), signerKeys.privateKey, [b64(signer), b64(inter)], b64(stranger), { key: caKeys.privateKey, name: inter.subject }, signerSerial);
  }

  /** A CRL from the intermediate CA, revoking the BLOB signer when asked (DER); `nextUpdate` in the past makes it stale. */
  async crl(o: { revokeSigner: boolean; revokedAt?: Date; nextUpdate?: Date; thisUpdate?: Date }): Promise<Uint8Array> {
    const x509 = peculiarX509();
    const crl = await x509.X509CrlGenerator.create({
      issuer: this.caName,
      thisUpdate: o.thisUpdate ?? new Date(Date.UTC(2024, 0, 1)),
      nextUpdate: o.nextUpdate ?? new Date(Date.UTC(2059, 0, 1)),
      signingAlgorithm: ALG,
      signingKey: this.caKey,
      entries: o.revokeSigner ? [{ serialNumber: this.signerSerial, revocationDate: o.revokedAt ?? new Date(Date.UTC(2024, 5, 1)) }] : [],
    });
    return new Uint8Array(crl.rawData);
  }

  async blob(o: TestBlobOptions): Promise<string> {
    const x5c = o.brokenChain ? [this.chain[0]!, this.stranger] : this.chain;
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ legalHeader: 'fido2-harness test data, not FIDO Alliance metadata', no: o.no, nextUpdate: o.nextUpdate, entries: o.entries })).toString('base64url');
    const sig = Buffer.from(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, this.signerKey, Buffer.from(`${header}.${payload}`)));
    if (o.badSignature) sig[5] = sig[5]! ^ 0xff;
    return `${header}.${payload}.${sig.toString('base64url')}`;
  }
}

/** A metadata statement for a synthetic FIDO2 key that meets every Entra criterion; tests derive broken ones from it. */
export function compliantEntry(aaguid: string, rootPem: string, description = 'fido2-harness Test Key'): MetadataEntry {
  const root = rootPem.replace(/-----[^-]+-----|\s/g, '');
  return {
    aaguid,
    metadataStatement: {
      legalHeader: 'test data',
      aaguid,
      description,
      authenticatorVersion: 1,
      protocolFamily: 'fido2',
      schema: 3,
      upv: [{ major: 1, minor: 1 }],
      authenticationAlgorithms: ['secp256r1_ecdsa_sha256_raw'],
      publicKeyAlgAndEncodings: ['cose'],
      attestationTypes: ['basic_full'],
      userVerificationDetails: [[{ userVerificationMethod: 'passcode_external' }], [{ userVerificationMethod: 'fingerprint_internal' }]],
      keyProtection: ['hardware', 'secure_element'],
      matcherProtection: ['on_chip'],
      attachmentHint: ['external', 'wired', 'nfc'],
      tcDisplay: [],
      attestationRootCertificates: [root],
      authenticatorGetInfo: {
        versions: ['FIDO_2_0', 'FIDO_2_1'],
        extensions: ['credProtect', 'hmac-secret'],
        aaguid: aaguid.replace(/-/g, ''),
        options: { rk: true, up: true, uv: true, clientPin: true },
        transports: ['usb', 'nfc'],
      },
    },
    statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-15', certificateNumber: 'TEST-0001' }],
    timeOfLastStatusChange: '2024-01-15',
  };
}
