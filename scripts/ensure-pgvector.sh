#!/usr/bin/env bash
# Makes sure the local PostgreSQL can `CREATE EXTENSION vector`.
# Debian bookworm ships no pgvector binary for PostgreSQL 15, so this builds it from Debian's
# pgvector *source* package (trixie), fetched through apt with the mirror the machine already uses.
# Idempotent: does nothing when the extension is already available.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER

available() {
  psql -d postgres -tAc "select 1 from pg_available_extensions where name = 'vector'" 2>/dev/null | grep -q 1
}

if available; then
  echo "pgvector: already available"
  exit 0
fi

PG_MAJOR=$(psql -d postgres -tAc "show server_version_num" | cut -c1-2)
PG_CONFIG=/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

echo "pgvector: building for PostgreSQL ${PG_MAJOR} from Debian's source package"
export DEBIAN_FRONTEND=noninteractive
if [ ! -x "$PG_CONFIG" ] || ! dpkg -s "postgresql-server-dev-${PG_MAJOR}" >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "postgresql-server-dev-${PG_MAJOR}" dpkg-dev make gcc >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The mirror URI comes from the machine's own apt sources (deb822 or one-line form).
uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
if [ -z "$uri" ]; then
  uri=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
fi
uri=${uri:-http://deb.debian.org/debian}
mkdir -p "$work/lists/partial"
cat >"$work/src.sources" <<SRC
Types: deb-src
URIs: ${uri}
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
aptopts=(-o "Dir::Etc::SourceList=$work/src.sources" -o "Dir::Etc::SourceParts=/dev/null" -o "Dir::State::Lists=$work/lists")
$SUDO apt-get "${aptopts[@]}" update -qq
(cd "$work" && apt-get "${aptopts[@]}" source --download-only -qq pgvector)
(cd "$work" && dpkg-source -x --no-check pgvector_*.dsc src >/dev/null)
make -C "$work/src" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" -s >/dev/null
$SUDO make -C "$work/src" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" install -s >/dev/null

if available; then
  echo "pgvector: installed"
else
  echo "pgvector: build finished but the extension is still not available" >&2
  exit 1
fi
