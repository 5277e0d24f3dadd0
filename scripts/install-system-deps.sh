#!/usr/bin/env bash
# Install the Debian packages the tests need (Chromium, PostgreSQL, Noto fonts, WeasyPrint's Pango), only when missing.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
# tests/test_two_instances.py runs two app instances sharing rate limits through a throw-away Redis.
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# Chromium and WeasyPrint draw Bengali, Gurmukhi, Gujarati, Arabic and Urdu with Debian's Noto fonts.
for script_lang in bn pa gu ar ur; do
  if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list ":lang=$script_lang" family 2>/dev/null)" ]; then
    need+=(fonts-noto-core fontconfig)
    break
  fi
done
# WeasyPrint, which draws the annual report's PDF, loads Pango and HarfBuzz's font subsetter at run time.
shared_libs="$( (ldconfig -p || /sbin/ldconfig -p) 2>/dev/null || true)"
[[ "$shared_libs" == *libpangoft2-1.0.so.0* ]] || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[[ "$shared_libs" == *libharfbuzz-subset.so.0* ]] || need+=(libharfbuzz-subset0)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing Debian packages: ${need[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
