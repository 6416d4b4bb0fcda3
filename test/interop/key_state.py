"""What a key holds, read by an independent client (Debian's python3-fido2), to compare a key before
and after a fido2-harness run: the credentials of every RP, the PIN retries and whether the PIN
still works, the options and PIN policy getInfo reports, the enrolled fingers, the large-blob
array. `seed` first gives the key what a person's key would hold: a PIN, discoverable credentials
on a site of their own and on the RP IDs the harness uses (with user handles the harness never
makes), and a large-blob entry.

usage: python3 key_state.py seed|state PORT PIN
"""

import hashlib
import json
import os
import sys

from fido2 import cbor
from fido2.ctap2 import Ctap2
from fido2.ctap2.base import Info
from fido2.ctap2.pin import ClientPin, PinProtocolV2
from fido2.ctap2.credman import CredentialManagement
from fido2.ctap2.bio import FPBioEnrollment
from fido2.ctap2.blob import LargeBlobs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from python_fido2_client import connect  # noqa: E402  (the UDP link to softkey)

PERSON_RPS = ["person.example", "conformance.fido2-harness.test", "ctap.fido2-harness.test"]
ES256 = [{"type": "public-key", "alg": -7}]


def token(ctap, pin, permissions, rp_id=None):
    proto = PinProtocolV2()
    return proto, ClientPin(ctap, proto).get_pin_token(pin, permissions, rp_id)


def seed(ctap, pin):
    if not ctap.info.options.get("clientPin"):
        ClientPin(ctap, PinProtocolV2()).set_pin(pin)
    for i, rp_id in enumerate(PERSON_RPS):
        proto, t = token(ctap, pin, ClientPin.PERMISSION.MAKE_CREDENTIAL, rp_id)
        cdh = os.urandom(32)
        user = {"id": b"a person's own %d" % i, "name": "person%d@%s" % (i, rp_id), "displayName": "Person %d" % i}
        ctap.make_credential(cdh, {"id": rp_id, "name": rp_id}, user, ES256, options={"rk": True},
                             pin_uv_param=proto.authenticate(t, cdh), pin_uv_protocol=proto.VERSION)
    if ctap.info.options.get("largeBlobs"):
        proto, t = token(ctap, pin, ClientPin.PERMISSION.LARGE_BLOB_WRITE)
        entry = {1: os.urandom(40), 2: os.urandom(12), 3: 24}
        LargeBlobs(ctap, proto, t).write_blob_array([entry])


def state(ctap, pin):
    info = ctap.info
    out = {
        "options": {k: info.options.get(k) for k in ("clientPin", "alwaysUv", "ep", "bioEnroll", "uv")},
        # by key: python-fido2 0.9 names fewer of getInfo's members than later versions
        "minPINLength": info.data.get(Info.KEY.MIN_PIN_LENGTH),
        "forcePINChange": info.data.get(Info.KEY.FORCE_PIN_CHANGE),
        "remainingDiscoverableCredentials": info.data.get(Info.KEY.REMAINING_DISC_CREDS),
        "pinRetries": ClientPin(ctap, PinProtocolV2()).get_pin_retries()[0],
    }
    proto, t = token(ctap, pin, ClientPin.PERMISSION.CREDENTIAL_MGMT)
    cm = CredentialManagement(ctap, proto, t)
    creds = []
    for rp in cm.enumerate_rps():
        rp_id = rp[CredentialManagement.RESULT.RP]["id"]
        for c in cm.enumerate_creds(hashlib.sha256(rp_id.encode()).digest()):
            user = c[CredentialManagement.RESULT.USER]
            creds.append([rp_id, c[CredentialManagement.RESULT.CREDENTIAL_ID]["id"].hex(), user.get("name"), user.get("displayName")])
    out["credentials"] = sorted(creds)
    if info.options.get("bioEnroll"):
        proto, t = token(ctap, pin, ClientPin.PERMISSION.BIO_ENROLL)
        out["fingers"] = sorted([k.hex(), v] for k, v in FPBioEnrollment(ctap, proto, t).enumerate_enrollments().items())
    if info.options.get("largeBlobs"):
        out["largeBlobArray"] = hashlib.sha256(cbor.encode(LargeBlobs(ctap).read_blob_array())).hexdigest()
    return out


def main():
    mode, port, pin = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    dev, conn = connect(port)
    try:
        ctap = Ctap2(dev)
        if mode == "seed":
            seed(ctap, pin)
            print(json.dumps({"seeded": True}))
        else:
            print(json.dumps(state(ctap, pin)))
    finally:
        conn.close()


if __name__ == "__main__":
    main()
