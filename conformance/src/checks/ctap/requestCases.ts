/**
 * The malformed and unusual requests the requests probe sends, and what CTAP 2.3 says each must
 * get. `expect`: 'refused' (any error: the request is not processed), 'accepted' (processed as if
 * the odd member were absent), 'answered' (a status either way: the key must not fall silent), or
 * the status an algorithm step names (a MUST). `should`: the
 * status §8 asks for a refused request (a SHOULD: CTAP_ERROR_CODES judges it, as a warning).
 * The probe builds each request by its id; the checks read these expectations.
 */
export type Expect = 'refused' | 'accepted' | 'answered' | { status: string };

export interface RequestCase {
  what: string;
  /** the clause and the FIDO test script */
  clause: string;
  expect: Expect;
  should?: string;
}

const MISSING = 'CTAP2_ERR_MISSING_PARAMETER';
const TYPE = 'CTAP2_ERR_CBOR_UNEXPECTED_TYPE';

export const MAKE_CREDENTIAL_CASES = {
  'mc.noClientDataHash': { what: 'makeCredential without clientDataHash', clause: '§6.1 (clientDataHash required), Authr-MakeCred-Req-1 F-1', expect: 'refused', should: MISSING },
  'mc.clientDataHashText': { what: 'clientDataHash as a text string', clause: '§6.1, Authr-MakeCred-Req-1 F-2', expect: 'refused', should: TYPE },
  'mc.noRp': { what: 'makeCredential without rp', clause: '§6.1 (rp required), Authr-MakeCred-Req-1 F-3', expect: 'refused', should: MISSING },
  'mc.rpArray': { what: 'rp as an array', clause: '§6.1, Authr-MakeCred-Req-1 F-4', expect: 'refused', should: TYPE },
  'mc.noUser': { what: 'makeCredential without user', clause: '§6.1 (user required), Authr-MakeCred-Req-1 F-5', expect: 'refused', should: MISSING },
  'mc.userBool': { what: 'user as a boolean', clause: '§6.1, Authr-MakeCred-Req-1 F-6', expect: 'refused', should: TYPE },
  'mc.noParams': { what: 'makeCredential without pubKeyCredParams', clause: '§6.1 (pubKeyCredParams required), Authr-MakeCred-Req-1 F-7', expect: 'refused', should: MISSING },
  'mc.paramsMap': { what: 'pubKeyCredParams as a map', clause: '§6.1, Authr-MakeCred-Req-1 F-8', expect: 'refused', should: TYPE },
  'mc.excludeListMap': { what: 'excludeList as a map', clause: '§6.1, Authr-MakeCred-Req-1 F-9', expect: 'refused', should: TYPE },
  'mc.extensionsArray': { what: 'extensions as an array', clause: '§6.1, Authr-MakeCred-Req-1 F-10', expect: 'refused', should: TYPE },
  'mc.optionsArray': { what: 'options as an array', clause: '§6.1, Authr-MakeCred-Req-1 F-11', expect: 'refused', should: TYPE },
  'mc.rpIdNumber': { what: 'rp.id as a number', clause: '§6.1 (PublicKeyCredentialRpEntity: id text), Authr-MakeCred-Req-2', expect: 'refused', should: TYPE },
  'mc.rpNameNumber': { what: 'rp.name as a number', clause: '§6.1 (rp.name text), Authr-MakeCred-Req-2', expect: 'refused', should: TYPE },
  'mc.rpNoId': { what: 'rp without id', clause: '§6.1 (rp.id required), Authr-MakeCred-Req-2', expect: 'refused', should: MISSING },
  'mc.userIdText': { what: 'user.id as a text string', clause: '§6.1 (PublicKeyCredentialUserEntity: id bytes), Authr-MakeCred-Req-3', expect: 'refused', should: TYPE },
  'mc.userNameNumber': { what: 'user.name as a number', clause: '§6.1 (user.name text), Authr-MakeCred-Req-3', expect: 'refused', should: TYPE },
  'mc.userDisplayNameNumber': { what: 'user.displayName as a number', clause: '§6.1 (user.displayName text), Authr-MakeCred-Req-3', expect: 'refused', should: TYPE },
  'mc.userNoId': { what: 'user without id', clause: '§6.1 (user.id required), Authr-MakeCred-Req-3', expect: 'refused', should: MISSING },
  'mc.paramNoType': { what: 'a pubKeyCredParams element without type, before a valid ES256 one', clause: '§6.1.2 step 3.1 (an element missing a required member: an error, "for example CTAP2_ERR_INVALID_CBOR"), Authr-MakeCred-Req-4', expect: 'refused' },
  'mc.paramAlgText': { what: 'a pubKeyCredParams element whose alg is text, before a valid ES256 one', clause: '§6.1.2 step 3.1, Authr-MakeCred-Req-4', expect: 'refused' },
  'mc.paramsUnsupportedOnly': { what: 'pubKeyCredParams naming only an algorithm no key implements (-1)', clause: '§6.1.2 step 3.2 (CTAP2_ERR_UNSUPPORTED_ALGORITHM), Authr-MakeCred-Req-4', expect: { status: 'CTAP2_ERR_UNSUPPORTED_ALGORITHM' } },
  'mc.paramsUnsupportedFirst': { what: 'an unsupported algorithm listed before the key\'s own', clause: '§6.1.2 step 3.1.3 (passed over; the first supported is used), Authr-MakeCred-Req-4 P-1', expect: 'accepted' },
  'mc.paramsUnknownType': { what: 'a pubKeyCredParams element of an unknown type before ES256', clause: '§6.1.2 step 3.1.2 (elements of another type are ignored), Authr-MakeCred-Req-4', expect: 'accepted' },
  'mc.excludeNoId': { what: 'an excludeList descriptor without id', clause: '§6.1 (PublicKeyCredentialDescriptor: type and id required), Authr-MakeCred-Req-5', expect: 'refused' },
  'mc.excludeIdText': { what: 'an excludeList descriptor whose id is text', clause: '§6.1, Authr-MakeCred-Req-5', expect: 'refused' },
  'mc.excludeUnknownType': { what: 'an excludeList descriptor of an unknown type', clause: '§6.1.2 step 12 (descriptors of another type are ignored), Authr-MakeCred-Req-5', expect: 'accepted' },
  'mc.unknownOption': { what: 'an option no version defines', clause: '§6.1.2 step 5 (an option not understood is treated as absent), Authr-MakeCred-Req-6', expect: 'accepted' },
  'mc.optionNotBool': { what: 'the rk option as text', clause: '§6.1 (options are booleans), Authr-MakeCred-Req-6', expect: 'refused', should: TYPE },
  'mc.invalidUtf8': { what: 'rp.name a text string that is not UTF-8', clause: '§8 (CTAP2 canonical CBOR; RFC 8949 §5.3.1: a text string that is not UTF-8 is invalid CBOR)', expect: 'refused', should: 'CTAP2_ERR_INVALID_CBOR' },
  'mc.deeplyNested': { what: 'an unknown extension whose input nests maps 30 deep', clause: '§8 (a decoder may limit nesting; the key answers either way and keeps answering)', expect: 'answered' },
  'mc.upFalse': { what: 'makeCredential with up = false', clause: '§6.1.2 step 5 ("up" false: CTAP2_ERR_INVALID_OPTION), Authr-MakeCred-Req-6', expect: { status: 'CTAP2_ERR_INVALID_OPTION' } },
} as const satisfies Record<string, RequestCase>;

export const GET_ASSERTION_CASES = {
  'ga.noRpId': { what: 'getAssertion without rpId', clause: '§6.2 (rpId required), Authr-GetAssertion-Req-1 F-1', expect: 'refused', should: MISSING },
  'ga.rpIdArray': { what: 'rpId as an array', clause: '§6.2, Authr-GetAssertion-Req-1 F-2', expect: 'refused', should: TYPE },
  'ga.noClientDataHash': { what: 'getAssertion without clientDataHash', clause: '§6.2 (clientDataHash required), Authr-GetAssertion-Req-1 F-3', expect: 'refused', should: MISSING },
  'ga.clientDataHashText': { what: 'clientDataHash as text', clause: '§6.2, Authr-GetAssertion-Req-1 F-4', expect: 'refused', should: TYPE },
  'ga.allowListMap': { what: 'allowList as a map', clause: '§6.2, Authr-GetAssertion-Req-1 F-5', expect: 'refused', should: TYPE },
  'ga.allowListNotMap': { what: 'an allowList element that is not a map', clause: '§6.2, Authr-GetAssertion-Req-1 F-6', expect: 'refused' },
  'ga.allowNoId': { what: 'an allowList descriptor without id', clause: '§6.2 (PublicKeyCredentialDescriptor: id required), Authr-GetAssertion-Req-3', expect: 'refused' },
  'ga.rkOption': { what: 'getAssertion with the rk option', clause: '§6.2.2 step 4 ("rk" present: CTAP2_ERR_UNSUPPORTED_OPTION), Authr-GetAssertion-Req-2', expect: { status: 'CTAP2_ERR_UNSUPPORTED_OPTION' } },
  'ga.unknownOption': { what: 'an option no version defines', clause: '§6.2.2 step 4 (an option not understood is treated as absent), Authr-GetAssertion-Req-2', expect: 'accepted' },
  'ga.unknownCredential': { what: 'an allowList naming only a credential the key never made', clause: '§6.2.2 step 7 (no credential: CTAP2_ERR_NO_CREDENTIALS, answered without waiting for a touch), Authr-GetAssertion-Req-3', expect: { status: 'CTAP2_ERR_NO_CREDENTIALS' } },
} as const satisfies Record<string, RequestCase>;

export type MakeCredentialCaseId = keyof typeof MAKE_CREDENTIAL_CASES;
export type GetAssertionCaseId = keyof typeof GET_ASSERTION_CASES;
export type RequestCaseId = MakeCredentialCaseId | GetAssertionCaseId;

/**
 * Requests about how the key is protected (CTAP 2.1 §6.1.2 steps 1, 6-8; §6.2.2 step 1): a
 * zero-length pinUvAuthParam (what platforms send to ask "is this the key you mean?"), and
 * credentials asked for without verification on a key protected by a PIN or built-in UV.
 */
export const PROTECTION_CASES = {
  'mc.emptyPinUvAuthParam': { what: 'makeCredential with a zero-length pinUvAuthParam', clause: '§6.1.2 step 1 (a touch, then CTAP2_ERR_PIN_NOT_SET without a PIN or CTAP2_ERR_PIN_INVALID with one)' },
  'ga.emptyPinUvAuthParam': { what: 'getAssertion with a zero-length pinUvAuthParam', clause: '§6.2.2 step 1 (a touch, then CTAP2_ERR_PIN_NOT_SET or CTAP2_ERR_PIN_INVALID)' },
  'mc.rkWithoutUv': { what: 'a discoverable credential asked for without user verification on a protected key', clause: '§6.1.2 step 8 (CTAP2_ERR_PUAT_REQUIRED, or CTAP2_ERR_OPERATION_DENIED where the PIN may not be used)' },
  'mc.withoutUv': { what: 'a non-discoverable credential asked for without user verification on a protected key that does not say makeCredUvNotRqd', clause: '§6.1.2 steps 7-8' },
} as const;
export type ProtectionCaseId = keyof typeof PROTECTION_CASES;
