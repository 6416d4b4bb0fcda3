"""An independent CTAP client against `fido2-harness softkey --udp`: Debian's python3-fido2.

The harness's own CTAP client never talks to the software key here; python-fido2 does, through a
64-byte-datagram UDP link (the simulator convention softkey serves), and prints what it saw as one
JSON document on stdout. test/interop/pythonFido2.test.ts judges it. Written for python-fido2 0.9
(Debian bookworm) and later; nothing here is copied from its own tests.

usage: python3 python_fido2_client.py PORT PIN
"""

import hashlib
import json
import os
import socket
import sys
import time

from fido2.attestation import Attestation
from fido2.ctap import CtapError
from fido2.ctap1 import Ctap1, ApduError
from fido2.ctap2 import Ctap2
from fido2.ctap2.pin import ClientPin, PinProtocolV1, PinProtocolV2
from fido2.ctap2.credman import CredentialManagement
from fido2.hid import CtapHidDevice
from fido2.hid.base import CtapHidConnection, HidDescriptor

# the simulators' power-cycle datagram (fido2-tests --sim), which softkey answers by power-cycling
REBOOT = bytes.fromhex(
    "ac1052ca95e569de69e02ebff333485f13f9b2da34c5a8a340526697a9ab2e0b"
    "394d8d04973c134005be1a0140bff6045bb26eb77a73eaa47813f6b49a7250dc"
)


class UdpConnection(CtapHidConnection):
    """One HID report per datagram, no report ID."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(10)
        self.dest = ("127.0.0.1", port)

    def write_packet(self, data):
        self.sock.sendto(bytes(data), self.dest)

    def read_packet(self):
        data, _ = self.sock.recvfrom(64)
        return data

    def close(self):
        self.sock.close()


def connect(port):
    descriptor = HidDescriptor("udp:%d" % port, 0, 0, 64, 64)
    conn = UdpConnection(port)
    return CtapHidDevice(descriptor, conn), conn


def status_of(fn):
    try:
        fn()
        return "OK"
    except CtapError as e:
        return e.code.name if hasattr(e.code, "name") else str(e.code)


def power_cycle(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(REBOOT, ("127.0.0.1", port))
    s.close()
    time.sleep(0.3)


def main():
    port = int(sys.argv[1])
    pin = sys.argv[2]
    out = {}
    dev, conn = connect(port)
    ctap = Ctap2(dev)  # strict_cbor: every answer must be CTAP2 canonical CBOR
    info = ctap.info
    out["getInfo"] = {
        "versions": info.versions,
        "extensions": info.extensions,
        "aaguid": info.aaguid.hex(),
        "options": info.options,
        "pinUvAuthProtocols": info.pin_uv_protocols,
        "maxMsgSize": info.max_msg_size,
        "transports": info.transports,
    }
    rp = {"id": "interop.example", "name": "interop"}
    es256 = [{"type": "public-key", "alg": -7}]

    # PIN: set it on a key that has none, tokens with both protocols
    ClientPin(ctap, PinProtocolV2()).set_pin(pin)
    ctap = Ctap2(dev)
    out["clientPinAfterSet"] = ctap.info.options.get("clientPin")
    tokens = {}
    for proto in (PinProtocolV1(), PinProtocolV2()):
        cp = ClientPin(ctap, proto)
        tokens[proto.VERSION] = (proto, cp.get_pin_token(pin, ClientPin.PERMISSION.MAKE_CREDENTIAL | ClientPin.PERMISSION.GET_ASSERTION, rp["id"]))
    out["tokenLengths"] = {str(v): len(t) for v, (p, t) in tokens.items()}
    # a new token replaces every earlier one, whatever its protocol (CTAP 2.1 §6.5.5.7.2 step 13)
    cdh0 = os.urandom(32)
    proto1, tok1 = tokens[1]
    out["earlierTokenAfterNewOne"] = status_of(lambda: ctap.make_credential(cdh0, rp, {"id": b"x"}, es256, pin_uv_param=proto1.authenticate(tok1, cdh0), pin_uv_protocol=1))

    # makeCredential (rk) signed with a protocol-1 token, then getAssertion with a protocol-2 token
    tok1 = ClientPin(ctap, proto1).get_pin_token(pin, ClientPin.PERMISSION.MAKE_CREDENTIAL, rp["id"])
    cdh = os.urandom(32)
    user = {"id": b"interop-user-1", "name": "alice", "displayName": "Alice"}
    att = ctap.make_credential(cdh, rp, user, es256, options={"rk": True}, extensions={"hmac-secret": True, "credProtect": 2},
                               pin_uv_param=proto1.authenticate(tok1, cdh), pin_uv_protocol=1)
    cred_id = att.auth_data.credential_data.credential_id
    try:
        Attestation.for_type(att.fmt)().verify(att.att_statement, att.auth_data, cdh)
        attestation_ok = True
    except Exception as e:
        attestation_ok = "%s: %s" % (type(e).__name__, e)
    out["makeCredential"] = {
        "fmt": att.fmt,
        "attestationVerifies": attestation_ok,
        "uv": bool(att.auth_data.flags & 0x04),
        "extensions": {k: v for k, v in (att.auth_data.extensions or {}).items()},
    }
    public_key = att.auth_data.credential_data.public_key
    proto2 = PinProtocolV2()
    tok2 = ClientPin(ctap, proto2).get_pin_token(pin, ClientPin.PERMISSION.GET_ASSERTION, rp["id"])
    cdh2 = os.urandom(32)
    ga = ctap.get_assertion(rp["id"], cdh2, pin_uv_param=proto2.authenticate(tok2, cdh2), pin_uv_protocol=2)
    try:
        ga.verify(cdh2, public_key)
        verified = True
    except Exception:
        verified = False
    out["getAssertion"] = {"signatureVerifies": verified, "uv": bool(ga.auth_data.flags & 0x04), "userName": (ga.user or {}).get("name"), "sameCredential": ga.credential["id"] == cred_id}
    # a token serves one request that tests presence (CTAP 2.1 §6.2.2 step 9.4)
    cdh3 = os.urandom(32)
    out["tokenReused"] = status_of(lambda: ctap.get_assertion(rp["id"], cdh3, pin_uv_param=proto2.authenticate(tok2, cdh3), pin_uv_protocol=2))

    # hmac-secret: one and two salts, stable per salt, different without UV
    salt1, salt2 = os.urandom(32), os.urandom(32)

    def hmac_secret(salts, uv):
        cp = ClientPin(ctap, proto2)
        key_agreement, shared = cp._get_shared_secret()
        salt_enc = proto2.encrypt(shared, b"".join(salts))
        ext = {"hmac-secret": {1: key_agreement, 2: salt_enc, 3: proto2.authenticate(shared, salt_enc), 4: 2}}
        c = os.urandom(32)
        if uv:
            t = ClientPin(ctap, proto2).get_pin_token(pin, ClientPin.PERMISSION.GET_ASSERTION, rp["id"])
            r = ctap.get_assertion(rp["id"], c, allow_list=[{"type": "public-key", "id": cred_id}], extensions=ext, pin_uv_param=proto2.authenticate(t, c), pin_uv_protocol=2)
        else:
            r = ctap.get_assertion(rp["id"], c, allow_list=[{"type": "public-key", "id": cred_id}], extensions=ext)
        return proto2.decrypt(shared, r.auth_data.extensions["hmac-secret"]).hex()

    one = hmac_secret([salt1], True)
    out["hmacSecret"] = {
        "oneSaltLength": len(one) // 2,
        "stable": one == hmac_secret([salt1], True),
        "twoSalts": (lambda two: {"length": len(two) // 2, "firstMatches": two[:64] == one, "secondDiffers": two[64:] != one})(hmac_secret([salt1, salt2], True)),
        "differsWithoutUv": hmac_secret([salt1], False) != one,
    }

    # credProtect 2: hidden from discovery without UV, usable through the allow list
    out["credProtect"] = {
        "discoverableWithoutUv": status_of(lambda: ctap.get_assertion(rp["id"], os.urandom(32), options={"up": False})),
        "byIdWithoutUv": status_of(lambda: ctap.get_assertion(rp["id"], os.urandom(32), allow_list=[{"type": "public-key", "id": cred_id}], options={"up": False})),
    }

    # a second account, then credential management: enumerate and delete
    cdh4 = os.urandom(32)
    t4 = ClientPin(ctap, proto2).get_pin_token(pin, ClientPin.PERMISSION.MAKE_CREDENTIAL, rp["id"])
    ctap.make_credential(cdh4, rp, {"id": b"interop-user-2", "name": "bob"}, es256, options={"rk": True}, pin_uv_param=proto2.authenticate(t4, cdh4), pin_uv_protocol=2)
    cm_token = ClientPin(ctap, proto2).get_pin_token(pin, ClientPin.PERMISSION.CREDENTIAL_MGMT)
    cm = CredentialManagement(ctap, proto2, cm_token)
    meta = cm.get_metadata()
    rps = cm.enumerate_rps()
    creds = cm.enumerate_creds(hashlib.sha256(rp["id"].encode()).digest())
    names = sorted(c[CredentialManagement.RESULT.USER]["name"] for c in creds)
    cm.delete_cred(creds[0][CredentialManagement.RESULT.CREDENTIAL_ID])
    after = cm.enumerate_creds(hashlib.sha256(rp["id"].encode()).digest())
    out["credentialManagement"] = {
        "existing": meta[CredentialManagement.RESULT.EXISTING_CRED_COUNT],
        "rps": [r[CredentialManagement.RESULT.RP]["id"] for r in rps],
        "names": names,
        "afterDelete": len(after),
    }

    # a wrong PIN costs a retry; three in a row block PIN entry until a power cycle
    cp = ClientPin(ctap, proto2)
    before = cp.get_pin_retries()[0]
    wrong = [status_of(lambda: ClientPin(ctap, proto2).get_pin_token("0000" + str(i), ClientPin.PERMISSION.GET_ASSERTION)) for i in range(3)]
    right_while_blocked = status_of(lambda: ClientPin(ctap, proto2).get_pin_token(pin, ClientPin.PERMISSION.GET_ASSERTION))
    blocked_retries = ClientPin(ctap, proto2).get_pin_retries()
    conn.close()
    power_cycle(port)
    dev, conn = connect(port)
    ctap = Ctap2(dev)
    after_cycle = status_of(lambda: ClientPin(ctap, proto2).get_pin_token(pin, ClientPin.PERMISSION.GET_ASSERTION))
    out["pinBlock"] = {
        "retriesBefore": before,
        "wrong": wrong,
        "rightWhileBlocked": right_while_blocked,
        "retriesWhileBlocked": blocked_retries[0],
        "powerCycleState": blocked_retries[1],
        "afterPowerCycle": after_cycle,
        "retriesAfter": ClientPin(ctap, proto2).get_pin_retries()[0],
    }

    # U2F: register and authenticate (the key asks for a touch: ask again until it comes)
    u2f = Ctap1(dev)

    def polling(fn):
        for _ in range(100):
            try:
                return fn()
            except ApduError as e:
                if e.code != 0x6985:
                    raise
                time.sleep(0.05)
        raise RuntimeError("no touch")

    app = hashlib.sha256(b"https://interop.example").digest()
    chal = os.urandom(32)
    reg = polling(lambda: u2f.register(chal, app))
    try:
        reg.verify(app, chal)
        reg_ok = True
    except Exception:
        reg_ok = False
    chal2 = os.urandom(32)
    auth = polling(lambda: u2f.authenticate(chal2, app, reg.key_handle))
    try:
        auth.verify(app, chal2, reg.public_key)
        auth_ok = True
    except Exception:
        auth_ok = False
    out["u2f"] = {"version": u2f.get_version(), "registerVerifies": reg_ok, "authenticateVerifies": auth_ok, "counter": auth.counter}
    conn.close()
    print(json.dumps(out, default=lambda o: o.hex() if isinstance(o, (bytes, bytearray)) else str(o)))


if __name__ == "__main__":
    main()
