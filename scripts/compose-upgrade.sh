#!/usr/bin/env bash
# Upgrades one gateway of the compose cluster to the image just built, without a missed ping
# (tests/Compose/ComposeClusterTests.cs runs it):
#
#   docker-compose build gateway-a && scripts/compose-upgrade.sh gateway-a [docker-compose options, e.g. -p NAME]
#
# `docker-compose up -d` of a new image stops the old container before it starts the new one: a restart,
# not a hand-over. Here the new container starts beside the old (a second replica of the service: same
# settings, same host network, same state volume); its gateway takes the old one's socket and clients
# over (docs/OPERATIONS.md: upgrading a gateway), the old one exits 0 and is removed. Its restart policy is taken
# off first: unless-stopped would start it again, and it would take the gateway back. (The service keeps
# unless-stopped, not on-failure: Docker does not restart an on-failure container that exited 0 when
# the daemon stopped, so after a reboot the gateways would stay down.)
set -euo pipefail
service=${1:?usage: $0 SERVICE [docker-compose options]}
shift
# Compose v1 (docker-compose) or the v2 plugin (docker compose): both take these commands.
if command -v docker-compose > /dev/null; then compose=(docker-compose "$@"); else compose=(docker compose "$@"); fi

mapfile -t old < <("${compose[@]}" ps -q "$service")
[ ${#old[@]} -eq 1 ] || { echo "upgrade: $service has ${#old[@]} containers, expected 1" >&2; exit 1; }
echo "upgrade: starting a new $service beside ${old[0]:0:12}"
docker update --restart=no "${old[0]}" > /dev/null
"${compose[@]}" up -d --no-deps --no-recreate --scale "$service=2" "$service"

# The old one exits 0 once the new one pings (within 15 s); anything else leaves both for a look.
code=$(timeout 60 docker wait "${old[0]}" || echo timeout)
if [ "$code" != 0 ]; then
  echo "upgrade: the old $service did not hand over (exit $code); both containers left as they are (the old one's restart policy is now no): docker-compose logs $service" >&2
  exit 1
fi
docker rm "${old[0]}" > /dev/null
"${compose[@]}" ps "$service"
echo "upgrade: $service runs the new image; the old container handed over and was removed"
