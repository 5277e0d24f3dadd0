#!/usr/bin/env bash
# Install Debian's wrk (the HTTP load generator the benchmark drives), only when missing.
set -euo pipefail

command -v wrk >/dev/null 2>&1 && exit 0

echo "Installing Debian package: wrk"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends wrk >/dev/null
