#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine with the .NET SDK, builds, and runs every
# test, printing one line per test class as it finishes. The whole log goes to tests/TestResults/.
#
#   ./tests/run.sh            # every test; the compose tests (docker-compose.yml on a real engine) last
#   ./tests/run.sh compose    # only the compose tests
#
# The compose tests need a Docker engine: scripts/docker-engine.sh installs Debian's and starts dockerd
# if none runs (stopping it and putting the host's firewall back at the end), scripts/container-images.sh
# provides the base images (stand-ins when no registry answers). The images build in the background,
# at the lowest priority, while the other tests run.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
case $mode in all|compose) ;; *) echo "usage: $0 [compose]" >&2; exit 2 ;; esac

# program -> Debian package: redis-server and prometheus run in the tests, chromium opens the status
# page, docker-compose checks the compose file and runs it (on the engine scripts/docker-engine.sh provides), promtool the alert rules,
# faketime moves a silo's wall clock.
declare -A packages=([redis-server]=redis-server [docker-compose]=docker-compose [prometheus]=prometheus [promtool]=prometheus [chromium]=chromium [faketime]=faketime)
missing=()
for program in "${!packages[@]}"; do
  command -v "$program" > /dev/null 2>&1 || missing+=("${packages[$program]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

dotnet build TixTrigger.sln -c Release -warnaserror -nologo -clp:ErrorsOnly

mkdir -p tests/TestResults
stamp=$(date -u +%Y%m%dT%H%M%SZ)
log=tests/TestResults/test-$stamp.log

# The compose tests' engine and images: started now, torn down however this script ends.
engine=tests/TestResults/docker-engine
export TIXTRIGGER_COMPOSE_PROJECT=tixtrigger-compose-test
images_log=tests/TestResults/compose-images-$stamp.log
images_pid=""
cleanup() {
  if [ -n "$images_pid" ] && kill -0 "$images_pid" 2>/dev/null; then kill -- -"$images_pid" 2>/dev/null || kill "$images_pid" 2>/dev/null || true; fi
  if /usr/bin/docker info > /dev/null 2>&1 || docker info > /dev/null 2>&1; then
    docker-compose -p "$TIXTRIGGER_COMPOSE_PROJECT" down -v --remove-orphans --timeout 40 > /dev/null 2>&1 || true
  fi
  scripts/docker-engine.sh stop "$engine" || true
}
trap cleanup EXIT
# Started here, at normal priority (the containers inherit the daemon's). Without an engine the other
# tests still run; the compose tests then fail, saying why.
scripts/docker-engine.sh start "$engine" || echo "no Docker engine: the compose tests will fail"
# Stand-in base images if need be, then the project's images (one restore and compile for both).
build_images() {
  { docker info > /dev/null 2>&1 || { echo "no Docker engine answers: see tests/TestResults/docker-engine/dockerd.log"; false; }; } && scripts/container-images.sh && docker-compose -p "$TIXTRIGGER_COMPOSE_PROJECT" build --force-rm
}

# One line per test class once its last test has finished; a failed test at once.
progress() {
  # A class's time runs from the previous class's last result to its own last one.
  local current="" passed=0 failed=0 since=$SECONDS last=$SECONDS line result class
  local pattern='^[[:space:]]+(Passed|Failed|Skipped)[[:space:]]TixTrigger\.Tests\.([^ (]+)\.[^ .(]+'
  finish() {
    [ -n "$current" ] || return 0
    printf '  %-52s %3d passed%s %5d s\n' "$current" "$passed" "$([ "$failed" -gt 0 ] && echo ", $failed FAILED" || echo "")" $((last - since))
    since=$last
  }
  local detail=0
  while IFS= read -r line; do
    # A failure's message follows its result line, up to the stack trace: show it, 30 lines at most,
    # so a CI run's output says why without its log.
    if [ "$detail" -gt 0 ]; then
      if [[ $line =~ ^[[:space:]]+Stack\ Trace: ]]; then detail=0; else echo "    $line"; detail=$((detail - 1)); fi
    fi
    if [[ $line =~ $pattern ]]; then
      result=${BASH_REMATCH[1]}
      class=${BASH_REMATCH[2]}
      if [ "$class" != "$current" ]; then finish; current=$class; passed=0; failed=0; fi
      last=$SECONDS
      case $result in
        Passed) passed=$((passed + 1)) ;;
        Failed) failed=$((failed + 1)); echo "  FAILED ${line#*Failed }"; detail=30 ;;
      esac
    fi
  done
  finish
}

status=0
if [ "$mode" = all ]; then
  # In a session of its own (so that cleanup can end it whole), at the lowest CPU and disk priority.
  setsid nice -n 19 ionice -c 3 bash -c "$(declare -f build_images); build_images" > "$images_log" 2>&1 &
  images_pid=$!
  echo "running the tests: about 20 minutes on 2 cores, then the compose tests (about 3); full log in $log"
  set +e
  dotnet test tests/TixTrigger.Tests.csproj -c Release --no-build --nologo --filter "FullyQualifiedName!~ComposeClusterTests" \
    --logger "console;verbosity=normal" 2>&1 | tee "$log" | progress
  status=${PIPESTATUS[0]}
  wait "$images_pid"; images_status=$?
  set -e
  images_pid=""
else
  echo "building the images; log in $images_log"
  set +e; build_images > "$images_log" 2>&1; images_status=$?; set -e
fi
if [ "$images_status" -ne 0 ]; then
  echo "  FAILED the compose tests could not start: no Docker engine, or building the images failed; the end of $images_log:"
  tail -n 30 "$images_log" | sed 's/^/    /'
  status=1
else
  compose_log=tests/TestResults/test-compose-$stamp.log
  set +e
  # Detailed: the log keeps what each test measured (time to healthy, resume after a restart, gaps).
  TIXTRIGGER_COMPOSE=1 dotnet test tests/TixTrigger.Tests.csproj -c Release --no-build --nologo --filter "FullyQualifiedName~ComposeClusterTests" \
    --logger "console;verbosity=detailed" 2>&1 | tee "$compose_log" | progress
  compose_status=${PIPESTATUS[0]}
  set -e
  if [ "$mode" = compose ]; then log=$compose_log; else cat "$compose_log" >> "$log"; fi
  [ "$compose_status" -eq 0 ] || status=$compose_status
fi
# One plain closing line, whatever the runner printed ("Total tests: N", "Passed: N", "Failed: N").
# Summed over the two runs (the suite, then the compose tests).
count() { { grep -E "^ +$1: +[0-9]+\$" "$log" || true; } | { grep -Eo '[0-9]+' || true; } | awk '{ n += $1 } END { print n + 0 }'; }
passed=$(count Passed)
failed=$(count Failed)
[ "$status" -eq 0 ] || echo "details of the failures: $log"
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
