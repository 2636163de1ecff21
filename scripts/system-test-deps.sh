#!/usr/bin/env bash
# Installs Debian's chromium, postgresql and haproxy for the browser, PostgreSQL and proxy
# tests when they are missing and this user can (root with apt-get). Never fails the build:
# the tests that need them skip with a visible reason instead.
set -u
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
# the sticky-proxy test and `python -m benchmarks --concurrency --processes 2`
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-test-deps: missing ${need[*]} and cannot apt-get install; those tests will be skipped" >&2
  exit 0
fi
echo "system-test-deps: installing ${need[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-noto-core >/dev/null 2>&1 \
  || apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || echo "system-test-deps: apt-get install ${need[*]} failed; those tests will be skipped" >&2
exit 0
