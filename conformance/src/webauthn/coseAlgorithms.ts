/**
 * The COSE signature algorithms a WebAuthn credential or attestation statement can name, as
 * data: what key each one needs, how it signs, where it is defined, and its name in FIDO
 * metadata. Pure data (no node: imports), so the demo page shows the same names the verdicts use.
 *
 * Sources: IANA "COSE Algorithms" and "COSE Elliptic Curves" registries; RFC 9053 (ES*, EdDSA),
 * RFC 8230 (PS*, RS* key type), RFC 8812 (RS256/384/512, RS1, ES256K), RFC 9864 (the
 * fully-specified ESP256/384/512, ESB*, Ed25519, Ed448, which deprecate the polymorphic EdDSA),
 * the COSE AKP/ML-DSA registration (ML-DSA-44/65/87), WebAuthn L3 §5.8.5 (ES256/384/512 keys
 * name P-256/384/521; EdDSA (-8) keys are Ed25519), FIDO Registry of Predefined Values §3.6.1
 * (authenticationAlgorithms names).
 */

export type CoseHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** a hash's output length: RSASSA-PSS's salt length (RFC 8230 §2) */
export const HASH_BYTES: Readonly<Record<CoseHash, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

export interface CoseAlgorithm {
  id: number;
  name: string;
  /** COSE key type: 1 OKP, 2 EC2, 3 RSA, 7 AKP */
  kty: 1 | 2 | 3 | 7;
  /** the curves (COSE crv) a key of this algorithm may name (EC2, OKP) */
  curves?: readonly number[];
  /** the hash the signature is made over (ECDSA, RSA); none for EdDSA and ML-DSA */
  hash?: CoseHash;
  /** RSASSA-PSS (salt length = hash length, RFC 8230 §2) rather than PKCS#1 v1.5 */
  pss?: boolean;
  /** RFC 9864 calls it fully specified (one curve, one hash) */
  fullySpecified?: boolean;
  /** where it is defined */
  source: string;
  /** authenticationAlgorithms names in FIDO metadata (Registry of Predefined Values §3.6.1) */
  mds?: readonly string[];
}

export interface CoseCurve {
  crv: number;
  name: string;
  kty: 1 | 2;
  /** coordinate (EC2) or public key (OKP) length in bytes */
  size: number;
  /** the curve's OID (EC2), for an SPKI when node:crypto has no JWK name for it */
  oid?: string;
  /** node:crypto's JWK crv name, when it has one */
  jwk?: string;
  /** OpenSSL's name (node:crypto's namedCurve), when it is not `name` */
  openssl?: string;
}

/** the curve as node:crypto names it (generateKeyPair, asymmetricKeyDetails.namedCurve) */
export const opensslCurve = (c: CoseCurve) => c.openssl ?? c.name;

/** COSE Elliptic Curves (IANA): the signing curves. */
export const COSE_CURVES: readonly CoseCurve[] = [
  { crv: 1, name: 'P-256', kty: 2, size: 32, jwk: 'P-256', openssl: 'prime256v1' },
  { crv: 2, name: 'P-384', kty: 2, size: 48, jwk: 'P-384', openssl: 'secp384r1' },
  { crv: 3, name: 'P-521', kty: 2, size: 66, jwk: 'P-521', openssl: 'secp521r1' },
  { crv: 6, name: 'Ed25519', kty: 1, size: 32, jwk: 'Ed25519' },
  { crv: 7, name: 'Ed448', kty: 1, size: 57, jwk: 'Ed448' },
  { crv: 8, name: 'secp256k1', kty: 2, size: 32, jwk: 'secp256k1' },
  { crv: 256, name: 'brainpoolP256r1', kty: 2, size: 32, oid: '1.3.36.3.3.2.8.1.1.7' },
  { crv: 257, name: 'brainpoolP320r1', kty: 2, size: 40, oid: '1.3.36.3.3.2.8.1.1.9' },
  { crv: 258, name: 'brainpoolP384r1', kty: 2, size: 48, oid: '1.3.36.3.3.2.8.1.1.11' },
  { crv: 259, name: 'brainpoolP512r1', kty: 2, size: 64, oid: '1.3.36.3.3.2.8.1.1.13' },
];

const L3 = 'WebAuthn L3 §5.8.5';
const FS = 'RFC 9864 §2';

/** Every COSE signature algorithm this harness verifies, in the order a person reads them. */
export const COSE_ALGORITHMS: readonly CoseAlgorithm[] = [
  { id: -7, name: 'ES256', kty: 2, curves: [1], hash: 'sha256', source: `RFC 9053 §2.1; ${L3} (P-256 only)`, mds: ['secp256r1_ecdsa_sha256_raw', 'secp256r1_ecdsa_sha256_der'] },
  { id: -9, name: 'ESP256', kty: 2, curves: [1], hash: 'sha256', fullySpecified: true, source: `${FS}.1`, mds: ['secp256r1_ecdsa_sha256_raw', 'secp256r1_ecdsa_sha256_der'] },
  { id: -35, name: 'ES384', kty: 2, curves: [2], hash: 'sha384', source: `RFC 9053 §2.1; ${L3} (P-384 only)`, mds: ['secp384r1_ecdsa_sha384_raw'] },
  { id: -51, name: 'ESP384', kty: 2, curves: [2], hash: 'sha384', fullySpecified: true, source: `${FS}.1`, mds: ['secp384r1_ecdsa_sha384_raw'] },
  { id: -36, name: 'ES512', kty: 2, curves: [3], hash: 'sha512', source: `RFC 9053 §2.1; ${L3} (P-521 only)`, mds: ['secp521r1_ecdsa_sha512_raw'] },
  { id: -52, name: 'ESP512', kty: 2, curves: [3], hash: 'sha512', fullySpecified: true, source: `${FS}.1`, mds: ['secp521r1_ecdsa_sha512_raw'] },
  { id: -47, name: 'ES256K', kty: 2, curves: [8], hash: 'sha256', fullySpecified: true, source: 'RFC 8812 §3.2', mds: ['secp256k1_ecdsa_sha256_raw', 'secp256k1_ecdsa_sha256_der'] },
  { id: -265, name: 'ESB256', kty: 2, curves: [256], hash: 'sha256', fullySpecified: true, source: `${FS}.1` },
  { id: -266, name: 'ESB320', kty: 2, curves: [257], hash: 'sha384', fullySpecified: true, source: `${FS}.1` },
  { id: -267, name: 'ESB384', kty: 2, curves: [258], hash: 'sha384', fullySpecified: true, source: `${FS}.1` },
  { id: -268, name: 'ESB512', kty: 2, curves: [259], hash: 'sha512', fullySpecified: true, source: `${FS}.1` },
  { id: -8, name: 'EdDSA', kty: 1, curves: [6], source: `RFC 9053 §2.2; ${L3} (Ed25519 only; deprecated by RFC 9864 §2.2)`, mds: ['ed25519_eddsa_sha512_raw'] },
  { id: -19, name: 'Ed25519', kty: 1, curves: [6], fullySpecified: true, source: `${FS}.2`, mds: ['ed25519_eddsa_sha512_raw'] },
  { id: -53, name: 'Ed448', kty: 1, curves: [7], fullySpecified: true, source: `${FS}.2`, mds: ['ed448_eddsa_sha512_raw'] },
  { id: -37, name: 'PS256', kty: 3, hash: 'sha256', pss: true, source: 'RFC 8230 §2', mds: ['rsassa_pss_sha256_raw', 'rsassa_pss_sha256_der'] },
  { id: -38, name: 'PS384', kty: 3, hash: 'sha384', pss: true, source: 'RFC 8230 §2', mds: ['rsassa_pss_sha384_raw'] },
  { id: -39, name: 'PS512', kty: 3, hash: 'sha512', pss: true, source: 'RFC 8230 §2', mds: ['rsassa_pss_sha512_raw'] },
  { id: -257, name: 'RS256', kty: 3, hash: 'sha256', source: 'RFC 8812 §2', mds: ['rsassa_pkcsv15_sha256_raw', 'rsa_emsa_pkcs1_sha256_raw', 'rsa_emsa_pkcs1_sha256_der'] },
  { id: -258, name: 'RS384', kty: 3, hash: 'sha384', source: 'RFC 8812 §2', mds: ['rsassa_pkcsv15_sha384_raw'] },
  { id: -259, name: 'RS512', kty: 3, hash: 'sha512', source: 'RFC 8812 §2', mds: ['rsassa_pkcsv15_sha512_raw'] },
  // deprecated, but TPM attestation statements (§8.3) and RPs that still offer it use it
  { id: -65535, name: 'RS1', kty: 3, hash: 'sha1', source: 'RFC 8812 §2 (deprecated)', mds: ['rsassa_pkcsv15_sha1_raw'] },
  { id: -48, name: 'ML-DSA-44', kty: 7, fullySpecified: true, source: 'COSE ML-DSA registration (FIPS 204)', mds: ['ml_dsa_44'] },
  { id: -49, name: 'ML-DSA-65', kty: 7, fullySpecified: true, source: 'COSE ML-DSA registration (FIPS 204)', mds: ['ml_dsa_65'] },
  { id: -50, name: 'ML-DSA-87', kty: 7, fullySpecified: true, source: 'COSE ML-DSA registration (FIPS 204)', mds: ['ml_dsa_87'] },
];

/**
 * Registered COSE signature algorithms this harness names but does not verify (node:crypto
 * has no implementation): a credential under one is "not verifiable by this harness", never
 * a defect of the key.
 */
export const UNVERIFIED_COSE_ALGORITHMS: Readonly<Record<number, string>> = {
  [-46]: 'HSS-LMS',
  [-260]: 'WalnutDSA',
};

const BY_ID = new Map(COSE_ALGORITHMS.map((a) => [a.id, a]));

export function coseAlgorithm(id: number): CoseAlgorithm | undefined {
  return BY_ID.get(id);
}

export function coseCurve(crv: number): CoseCurve | undefined {
  return COSE_CURVES.find((c) => c.crv === crv);
}

/** "ES256 (-7)", "HSS-LMS (-46)", "COSE -12345": how a person reads an algorithm identifier. */
export function coseAlgorithmLabel(id: number): string {
  const name = BY_ID.get(id)?.name ?? UNVERIFIED_COSE_ALGORITHMS[id];
  return name ? `${name} (${id})` : `COSE ${id}`;
}

/** The algorithm table docs/verification.md shows (npm run docs writes it; test/docs.test.ts keeps it true). */
export function algorithmTableMarkdown(verifiable: readonly number[]): string {
  const KTY: Record<number, string> = { 1: 'OKP', 2: 'EC2', 3: 'RSA', 7: 'AKP' };
  const rows = COSE_ALGORITHMS.map((a) => {
    const key = `${KTY[a.kty]}${a.curves ? ` ${a.curves.map((c) => coseCurve(c)?.name).join('/')}` : ''}`;
    const how = a.kty === 3 ? `${a.pss ? 'RSASSA-PSS' : 'RSASSA-PKCS1-v1_5'}, ${a.hash?.toUpperCase()}` : a.kty === 2 ? `ECDSA, ${a.hash?.toUpperCase()}` : a.kty === 1 ? 'EdDSA (pure)' : 'ML-DSA (pure)';
    return `| ${a.name} | ${a.id} | ${key} | ${how} | ${a.fullySpecified ? 'yes' : 'no'} | ${verifiable.includes(a.id) ? 'verified' : 'skipped: not on this Node.js runtime'} | ${a.source} |`;
  });
  const named = Object.entries(UNVERIFIED_COSE_ALGORITHMS).map(([id, name]) => `| ${name} | ${id} | | | | skipped: node:crypto has no implementation | IANA COSE Algorithms |`);
  return ['| algorithm | COSE | key | signature | fully specified (RFC 9864) | verdict | source |', '|---|---|---|---|---|---|---|', ...rows, ...named].join('\n');
}
