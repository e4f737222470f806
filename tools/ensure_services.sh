#!/usr/bin/env bash
# Make PostgreSQL and Redis answer on 127.0.0.1 (CI and fresh machines).
# Installs Debian's packages when a tool or server is missing, starts what is down,
# and waits until both answer. Safe to run again: it changes nothing that works.
set -u

log() { echo "services: $*"; }
apt_ready=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || { log "cannot install $* (no apt-get)"; return 1; }
  if [ "$apt_ready" = 0 ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    apt_ready=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- PostgreSQL -------------------------------------------------------------
command -v pg_isready >/dev/null 2>&1 || apt_install postgresql-client
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! pg_up; then
  installed_now=0
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql && installed_now=1
  fi
  ver=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n1)
  if [ -n "$ver" ]; then
    if [ "$installed_now" = 1 ]; then
      # A test-only server: trust local connections, as on the project's machines.
      hba=/etc/postgresql/$ver/main/pg_hba.conf
      sed -i -E 's/^(local|host)(\s+all\s+all\s+.*\s)(peer|md5|scram-sha-256)\s*$/\1\2trust/' "$hba"
      sed -i -E 's/^(local\s+all\s+postgres\s+)peer\s*$/\1trust/' "$hba"
    fi
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null ||
      pg_ctlcluster "$ver" main start 2>/dev/null || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }

# --- Redis ------------------------------------------------------------------
command -v redis-cli >/dev/null 2>&1 || apt_install redis-tools
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ! redis_up; then
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/herald-redis.log || true
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
fi
redis_up || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
log "PostgreSQL and Redis are up"
