#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine with the .NET SDK, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

dotnet build TixTrigger.sln -c Release -warnaserror -nologo -clp:ErrorsOnly
set +e
dotnet test tests/TixTrigger.Tests.csproj -c Release --no-build --nologo 2>&1 | tee /tmp/tixtrigger-test.log
status=${PIPESTATUS[0]}
set -e
# One plain closing line, whatever the runner printed.
summary=$(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+' /tmp/tixtrigger-test.log | tail -1)
failed=$(echo "$summary" | grep -Eo 'Failed: +[0-9]+' | grep -Eo '[0-9]+' || echo 0)
passed=$(echo "$summary" | grep -Eo 'Passed: +[0-9]+' | grep -Eo '[0-9]+' || echo 0)
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
