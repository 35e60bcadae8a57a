#!/usr/bin/env bash
# A Docker engine for the compose test, on a machine that may have none running (no systemd):
#
#   scripts/docker-engine.sh start DIR   # installs docker.io, docker-compose, debootstrap if missing; starts
#                                        # dockerd unless one answers; notes in DIR what it changed
#   scripts/docker-engine.sh stop DIR    # stops the dockerd it started and puts the host's firewall back
#
# dockerd leaves the FORWARD policy at DROP, ip_forward=1, the docker0 bridge and its iptables chains when
# it exits: stop undoes exactly those (rules naming DOCKER or docker0 added since start), nothing else,
# so other programs' rules and loopback traffic are untouched. Docker's nat table turns connection
# tracking on for every flow, loopback too, and floods from forged sources (the abuse tests) fill the
# table until sends fail with EPERM: while the engine runs, loopback is exempt (raw NOTRACK on lo), and
# stop deletes the netfilter tables Docker created (an empty nat table alone keeps tracking on).
# Needs root (or sudo).
set -euo pipefail

action=${1:?usage: $0 start|stop DIR}
dir=${2:?usage: $0 start|stop DIR}
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
# Debian's docker CLI: a newer one earlier on PATH talks to the daemon too, but be predictable.
DOCKER=/usr/bin/docker; [ -x $DOCKER ] || DOCKER=docker

install_missing() {
  declare -A packages=([dockerd]=docker.io [docker-compose]=docker-compose [debootstrap]=debootstrap [nft]=nftables)
  local missing=() program
  for program in "${!packages[@]}"; do
    command -v "$program" > /dev/null 2>&1 || [ -x "/usr/sbin/$program" ] || missing+=("${packages[$program]}")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
}

rules() { $SUDO iptables-save -t "$1" 2>/dev/null | grep -E '^(-A|:)' || true; }
tables() { $SUDO nft list tables 2>/dev/null || true; }

# Loopback flows untracked while the engine runs: nothing of Docker's needs it (published loopback ports go
# through its userland proxy; the gateways are on the host's network).
untrack_loopback() {
  [ -f "$dir/notrack" ] && return 0
  # The marker first: a run interrupted between the two inserts still takes back what it added.
  touch "$dir/notrack"
  $SUDO iptables -t raw -I PREROUTING -i lo -j NOTRACK && $SUDO iptables -t raw -I OUTPUT -o lo -j NOTRACK
}

track_loopback_again() {
  [ -f "$dir/notrack" ] || return 0
  $SUDO iptables -t raw -D PREROUTING -i lo -j NOTRACK 2>/dev/null || true
  $SUDO iptables -t raw -D OUTPUT -o lo -j NOTRACK 2>/dev/null || true
  rm -f "$dir/notrack"
}

start() {
  mkdir -p "$dir"
  install_missing
  tables > "$dir/tables.before"
  if $DOCKER info > /dev/null 2>&1; then untrack_loopback; echo "docker engine: using the one running"; return 0; fi
  # What dockerd will change, to put back at stop.
  $SUDO iptables -S FORWARD | awk '$1 == "-P" { print $3 }' > "$dir/forward-policy"
  sysctl -n net.ipv4.ip_forward > "$dir/ip-forward"
  if ip link show docker0 > /dev/null 2>&1; then echo yes > "$dir/had-docker0"; else echo no > "$dir/had-docker0"; fi
  rules filter > "$dir/filter.before"
  rules nat > "$dir/nat.before"
  $SUDO dockerd > "$dir/dockerd.log" 2>&1 &
  echo $! > "$dir/dockerd.pid"
  for _ in $(seq 1 60); do
    if $DOCKER info > /dev/null 2>&1; then untrack_loopback; echo "docker engine: started dockerd (pid $(cat "$dir/dockerd.pid"), log $dir/dockerd.log)"; return 0; fi
    $SUDO kill -0 "$(cat "$dir/dockerd.pid")" 2>/dev/null || break
    sleep 0.5
  done
  echo "docker engine: dockerd did not start; the end of $dir/dockerd.log:" >&2
  tail -n 20 "$dir/dockerd.log" >&2
  stop
  return 1
}

# Deletes, newest first, the rules of a table that name Docker and were not there before start, then the
# chains Docker created.
restore_table() {
  local table=$1 line chain
  { rules "$table" | grep -E 'DOCKER|docker0' | grep -vxFf "$dir/$table.before" | grep '^-A' || true; } | tac | while IFS= read -r line; do
    # shellcheck disable=SC2086 # the rule's own words, as iptables-save printed them
    eval "$SUDO iptables -t $table -D ${line#-A }" || true
  done
  { rules "$table" | grep -E '^:DOCKER' | grep -vxFf "$dir/$table.before" || true; } | while IFS= read -r line; do
    chain=${line#:}; chain=${chain%% *}
    $SUDO iptables -t "$table" -F "$chain" 2>/dev/null || true
    $SUDO iptables -t "$table" -X "$chain" 2>/dev/null || true
  done
}

# Deletes the netfilter tables that were not there at start and hold no rule now (iptables-nft leaves
# an emptied table, with its hooks, behind).
delete_new_tables() {
  local family name
  [ -f "$dir/tables.before" ] || return 0
  { tables | grep -vxFf "$dir/tables.before" || true; } | while read -r _ family name; do
    if [ "$($SUDO nft -a list table "$family" "$name" | grep '# handle' | grep -cvE '^\s*(table|chain) ')" = 0 ]; then
      $SUDO nft delete table "$family" "$name"
    fi
  done
}

stop() {
  track_loopback_again
  [ -f "$dir/dockerd.pid" ] || { delete_new_tables; echo "docker engine: not started by us, left running"; return 0; }
  local pid; pid=$(cat "$dir/dockerd.pid")
  if $SUDO kill -0 "$pid" 2>/dev/null; then
    $SUDO kill -TERM "$pid"
    for _ in $(seq 1 60); do $SUDO kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    $SUDO kill -0 "$pid" 2>/dev/null && $SUDO kill -KILL "$pid"
  fi
  rm -f "$dir/dockerd.pid"
  [ -s "$dir/forward-policy" ] && $SUDO iptables -P FORWARD "$(cat "$dir/forward-policy")"
  [ -s "$dir/ip-forward" ] && $SUDO sysctl -qw net.ipv4.ip_forward="$(cat "$dir/ip-forward")"
  if [ "$(cat "$dir/had-docker0" 2>/dev/null)" = no ] && ip link show docker0 > /dev/null 2>&1; then $SUDO ip link delete docker0; fi
  restore_table filter
  restore_table nat
  delete_new_tables
  echo "docker engine: dockerd stopped, FORWARD policy, ip_forward, docker0, Docker's iptables rules and tables put back"
}

case $action in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
