#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine with the .NET SDK, builds, and runs every
# test, printing one line per test class as it finishes. The whole log goes to tests/TestResults/.
set -euo pipefail
cd "$(dirname "$0")/.."

# program -> Debian package: redis-server and prometheus run in the tests, chromium opens the status
# page, docker-compose checks the compose file (no Docker engine needed), promtool the alert rules,
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
log=tests/TestResults/test-$(date -u +%Y%m%dT%H%M%SZ).log
echo "running the tests: about 20 minutes on 2 cores; full log in $log"

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

set +e
dotnet test tests/TixTrigger.Tests.csproj -c Release --no-build --nologo --logger "console;verbosity=normal" 2>&1 | tee "$log" | progress
status=${PIPESTATUS[0]}
set -e
# One plain closing line, whatever the runner printed ("Total tests: N", "Passed: N", "Failed: N").
count() { grep -E "^ +$1: +[0-9]+\$" "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0; }
passed=$(count Passed)
failed=$(count Failed)
[ "$status" -eq 0 ] || echo "details of the failures: $log"
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
