#!/usr/bin/env bash
# The README's "on one machine, without Docker" cluster (Release build): redis-server, two silos,
# two gateways on UDP 7561 and 7562; runs the bench over both gateways, optionally doing harm mid-run.
#   bench/run-cluster.sh LABEL none|kill-silo|restart-gateway [bench options...]
#     kill-silo:        at 17 s, kill -9 the silo that hosts the most shards
#     restart-gateway:  at 12 s, kill -9 gateway-a; start it again 2 s later with the same GATEWAY_ID
# Output: /tmp/tixtrigger-bench/LABEL.*.log
set -u
cd "$(dirname "$0")/.."
label=$1; action=$2; shift 2
out=/tmp/tixtrigger-bench; mkdir -p $out
dotnet build TixTrigger.sln -c Release -nologo -clp:ErrorsOnly >/dev/null
S=silo/bin/Release/net10.0/TixTrigger.Silo.dll
G=gateway/bin/Release/net10.0/TixTrigger.Gateway.dll
data=$(mktemp -d)
redis-server --port 6379 --bind 127.0.0.1 --appendonly yes --dir $data > $out/$label.redis.log 2>&1 & redis=$!
sleep 1
# A fresh STATE_DIR per run: the gateways start with no clients, and the restarted one finds what it saved.
export REDIS_CONNECTION=127.0.0.1:6379 CLUSTER_ID=bench-$label STATE_DIR=$data/state
ORLEANS_SILO_PORT=11111 ORLEANS_GATEWAY_PORT=30000 DASHBOARD_PORT=8080 dotnet $S > $out/$label.silo1.log 2>&1 & s1=$!
ORLEANS_SILO_PORT=11112 ORLEANS_GATEWAY_PORT=30001 DASHBOARD_PORT=8081 dotnet $S > $out/$label.silo2.log 2>&1 & s2=$!
PORT=7561 METRICS_PORT=9464 GATEWAY_ID=gateway-a dotnet $G > $out/$label.gateway-a.log 2>&1 & ga=$!
PORT=7562 METRICS_PORT=9465 GATEWAY_ID=gateway-b dotnet $G > $out/$label.gateway-b.log 2>&1 & gb=$!
trap 'kill -9 $s1 $s2 $ga $gb 2>/dev/null; kill $redis 2>/dev/null; wait 2>/dev/null; rm -rf $data' EXIT
for log in gateway-a gateway-b; do
  for _ in $(seq 1 120); do grep -q "listening on udp" $out/$label.$log.log && break; sleep 0.5; done
done
sleep 2
dotnet bench/bin/Release/net10.0/TixTrigger.Bench.dll --targets 127.0.0.1:7561,127.0.0.1:7562 "$@" > $out/$label.bench.log 2>&1 &
bench=$!
case $action in
  kill-silo)
    sleep 17
    port=$(curl -s http://127.0.0.1:8080/dashboard/DashboardCounters | python3 -c '
import json, sys
shards = {}
for g in json.load(sys.stdin)["simpleGrainStats"]:
    if "PingShardGrain" in g["grainType"]:
        shards[g["siloAddress"]] = shards.get(g["siloAddress"], 0) + g["activationCount"]
print(shards, file=sys.stderr)
print(max(shards, key=shards.get).split(":")[1].split("@")[0])')
    victim=$s1; [ "$port" = 11112 ] && victim=$s2
    echo "$(date +%T.%N) kill -9 the silo on port $port"; kill -9 $victim ;;
  restart-gateway)
    sleep 12; echo "$(date +%T.%N) kill -9 gateway-a"; kill -9 $ga; sleep 2
    echo "$(date +%T.%N) start gateway-a again"
    PORT=7561 METRICS_PORT=9464 GATEWAY_ID=gateway-a dotnet $G > $out/$label.gateway-a-restarted.log 2>&1 & ga=$! ;;
esac
wait $bench; status=$?
cat $out/$label.bench.log
exit $status
