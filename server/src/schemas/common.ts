/** JSON schemas shared by the routes (and mirrored as TypeScript types for the client). */
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

/** every route answers errors in the same envelope */
export const errorResponses = { '4xx': errorResponse, '5xx': errorResponse } as const;

const credential = {
  type: 'object',
  additionalProperties: false,
  properties: {
    authenticator: {
      type: 'object',
      properties: { name: { type: 'string' }, icon: { type: 'string' }, status: { type: 'string' }, statusDate: { type: 'string' }, certified: { type: 'boolean' }, compromised: { type: 'boolean' } },
    },
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
export const credentialSchema = credential;

export const verifyResultResponse = {
  type: 'object',
  properties: {
    verified: { type: 'boolean' },
    credential,
    findings: { type: 'array', items: { type: 'object', additionalProperties: true } },
    decoded: { type: 'object', additionalProperties: true },
  },
} as const;

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

/** Route schema of a verify route: a PublicKeyCredential JSON whose `response` has these members. */
export function verifyRouteSchema(response: { required: readonly string[]; properties: object }) {
  return {
    body: { ...authenticatorResponseBody, properties: { ...authenticatorResponseBody.properties, response: { type: 'object', ...response } } },
    response: { 200: verifyResultResponse, ...errorResponses },
  };
}
