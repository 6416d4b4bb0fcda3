import crypto, { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { peculiarX509 } from '../pki/x509Provider.ts';
import { OID } from '../pki/parseCertificate.ts';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface LeafOptions {
  aaguid: string;
  /** subject; defaults follow WebAuthn L3 §8.2.1 */
  subject?: string;
  /** omit the AAGUID extension */
  noAaguidExtension?: boolean;
  /** mark the AAGUID extension critical */
  aaguidCritical?: boolean;
  /** put another AAGUID in the extension */
  aaguidInCert?: string;
  /** basic constraints CA=true */
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  /** an authority key identifier (hex) other than the root's subject key identifier (RFC 5280 §4.2.1.1) */
  authorityKeyId?: string;
  /** write this issuer name instead of the root's subject (the signature is still the root's) */
  issuerName?: string;
  /** more extensions (a TPM AIK certificate's subjectAltName and extended key usage) */
  extraExtensions?: X509.Extension[];
  /** the leaf's key algorithm (default ECDSA P-256) */
  keyAlgorithm?: 'ecdsa-p256' | 'rsa-2048';
}

export interface IssuedLeaf {
  der: Uint8Array;
  privateKey: crypto.KeyObject;
}

/**
 * A test attestation CA: a root that issues attestation certificates the way a vendor's does
 * (§8.2.1: version 3, C/O/OU "Authenticator Attestation"/CN, CA=false, AAGUID extension),
 * each deviation a switch so tests can produce every broken variant on purpose.
 */
export class AttestationCa {
  readonly rootDer: Uint8Array;
  readonly rootPem: string;
  private readonly keys: CryptoKeyPair;
  private readonly name: string;

  private constructor(rootDer: Uint8Array, keys: CryptoKeyPair, name: string) {
    this.rootDer = rootDer;
    this.rootPem = new crypto.X509Certificate(rootDer).toString();
    this.keys = keys;
    this.name = name;
  }

  static async create(name = 'CN=fido2-harness Test Attestation Root, O=fido2-harness, C=US', validity: { notBefore?: Date; notAfter?: Date } = {}): Promise<AttestationCa> {
    const x509 = peculiarX509();
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name,
      notBefore: validity.notBefore ?? new Date(Date.UTC(2020, 0, 1)),
      notAfter: validity.notAfter ?? new Date(Date.UTC(2060, 0, 1)),
      signingAlgorithm: ALG,
      keys,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)],
    });
    return new AttestationCa(new Uint8Array(cert.rawData), keys, name);
  }

  async issueLeaf(o: LeafOptions): Promise<IssuedLeaf> {
    const x509 = peculiarX509();
    const leafAlg = o.keyAlgorithm === 'rsa-2048' ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } : ALG;
    const leafKeys = (await webcrypto.subtle.generateKey(leafAlg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const extensions: X509.Extension[] = [new x509.BasicConstraintsExtension(!!o.ca, undefined, true), ...(o.extraExtensions ?? [])];
    extensions.push(o.authorityKeyId ? new x509.AuthorityKeyIdentifierExtension(o.authorityKeyId) : await x509.AuthorityKeyIdentifierExtension.create(this.keys.publicKey));
    if (!o.noAaguidExtension) {
      const aaguid = Buffer.from((o.aaguidInCert ?? o.aaguid).replace(/-/g, ''), 'hex');
      // value: OCTET STRING (16 bytes), DER-encoded inside the extension's OCTET STRING
      extensions.push(new x509.Extension(OID.AAGUID, !!o.aaguidCritical, Buffer.concat([Buffer.from([0x04, 0x10]), aaguid])));
    }
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: o.subject ?? 'C=US, O=fido2-harness, OU=Authenticator Attestation, CN=fido2-harness Test Key',
      issuer: o.issuerName ?? this.name,
      notBefore: o.notBefore ?? new Date(Date.UTC(2021, 0, 1)),
      notAfter: o.notAfter ?? new Date(Date.UTC(2055, 0, 1)),
      signingAlgorithm: ALG,
      publicKey: leafKeys.publicKey,
      signingKey: this.keys.privateKey,
      extensions,
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
    return { der: new Uint8Array(cert.rawData), privateKey: crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }) };
  }
}

function serial(): string {
  const b = crypto.randomBytes(8);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}
