#!/usr/bin/env bash
# Scale-out on one box: each gateway runs in its own cgroup v1 CPU quota of Q cores
# (/sys/fs/cgroup/cpu/<group>/cpu.cfs_quota_us; needs root). First the one-machine cluster with ONE
# gateway and N clients, then with TWO gateways, each under the same quota Q, and 2N clients. If the
# service scales out, both runs are on time alike. Silos run unlimited unless -s gives them a quota too.
#   bench/run-scale-out.sh [-q CORES] [-n CLIENTS] [-s SILO_CORES] [-p PERIOD_MS] [-d SECONDS] [-- more bench options]
#     -q  CPU quota per gateway, in cores (default 0.25)
#     -n  clients of the one-gateway run; the two-gateway run gets twice as many (default 5000)
#     -s  CPU quota per silo, in cores (default: none)
#     -p  CFS period of the quotas in ms (default 10; 100 is the kernel's and container runtimes' default,
#         with which a node that spends its quota early in a period stalls for the rest of it)
#     -d  seconds of load per run (default 60)
#   e.g. bench/run-scale-out.sh -q 0.25 -n 5000 -- --service-root /work/main
# Heartbeats every 5 s, first ones over 5 s. Uses the Release build (builds the solution first).
# Output: a summary of both runs; each run's full report and node logs in /tmp/tixtrigger-bench/scale-out-<time>/.
# Exit code: 0 it scales (two-gateway on-time within 0.1 point of one's), 1 it does not, 2 could not measure.
# The cgroups are named tixtrigger-scale-<pid>-*; the bench removes them, and so does this script on exit.
set -u
cd "$(dirname "$0")/.."
quota=0.25; clients=5000; silo_quota=""; period=10; duration=60
while getopts "q:n:s:p:d:h" option; do
  case $option in
    q) quota=$OPTARG ;;
    p) period=$OPTARG ;;
    n) clients=$OPTARG ;;
    s) silo_quota=$OPTARG ;;
    d) duration=$OPTARG ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ -w /sys/fs/cgroup/cpu/cgroup.procs ] || { echo "run-scale-out: needs root and cgroup v1's cpu controller at /sys/fs/cgroup/cpu" >&2; exit 2; }
command -v jq > /dev/null || { echo "run-scale-out: needs jq (apt-get install -y jq)" >&2; exit 2; }

out=/tmp/tixtrigger-bench/scale-out-$(date +%Y%m%d-%H%M%S); mkdir -p "$out"
prefix=tixtrigger-scale-$$
bench=""
cleanup() {
  [ -n "$bench" ] && kill -TERM "$bench" 2>/dev/null && wait "$bench" 2>/dev/null
  # Normally the bench has removed its groups; after a kill -9 of it, empty ones may be left.
  for group in /sys/fs/cgroup/cpu/"$prefix"-*; do
    [ -d "$group" ] || continue
    while read -r task; do echo "$task" > /sys/fs/cgroup/cpu/cgroup.procs 2>/dev/null; done < "$group/cgroup.procs"
    rmdir "$group" 2>/dev/null || echo "run-scale-out: could not remove $group" >&2
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dotnet build TixTrigger.sln -c Release -nologo -clp:ErrorsOnly > /dev/null || exit 2

run() { # label gateways clients [more bench options]
  local label=$1 gateways=$2 count=$3; shift 3
  echo "$(date +%T) $label: $gateways gateway(s) at $quota cores each, $count clients, $duration s ..."
  dotnet bench/bin/Release/net10.0/TixTrigger.Bench.dll --compare cluster --only service \
    --gateways "$gateways" --gateway-cpu-quota "$quota" ${silo_quota:+--silo-cpu-quota "$silo_quota"} --cpu-period-ms "$period" --cgroup-prefix "$prefix-$label" \
    --clients "$count" --heartbeat-seconds 5 --spread-seconds 5 --duration "$duration" --log-dir "$out/$label" "$@" > "$out/$label.log" 2>&1 &
  bench=$!
  wait "$bench"; local status=$?; bench=""
  # 0 and 1 are measurements (1: the service missed a threshold of the comparison); anything else is not.
  if [ $status -gt 1 ]; then echo "run-scale-out: the $label run could not measure (exit $status); see $out/$label.log" >&2; tail -5 "$out/$label.log" >&2; exit 2; fi
  tail -1 "$out/$label.log" > "$out/$label.json"
}
run one 1 "$clients" "$@"
run two 2 $((clients * 2)) "$@"

report() { # label title
  jq -r --arg name "$2" '
    .service as $s
    | ($s.nodes | map(select(.name | startswith("gateway")))) as $gateways
    | "\($name): \($s.load.clients) clients, on time \($s.load.withinToleranceFraction * 100 | . * 1000 | round / 1000) %, "
      + "\($s.load.clientsWithMissedPings + $s.load.clientsWithoutPings) with missed pings, first-ping p99 \($s.load.firstPingP99Ms) ms",
      ($gateways[] as $g | "    \($g.name): \($g.cpuCores * 100 | round) % of a core (quota \($g.quotaCores * 100 | round) %), throttled in \($g.throttledPeriods) of \($g.periods) periods"),
      ($s.load.byTarget[]? | "    via \(.target): \(.clients) clients, on time \(.withinToleranceFraction * 100 | . * 1000 | round / 1000) %, \(.clientsWithMissedPings + .clientsWithoutPings) with missed pings"),
      ($s.nodes | map(select(.name | startswith("silo")))[] | "    \(.name): \(.cpuCores * 100 | round) % of a core")
  ' "$out/$1.json"
}
echo
echo "== scale-out: each gateway limited to $quota cores${silo_quota:+, each silo to $silo_quota cores} (CFS period $period ms) =="
report one "one gateway "
report two "two gateways"
one=$(jq '.service.load.withinToleranceFraction' "$out/one.json")
two=$(jq '.service.load.withinToleranceFraction' "$out/two.json")
# Scaling out holds when twice the gateways carry twice the clients at the same on-time (within 0.1 point).
echo "full reports and node logs: $out"
if jq -en --argjson one "$one" --argjson two "$two" '$two >= $one - 0.001' > /dev/null; then
  echo "SCALES: two gateways carry twice the clients at the same on-time (within 0.1 point)"
else
  echo "DOES NOT SCALE: two gateways with twice the clients are less on time than one"
  exit 1
fi
