#!/usr/bin/env bash
# The interop and NFC tests need Debian's independent CTAP client and a real PC/SC stack:
# python3-fido2 (+ python3-pyscard for its PC/SC device), pcscd with vsmartcard-vpcd (a reader
# whose card is a program on TCP), and libpcsclite-dev (headers for the PC/SC binding, built
# offline by node-gyp). This installs what is missing when we may (root, or password-less sudo);
# where it cannot, it says so and those tests skip, naming what to install.
set -uo pipefail
PACKAGES=(python3-fido2 python3-pyscard pcscd vsmartcard-vpcd libpcsclite-dev)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The PC/SC binding (optional dependency "smartcard") builds at npm install against
# libpcsclite-dev: on a machine that got the headers only now, build it again.
ensure_binding() {
  if ! node -e "require('smartcard')" >/dev/null 2>&1; then
    echo "ensure-interop: building the PC/SC binding (smartcard) against libpcsclite-dev..." >&2
    npm rebuild smartcard >/dev/null 2>&1 || npm install --no-save --no-package-lock --no-audit --no-fund smartcard@3 >/dev/null 2>&1 \
      || echo "ensure-interop: the PC/SC binding did not build: the NFC tests will skip" >&2
  fi
}
if [[ ${#missing[@]} -eq 0 ]]; then ensure_binding; exit 0; fi
as_root=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then as_root=(sudo -n); else
    echo "ensure-interop: missing ${missing[*]} and no way to install them: the python-fido2 and NFC tests will skip (install: sudo apt-get install ${missing[*]})" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "ensure-interop: missing ${missing[*]} and no apt-get: the python-fido2 and NFC tests will skip" >&2
  exit 0
fi
echo "ensure-interop: installing ${missing[*]} (apt-get)..." >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "ensure-interop: apt-get could not install ${missing[*]}: those tests will skip" >&2
fi
# Debian starts a system pcscd on install; the NFC tests run their own private one (in a mount
# namespace of its own, with its socket in a temp folder), so leave it be
ensure_binding
exit 0
