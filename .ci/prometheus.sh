#!/usr/bin/env bash
# Runs a command next to a real Prometheus on loopback, for the tests that read Istio metrics through it.
#   .ci/prometheus.sh -- ./mvnw -B verify
# Installs Debian's prometheus package when the binary is missing, starts it (not the Debian service)
# with a generated config that scrapes 127.0.0.1:$CANARY_PROMETHEUS_TARGET_PORT every second, where the
# integration test serves Istio-named metrics, and stops it when the command ends, whatever the outcome.
# The command sees CANARY_PROMETHEUS_URL and CANARY_PROMETHEUS_TARGET_PORT.
set -euo pipefail
[ "${1:-}" = "--" ] && shift
[ "$#" -gt 0 ] || { echo "usage: $0 -- COMMAND..." >&2; exit 2; }

if ! command -v prometheus >/dev/null 2>&1; then
  if ! apt-cache policy prometheus 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt-get update -qq
  fi
  # Package lists older than the mirror make an install fail: refresh them once and try again.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
fi

# A port nothing listens on (bash only: a fresh machine may have neither python nor ss).
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}
# GET http://127.0.0.1:$1$2 and succeed on a 200 (bash only, no curl needed).
http_ok() {
  local reply
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  read -r -t 5 reply <&3 || true
  exec 3<&-
  [[ "$reply" == *" 200 "* ]]
}
PROM_PORT=$(free_port)
TARGET_PORT=$(free_port)
while [ "$TARGET_PORT" = "$PROM_PORT" ]; do TARGET_PORT=$(free_port); done
WORK=$(mktemp -d)
cat > "$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: canary-test-target
    scrape_interval: 1s
    scrape_timeout: 900ms
    static_configs:
      - targets: ['127.0.0.1:${TARGET_PORT}']
YAML

prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:${PROM_PORT}" --log.level=warn >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
stop() {
  kill "$PROM_PID" 2>/dev/null || true
  wait "$PROM_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap stop EXIT

# Bounded wait for readiness: 60 tries a half second apart.
for _ in $(seq 1 60); do
  if http_ok "$PROM_PORT" /-/ready 2>/dev/null; then
    break
  fi
  if ! kill -0 "$PROM_PID" 2>/dev/null; then
    echo "prometheus exited at start:" >&2
    cat "$WORK/prometheus.log" >&2
    exit 1
  fi
  sleep 0.5
done
http_ok "$PROM_PORT" /-/ready 2>/dev/null || { echo "prometheus not ready" >&2; cat "$WORK/prometheus.log" >&2; exit 1; }
echo "prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') on 127.0.0.1:${PROM_PORT}, scraping 127.0.0.1:${TARGET_PORT}"

export CANARY_PROMETHEUS_URL="http://127.0.0.1:${PROM_PORT}"
export CANARY_PROMETHEUS_TARGET_PORT="${TARGET_PORT}"
"$@"
