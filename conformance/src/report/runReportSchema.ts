import { REPORT_SCHEMA } from '../checks/evaluateRun.ts';
import { AAGUID_TEXT } from '../encoding/formatAaguid.ts';
import { CHECK_AREAS } from '../checks/checkIds.ts';

/**
 * JSON Schema of a run report, version 1 (`RunReport` in checks/evaluateRun.ts). Reports are
 * read back from outside (CI artifacts, downloads from the page), so everything a renderer
 * touches is typed and bounded here; free text is escaped by each renderer.
 */
const text = { type: 'string', maxLength: 8192 } as const;
const id = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } as const;
const time = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' } as const;
const aaguid = { type: 'string', pattern: AAGUID_TEXT.source } as const;
const status = { enum: ['pass', 'fail', 'skip'] } as const;
const severity = { enum: ['required', 'recommended', 'info'] } as const;
const change = { type: 'object', required: ['rpId', 'credentialId', 'by'], properties: { rpId: { type: 'string', maxLength: 512 }, credentialId: { type: 'string', maxLength: 2048 }, by: { type: 'string', maxLength: 256 } } } as const;

const verdict3 = { enum: ['accepted', 'refused', 'incomplete'] } as const;
const profileVerdict = { type: 'object', required: ['verdict', 'reasons'], properties: { verdict: verdict3, reasons: { type: 'array', maxItems: 50, items: text } } } as const;

export const RUN_REPORT_SCHEMA = {
  $id: REPORT_SCHEMA,
  type: 'object',
  required: ['$schema', 'schemaVersion', 'run', 'evaluatedAt', 'verdict', 'counts', 'outcomes', 'toFix'],
  properties: {
    $schema: { const: REPORT_SCHEMA },
    schemaVersion: { const: 1 },
    run: {
      type: 'object',
      required: ['id', 'startedAt', 'subject', 'rpId', 'origin', 'ceremonies'],
      properties: {
        id,
        startedAt: time,
        finishedAt: time,
        subject: {
          type: 'object',
          required: ['label', 'via'],
          properties: { label: { type: 'string', maxLength: 512 }, via: { enum: ['software', 'virtual', 'physical', 'ctap'] }, profile: text, firmware: { type: 'string', maxLength: 512 } },
        },
        rpId: { type: 'string', maxLength: 512 },
        origin: { type: 'string', maxLength: 512 },
        ceremonies: {
          type: 'array',
          maxItems: 1000,
          items: { type: 'object', required: ['step', 'kind', 'ok'], properties: { step: id, kind: { enum: ['registration', 'authentication'] }, ok: { type: 'boolean' }, error: text } },
        },
      },
    },
    evaluatedAt: time,
    mds: { type: 'object', required: ['no', 'nextUpdate', 'listed'], properties: { no: { type: 'integer' }, nextUpdate: { type: 'string', maxLength: 64 }, listed: { type: 'boolean' }, draft: { type: 'string', maxLength: 1024 }, generated: { type: 'string', maxLength: 1024 } } },
    aaguid,
    verdict: { enum: ['pass', 'fail', 'incomplete'] },
    counts: {
      type: 'object',
      required: ['pass', 'fail', 'skip'],
      properties: { pass: { type: 'integer', minimum: 0 }, fail: { type: 'integer', minimum: 0 }, skip: { type: 'integer', minimum: 0 } },
    },
    predictedRow: {
      type: 'object',
      required: ['description', 'aaguid', 'bio', 'usb', 'nfc', 'ble', 'eligible'],
      properties: { description: { type: 'string', maxLength: 512 }, aaguid, bio: { type: 'boolean' }, usb: { type: 'boolean' }, nfc: { type: 'boolean' }, ble: { type: 'boolean' }, eligible: { type: 'boolean' }, getInfoDisagrees: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 128 } } },
    },
    passkeyProfiles: {
      type: 'object',
      required: ['source', 'registration', 'acceptedBy', 'profiles'],
      properties: {
        source: { type: 'string', maxLength: 1024 },
        registration: verdict3,
        acceptedBy: { type: 'array', maxItems: 3, items: { type: 'string', maxLength: 256 } },
        profiles: {
          type: 'array',
          maxItems: 3,
          items: {
            type: 'object',
            required: ['id', 'name', 'attestationEnforcement', 'passkeyTypes', 'registration', 'signIn'],
            properties: {
              id: { type: 'string', maxLength: 256 },
              name: { type: 'string', maxLength: 256 },
              attestationEnforcement: { enum: ['disabled', 'registrationOnly'] },
              passkeyTypes: { type: 'array', maxItems: 2, items: { enum: ['deviceBound', 'synced'] } },
              registration: profileVerdict,
              signIn: profileVerdict,
            },
          },
        },
      },
    },
    notRun: { type: 'array', maxItems: 20, items: { type: 'object', required: ['area', 'reason'], properties: { area: { enum: CHECK_AREAS }, reason: text } } },
    keyChangeLines: { type: 'array', maxItems: 2200, items: text },
    keyChanges: {
      type: 'object',
      required: ['created', 'deleted', 'left'],
      properties: {
        created: { type: 'array', maxItems: 1000, items: change },
        deleted: { type: 'array', maxItems: 1000, items: change },
        left: { type: 'array', maxItems: 1000, items: { ...change, required: [...change.required, 'reason'], properties: { ...change.properties, reason: text } } },
        unlisted: { type: 'array', maxItems: 1000, items: change },
        pinSet: { type: 'boolean' },
        pinRetries: { type: 'object', required: ['before', 'after'], properties: { before: { type: 'integer', minimum: 0 }, after: { type: 'integer', minimum: 0 } } },
        leftovers: { type: 'integer', minimum: 0 },
        actions: { type: 'array', maxItems: 200, items: { type: 'object', required: ['what', 'restored'], properties: { what: text, restored: { type: 'boolean' } } } },
        powerCycles: { type: 'object', required: ['count', 'how'], properties: { count: { type: 'integer', minimum: 0 }, how: { type: 'string', maxLength: 32 } } },
      },
    },
    metadataMissing: text,
    shard: {
      type: 'object',
      required: ['index', 'count', 'checks'],
      properties: { index: { type: 'integer', minimum: 1, maximum: 1000 }, count: { type: 'integer', minimum: 1, maximum: 1000 }, checks: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 128 } } },
    },
    mergedFrom: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'object', required: ['shard', 'runId'], properties: { shard: { type: 'integer', minimum: 1 }, runId: { type: 'string', maxLength: 128 }, startedAt: { type: 'string', maxLength: 64 } } },
    },
    ctap: { type: 'object', required: ['transport'], properties: { transport: { type: 'string', maxLength: 512 }, brokenOff: text } },
    outcomes: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['id', 'title', 'area', 'severity', 'source', 'fix', 'status', 'message'],
        properties: {
          id,
          title: text,
          area: { enum: CHECK_AREAS },
          severity,
          source: text,
          fix: text,
          status,
          message: text,
          expected: text,
          actual: text,
          evidence: { type: 'array', maxItems: 100, items: text },
          notApplicable: { type: 'boolean' },
          pending: { type: 'boolean' },
          notRun: { type: 'string', maxLength: 64 },
        },
      },
    },
    toFix: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'object', required: ['id', 'severity', 'fix'], properties: { id, severity, fix: text, actual: text } },
    },
  },
} as const;
