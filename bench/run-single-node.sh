#!/usr/bin/env bash
# Starts the single-node service (Release build), runs the bench against it, stops the service.
#   bench/run-single-node.sh LABEL [bench options...]     e.g. bench/run-single-node.sh n500 --clients 500 --stop-half-after 15 --expiry 6
# Output: /tmp/tixtrigger-bench/LABEL.{service,bench}.log
set -u
cd "$(dirname "$0")/.."
label=$1; shift
out=/tmp/tixtrigger-bench; mkdir -p $out
dotnet build TixTrigger.sln -c Release -nologo -clp:ErrorsOnly >/dev/null
STATE_DIR=none PORT=17561 CLIENT_EXPIRATION_SECONDS=6 DASHBOARD_PORT=18090 ORLEANS_SILO_PORT=21190 ORLEANS_GATEWAY_PORT=31190 \
  dotnet silo/bin/Release/net10.0/TixTrigger.Silo.dll > $out/$label.service.log 2>&1 &
service=$!
trap 'kill -TERM $service 2>/dev/null; wait $service 2>/dev/null' EXIT
for _ in $(seq 1 60); do grep -q "listening on udp" $out/$label.service.log && break; sleep 0.5; done
dotnet bench/bin/Release/net10.0/TixTrigger.Bench.dll --target 127.0.0.1:17561 "$@" | tee $out/$label.bench.log
