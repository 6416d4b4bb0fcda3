import fs from 'node:fs';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import { peculiarX509 } from '../../conformance/src/index.ts';

/**
 * A self-signed certificate for --tls-self-signed, kept in the data dir so a phone that
 * was told to trust it once keeps trusting it across restarts. Regenerated when the RP ID
 * changes or it has expired.
 */
export async function selfSignedCertificate(rpId: string, dataDir: string): Promise<{ cert: string; key: string }> {
  const x509 = peculiarX509();
  const certFile = path.join(dataDir, `tls-${rpId}.crt`);
  const keyFile = path.join(dataDir, `tls-${rpId}.key`);
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const cert = fs.readFileSync(certFile, 'utf8');
    if (new x509.X509Certificate(cert).notAfter.getTime() > Date.now() + 86_400_000) {
      return { cert, key: fs.readFileSync(keyFile, 'utf8') };
    }
  }
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex'),
    name: `CN=${rpId}, O=fido2-harness self-signed`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * 86_400_000),
    signingAlgorithm: alg,
    keys: keys as CryptoKeyPair,
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: rpId }]),
      new x509.BasicConstraintsExtension(false, undefined, true),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', (keys as CryptoKeyPair).privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(certFile, cert.toString('pem'));
  fs.writeFileSync(keyFile, key, { mode: 0o600 });
  return { cert: cert.toString('pem'), key };
}
