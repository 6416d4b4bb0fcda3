#!/usr/bin/env bash
# The PostgreSQL store's tests start a throw-away cluster (initdb + pg_ctl, in a temporary
# folder, on a free port, as a non-root user) and remove it afterwards. This installs Debian's
# PostgreSQL server when no initdb is found and we may (root, or password-less sudo), without
# Debian's default cluster. Where it cannot be installed it says so and the PostgreSQL tests skip.
set -uo pipefail
found() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}
if found; then exit 0; fi
as_root=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then as_root=(sudo -n); else
    echo "ensure-postgres: no PostgreSQL server here and no way to install it: the PostgreSQL store tests will skip (install: sudo apt-get install postgresql)" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "ensure-postgres: no PostgreSQL server and no apt-get: the PostgreSQL store tests will skip" >&2
  exit 0
fi
echo "ensure-postgres: installing Debian's postgresql (apt-get), without its default cluster..." >&2
"${as_root[@]}" mkdir -p /etc/postgresql-common
echo "create_main_cluster = false" | "${as_root[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confold postgresql >/dev/null; then
  echo "ensure-postgres: apt-get could not install postgresql: the PostgreSQL store tests will skip" >&2
fi
exit 0
