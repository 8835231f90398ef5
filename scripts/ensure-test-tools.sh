#!/usr/bin/env bash
# Installs the Debian packages the test suite starts as real processes, when they are missing:
#   prometheus-alertmanager — test/alerts/alertmanager.test.ts runs a real Alertmanager against Vigil;
#   prometheus — its promtool lints /metrics/drift (test/drift/monitors/metrics.test.ts), checks
#     the Prometheus configuration Vigil ships (test/deploy/docker.test.ts), and checks and
#     unit-tests the alert rules and parses the dashboards' PromQL (test/dashboards/prometheus.test.ts);
#   chromium — the web UI's end-to-end test drives it through playwright-core (test/ui/e2e.test.ts);
#     Debian's build, so no browser is downloaded by npm.
# Idempotent: does nothing when every tool is already on PATH (or in /usr/bin).
set -euo pipefail

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

missing=()
# Debian installs the binary as /usr/bin/prometheus-alertmanager.
command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1 ||
  missing+=(prometheus-alertmanager)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
  echo "test tools: already installed"
  exit 0
fi

echo "test tools: installing ${missing[*]}"
$SUDO apt-get update -qq
# --no-install-recommends: the tests need the binary, not the web UI or a system service.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packages enable system services (:9093, :9090); the tests start their own processes.
for service in prometheus-alertmanager prometheus; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    $SUDO systemctl stop "$service" || true
  fi
done
echo "test tools: installed ${missing[*]}"
