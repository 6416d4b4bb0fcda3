"""python-fido2's own PC/SC device (CtapPcscDevice over pyscard) against the software key's card.

Usage: nfc_card.py READER-SUBSTRING
Reads getInfo, makes a credential and signs with it over NFC, and prints what it saw as JSON.
The reader's pcscd is the one PCSCLITE_CSOCK_NAME names (the test's private one).
"""
import hashlib
import json
import os
import sys

from fido2.attestation import Attestation
from fido2.ctap2 import Ctap2
from fido2.pcsc import CtapPcscDevice


def main():
    name = sys.argv[1]
    devices = list(CtapPcscDevice.list_devices(name))
    out = {"devices": [repr(d) for d in devices]}
    if not devices:
        print(json.dumps(out))
        return 1
    dev = devices[0]
    ctap = Ctap2(dev)
    info = ctap.info
    out["getInfo"] = {
        "versions": info.versions,
        "aaguid": info.aaguid.hex() if isinstance(info.aaguid, bytes) else str(info.aaguid).replace("-", ""),
        "transports": info.transports,
        "maxMsgSize": info.max_msg_size,
    }
    out["capabilities"] = dev.capabilities
    cdh = hashlib.sha256(b"nfc-challenge").digest()
    rp = {"id": "nfc.fido2-harness.test", "name": "NFC"}
    user = {"id": os.urandom(16), "name": "nfc-user"}
    att = ctap.make_credential(cdh, rp, user, [{"type": "public-key", "alg": -7}])
    cred = att.auth_data.credential_data
    # python-fido2's own verifier for the statement's format
    Attestation.for_type(att.fmt)().verify(att.att_statement, att.auth_data, cdh)
    out["makeCredential"] = {"fmt": att.fmt, "attestationVerifies": True, "up": bool(att.auth_data.flags & 0x01), "credentialIdLength": len(cred.credential_id)}
    cdh2 = hashlib.sha256(b"nfc-sign").digest()
    a = ctap.get_assertion(rp["id"], cdh2, [{"type": "public-key", "id": cred.credential_id}])
    a.verify(cdh2, cred.public_key)
    out["getAssertion"] = {"signatureVerifies": True, "up": bool(a.auth_data.flags & 0x01)}
    out["credentialId"] = cred.credential_id.hex()
    dev.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
