/**
 * The JSON API's request and response schemas, written once: Fastify validates with them and
 * the page (client/) imports the derived types (type-only), so a field renamed here breaks the
 * page's build instead of the page.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { RunReport, ReportDiff } from '../../../conformance/src/index.ts';

export type { RunReport, ReportDiff };

export const b64url = { type: 'string', pattern: '^[A-Za-z0-9_-]*={0,2}$', maxLength: 16384 } as const;
export const userVerification = { type: 'string', enum: ['discouraged', 'preferred', 'required'] } as const;
export const hints = {
  type: 'array',
  items: { type: 'string', enum: ['security-key', 'client-device', 'hybrid'] },
  uniqueItems: true,
  maxItems: 3,
} as const;
export const timeout = { type: 'integer', minimum: 1000, maximum: 600000 } as const;
export const prfEval = {
  type: 'object',
  additionalProperties: false,
  required: ['first'],
  properties: { first: { ...b64url, maxLength: 512 }, second: { ...b64url, maxLength: 512 } },
} as const;

export const errorResponse = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
    findings: { type: 'array', items: { type: 'object', additionalProperties: true } },
    decoded: { type: 'object', additionalProperties: true },
  },
} as const;
export type ApiErrorBody = FromSchema<typeof errorResponse>;

/** every route answers errors in the same envelope */
export const errorResponses = { '4xx': errorResponse, '5xx': errorResponse } as const;

export const authenticatorSummarySchema = {
  type: 'object',
  required: ['name', 'certified', 'compromised'],
  properties: { name: { type: 'string' }, icon: { type: 'string' }, status: { type: 'string' }, statusDate: { type: 'string' }, certified: { type: 'boolean' }, compromised: { type: 'boolean' } },
} as const;

export const credentialSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'username', 'userId', 'alg', 'counter', 'transports', 'aaguid', 'fmt', 'backupEligible', 'backupState', 'discoverable', 'createdAt', 'lastUsedAt', 'counterRegressions'],
  properties: {
    authenticator: authenticatorSummarySchema,
    id: { type: 'string' },
    username: { type: 'string' },
    userId: { type: 'string' },
    alg: { type: 'integer' },
    counter: { type: 'integer' },
    transports: { type: 'array', items: { type: 'string' } },
    aaguid: { type: 'string' },
    fmt: { type: 'string' },
    backupEligible: { type: 'boolean' },
    backupState: { type: 'boolean' },
    discoverable: { type: ['boolean', 'null'] },
    createdAt: { type: 'string' },
    lastUsedAt: { type: ['string', 'null'] },
    counterRegressions: { type: 'integer' },
  },
} as const;
export type ApiCredential = FromSchema<typeof credentialSchema>;

export const verifyResultResponse = {
  type: 'object',
  required: ['verified', 'credential', 'findings', 'decoded'],
  properties: {
    verified: { type: 'boolean' },
    credential: credentialSchema,
    findings: { type: 'array', items: { type: 'object', additionalProperties: true } },
    decoded: { type: 'object', additionalProperties: true },
  },
} as const;
export type VerifyResult = FromSchema<typeof verifyResultResponse>;

export const authenticatorResponseBody = {
  type: 'object',
  required: ['id', 'rawId', 'type', 'response'],
  properties: {
    id: { ...b64url, minLength: 1, maxLength: 1400 },
    rawId: { ...b64url, minLength: 1, maxLength: 1400 },
    type: { type: 'string', const: 'public-key' },
    authenticatorAttachment: { type: ['string', 'null'], maxLength: 32 },
    clientExtensionResults: { type: 'object' },
    response: { type: 'object', required: ['clientDataJSON'], properties: { clientDataJSON: { ...b64url, minLength: 1 } } },
  },
} as const;

/** Route schema of an options route: the body given, any JSON object back, the error envelope. */
export function optionsRouteSchema(body: object) {
  return { body, response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses } };
}

/**
 * Route options of a verify route: its schema (a PublicKeyCredential JSON whose `response` has
 * these members; the reply documented) and its serializer. The replies are built member by member
 * (presentCredential, the findings, the decoded response), and their findings and decoded parts
 * are open objects, which a serializer compiled from the schema writes at about half
 * JSON.stringify's speed: the schema documents the reply, JSON.stringify writes it.
 */
export function verifyRouteOptions(response: { required: readonly string[]; properties: object }) {
  return {
    schema: {
      body: { ...authenticatorResponseBody, properties: { ...authenticatorResponseBody.properties, response: { type: 'object', ...response } } },
      response: { 200: verifyResultResponse, ...errorResponses },
    },
    serializerCompiler: () => (data: unknown) => JSON.stringify(data),
  };
}

export const registrationVerifyResponse = {
  required: ['clientDataJSON', 'attestationObject'],
  properties: {
    clientDataJSON: { ...b64url, minLength: 1 },
    attestationObject: { ...b64url, minLength: 1, maxLength: 65536 },
    transports: { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 32 } },
  },
} as const;

export const authenticationVerifyResponse = {
  required: ['clientDataJSON', 'authenticatorData', 'signature'],
  properties: {
    clientDataJSON: { ...b64url, minLength: 1 },
    authenticatorData: { ...b64url, minLength: 1, maxLength: 8192 },
    signature: { ...b64url, minLength: 1, maxLength: 8192 },
    userHandle: { anyOf: [{ ...b64url, maxLength: 128 }, { type: 'null' }] },
  },
} as const;

export const CREDENTIAL_PROTECTION_POLICIES = ['userVerificationOptional', 'userVerificationOptionalWithCredentialIDList', 'userVerificationRequired'] as const;

export const registrationOptionsBody = {
  type: 'object',
  additionalProperties: false,
  required: ['username'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    displayName: { type: 'string', maxLength: 64 },
    attestation: { type: 'string', enum: ['none', 'indirect', 'direct', 'enterprise'] },
    residentKey: { type: 'string', enum: ['discouraged', 'preferred', 'required'] },
    userVerification,
    authenticatorAttachment: { type: 'string', enum: ['platform', 'cross-platform'] },
    hints,
    // the values are checked against this server's algorithm list in the route
    algorithms: { type: 'array', minItems: 1, maxItems: 16, uniqueItems: true, items: { type: 'integer' } },
    timeout,
    excludeCredentials: { type: 'boolean' },
    extensions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        credProps: { type: 'boolean' },
        prf: { type: 'object', additionalProperties: false, properties: { eval: prfEval } },
        hmacCreateSecret: { type: 'boolean' },
        credProtect: {
          type: 'object',
          additionalProperties: false,
          required: ['policy'],
          properties: {
            policy: { type: 'string', enum: CREDENTIAL_PROTECTION_POLICIES },
            enforce: { type: 'boolean' },
          },
        },
        largeBlob: { type: 'object', additionalProperties: false, required: ['support'], properties: { support: { type: 'string', enum: ['required', 'preferred'] } } },
        // CTAP 2.1 §12.2: credBlob is at most maxCredBlobLength (>= 32) bytes; 32 is what every key supports
        credBlob: { ...b64url, maxLength: 43 },
        minPinLength: { type: 'boolean' },
      },
    },
  },
} as const;
export type RegistrationOptionsRequest = FromSchema<typeof registrationOptionsBody>;

export const authenticationOptionsBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    userVerification,
    timeout,
    hints,
    extensions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        prf: { type: 'object', additionalProperties: false, required: ['eval'], properties: { eval: prfEval } },
        largeBlob: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: { read: { type: 'boolean', const: true }, write: { ...b64url, minLength: 1, maxLength: 4096 } },
        },
        getCredBlob: { type: 'boolean' },
      },
    },
  },
} as const;
export type AuthenticationOptionsRequest = FromSchema<typeof authenticationOptionsBody>;

export const configResponse = {
  type: 'object',
  required: ['rpId', 'rpName', 'origins', 'challengeTtlMs', 'algorithms', 'defaultAlgorithms', 'mds'],
  properties: {
    rpId: { type: 'string' },
    rpName: { type: 'string' },
    origins: { type: 'array', items: { type: 'string' } },
    challengeTtlMs: { type: 'integer' },
    algorithms: { type: 'array', items: { type: 'integer' } },
    defaultAlgorithms: { type: 'array', items: { type: 'integer' } },
    /** COSE algorithm names by identifier: the names the verdicts use, for the page to show */
    algorithmNames: { type: 'object', additionalProperties: { type: 'string' } },
    mds: { type: 'object', required: ['state', 'note'], properties: { state: { type: 'string' }, note: { type: 'string' }, no: { type: 'integer' }, nextUpdate: { type: 'string' }, stale: { type: 'boolean' }, drafts: { type: 'string' } } },
  },
} as const;
export type ApiConfig = FromSchema<typeof configResponse>;

export const credentialListResponse = { type: 'object', required: ['credentials'], properties: { credentials: { type: 'array', items: credentialSchema } } } as const;
export type CredentialList = FromSchema<typeof credentialListResponse>;

export const createRunBody = { type: 'object', additionalProperties: false, properties: { label: { type: 'string', minLength: 1, maxLength: 100 }, firmware: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
export type CreateRunRequest = FromSchema<typeof createRunBody>;

export const planStepSchema = { type: 'object', required: ['step', 'kind', 'instruction'], properties: { step: { type: 'string' }, kind: { type: 'string', enum: ['registration', 'authentication'] }, instruction: { type: 'string' } } } as const;
export const createRunResponse = { type: 'object', required: ['id', 'plan'], properties: { id: { type: 'string' }, plan: { type: 'array', items: planStepSchema } } } as const;
export type CreateRunResponse = FromSchema<typeof createRunResponse>;
export const planResponse = { type: 'object', required: ['plan'], properties: { plan: { type: 'array', items: planStepSchema } } } as const;
export type PlanResponse = FromSchema<typeof planResponse>;

export const stepResultBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    response: { type: 'object', additionalProperties: true },
    error: { type: 'object', additionalProperties: false, required: ['name', 'message'], properties: { name: { type: 'string', maxLength: 64 }, message: { type: 'string', maxLength: 1000 } } },
    challenge: { type: 'string', maxLength: 128 },
  },
  oneOf: [{ required: ['response'] }, { required: ['error', 'challenge'] }],
} as const;
export type StepResultRequest = { response: Record<string, any>; error?: undefined; challenge?: string } | { response?: undefined; error: { name: string; message: string }; challenge: string };

export const runSummarySchema = { type: 'object', required: ['id', 'label', 'firmware', 'aaguid', 'via', 'startedAt', 'verdict'], properties: { id: { type: 'string' }, label: { type: 'string' }, firmware: { type: ['string', 'null'] }, aaguid: { type: ['string', 'null'] }, via: { type: 'string' }, startedAt: { type: 'string' }, verdict: { type: ['string', 'null'] } } } as const;
export const runListResponse = { type: 'object', required: ['runs'], properties: { runs: { type: 'array', items: runSummarySchema }, next: { type: 'string' } } } as const;
export type RunList = FromSchema<typeof runListResponse>;

// ---------------------------------------------------------------- guided runs over USB (the server drives the key)
export const usbDevicesResponse = {
  type: 'object',
  required: ['available', 'devices'],
  properties: {
    available: { type: 'boolean' },
    reason: { type: 'string' },
    /** what a run may change on the key with each box ticked, said before it starts */
    mayChange: {
      type: 'object',
      required: ['destructive', 'allowReset', 'setPin'],
      properties: { destructive: { type: 'array', items: { type: 'string' } }, allowReset: { type: 'array', items: { type: 'string' } }, setPin: { type: 'array', items: { type: 'string' } } },
    },
    devices: { type: 'array', items: { type: 'object', required: ['path', 'vendorId', 'productId'], properties: { path: { type: 'string' }, vendorId: { type: 'string' }, productId: { type: 'string' }, manufacturer: { type: ['string', 'null'] }, product: { type: ['string', 'null'] } } } },
  },
} as const;
export type UsbDevices = FromSchema<typeof usbDevicesResponse>;

/** The PIN travels only to this local server and on to the key; it is never stored or logged. */
export const startUsbRunBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    device: { type: 'string', minLength: 1, maxLength: 512 },
    label: { type: 'string', minLength: 1, maxLength: 100 },
    firmware: { type: 'string', minLength: 1, maxLength: 64 },
    pin: { type: 'string', minLength: 4, maxLength: 63 },
    setPin: { type: 'boolean' },
    /** the groups that change the key and put it back (check --ctap --destructive) */
    destructive: { type: 'boolean' },
    /** authenticatorReset as the run's last act (check --ctap --allow-reset) */
    allowReset: { type: 'boolean' },
    /** the person at the page can unplug and replug the key when a check needs a power cycle */
    replug: { type: 'boolean' },
  },
} as const;
export type StartUsbRunRequest = FromSchema<typeof startUsbRunBody>;

export const usbRunStatusResponse = {
  type: 'object',
  required: ['id', 'state', 'touchNow', 'touches', 'log'],
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['running', 'done', 'failed'] },
    /** the plan step or probe running now */
    step: { type: 'string' },
    /** the key is waiting for a touch (KEEPALIVE UP_NEEDED) */
    touchNow: { type: 'boolean' },
    touches: { type: 'integer' },
    /** what the person must do now besides a touch (unplug and replug the key, a finger on the sensor) */
    prompt: { type: 'string' },
    log: { type: 'array', items: { type: 'string' } },
    error: { type: 'string' },
    /** the stored run, when done */
    runId: { type: 'string' },
    report: { type: 'object', additionalProperties: true },
  },
} as const;
export type UsbRunStatus = FromSchema<typeof usbRunStatusResponse>;
