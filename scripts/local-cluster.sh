#!/usr/bin/env bash
# A whole cluster on one machine, in one command: redis-server, two silos and two gateways as
# processes, each with its log and PID file in one folder.
#
#   scripts/local-cluster.sh start     # builds (Release), starts, waits until every node is ready
#   scripts/local-cluster.sh status    # which nodes run, and whether each is ready
#   scripts/local-cluster.sh stop      # SIGTERM to every node (then SIGKILL after 20 s), gateways first
#
# Phones use UDP 7561 and 7562; status pages at http://127.0.0.1:8080/status and :8081; metrics
# of the gateways at :9464/metrics and :9465/metrics. UDP and Orleans ports listen on 127.0.0.1; the
# HTTP ports on every interface, as in a container (see the README on who can reach what).
# Override with the variables below (the tests do, to use free ports and a folder of their own).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${TIXTRIGGER_LOCAL_DIR:-$PWD/.local-cluster}
REDIS_PORT=${REDIS_PORT:-6379}
read -r -a SILO_PORTS <<< "${SILO_PORTS:-11111 11112}"
read -r -a ORLEANS_GATEWAY_PORTS <<< "${ORLEANS_GATEWAY_PORTS:-30000 30001}"
read -r -a DASHBOARD_PORTS <<< "${DASHBOARD_PORTS:-8080 8081}"
read -r -a UDP_PORTS <<< "${UDP_PORTS:-7561 7562}"
read -r -a METRICS_PORTS <<< "${METRICS_PORTS:-9464 9465}"
CONFIGURATION=${CONFIGURATION:-Release}
SILO_DLL=$PWD/silo/bin/$CONFIGURATION/net10.0/TixTrigger.Silo.dll
GATEWAY_DLL=$PWD/gateway/bin/$CONFIGURATION/net10.0/TixTrigger.Gateway.dll
NODES=(gateway-b gateway-a silo-2 silo-1 redis)   # the order to stop them in

running() { [ -f "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

# Starts a node in the background: its output goes to DIR/<name>.log, its PID to DIR/<name>.pid.
launch() {
  local name=$1; shift
  nohup "$@" > "$DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$DIR/$name.pid"
}

# Waits until a node's --healthcheck (its /readyz) passes; shows its log's end if it never does.
await_ready() {
  local name=$1 dll=$2 port_variable=$3 port=$4
  for _ in $(seq 1 120); do
    if env "$port_variable=$port" dotnet "$dll" --healthcheck > /dev/null 2>&1; then echo "  $name ready"; return 0; fi
    if ! running "$name"; then break; fi
    sleep 0.5
  done
  echo "$name did not become ready; the end of $DIR/$name.log:" >&2
  tail -n 20 "$DIR/$name.log" >&2
  return 1
}

start() {
  for node in "${NODES[@]}"; do
    if running "$node"; then echo "already running ($node, pid $(cat "$DIR/$node.pid")): $0 stop first" >&2; exit 1; fi
  done
  command -v redis-server > /dev/null || { echo "redis-server is missing: apt-get install redis-server (with sudo unless root)" >&2; exit 1; }
  if [ "${TIXTRIGGER_NO_BUILD:-0}" != 1 ]; then dotnet build TixTrigger.sln -c "$CONFIGURATION" -nologo -clp:ErrorsOnly > /dev/null; fi
  # A fresh cluster each time: membership left by nodes that were killed would delay the new silos.
  rm -rf "$DIR/redis"
  mkdir -p "$DIR/redis"
  echo "starting in $DIR"

  launch redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --appendonly yes --dir "$DIR/redis" --daemonize no
  export REDIS_CONNECTION=127.0.0.1:$REDIS_PORT CLUSTER_ID=local SERVICE_ID=local ADVERTISED_IP=127.0.0.1
  for i in 0 1; do
    ORLEANS_SILO_PORT=${SILO_PORTS[$i]} ORLEANS_GATEWAY_PORT=${ORLEANS_GATEWAY_PORTS[$i]} DASHBOARD_PORT=${DASHBOARD_PORTS[$i]} \
      launch "silo-$((i + 1))" dotnet "$SILO_DLL"
  done
  for i in 0 1; do await_ready "silo-$((i + 1))" "$SILO_DLL" DASHBOARD_PORT "${DASHBOARD_PORTS[$i]}"; done
  for i in 0 1; do
    local id; id=$([ "$i" = 0 ] && echo a || echo b)
    HOST=127.0.0.1 PORT=${UDP_PORTS[$i]} METRICS_PORT=${METRICS_PORTS[$i]} GATEWAY_ID=gateway-$id \
      launch "gateway-$id" dotnet "$GATEWAY_DLL"
  done
  await_ready gateway-a "$GATEWAY_DLL" METRICS_PORT "${METRICS_PORTS[0]}"
  await_ready gateway-b "$GATEWAY_DLL" METRICS_PORT "${METRICS_PORTS[1]}"

  cat <<SUMMARY
cluster up:
  phones:     udp 127.0.0.1:${UDP_PORTS[0]} (gateway-a), 127.0.0.1:${UDP_PORTS[1]} (gateway-b)
  status:     http://127.0.0.1:${DASHBOARD_PORTS[0]}/status, http://127.0.0.1:${DASHBOARD_PORTS[1]}/status (Orleans Dashboard at /dashboard)
  metrics:    silos :${DASHBOARD_PORTS[0]}/metrics :${DASHBOARD_PORTS[1]}/metrics, gateways :${METRICS_PORTS[0]}/metrics :${METRICS_PORTS[1]}/metrics
  logs, PIDs: $DIR/*.log, $DIR/*.pid
  stop with:  $0 stop
SUMMARY
}

stop() {
  for node in "${NODES[@]}"; do
    if running "$node"; then
      local pid; pid=$(cat "$DIR/$node.pid")
      kill -TERM "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; echo "  $node killed (did not stop within 20 s)"; else echo "  $node stopped"; fi
    fi
    rm -f "$DIR/$node.pid"
  done
}

status() {
  for node in "${NODES[@]}"; do
    if running "$node"; then echo "  $node running (pid $(cat "$DIR/$node.pid"), log $DIR/$node.log)"; else echo "  $node not running"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
