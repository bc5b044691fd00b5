#!/usr/bin/env bash
# Installs the few Debian packages the kiosk needs (Qt's libraries, a CJK font,
# python3-venv, PostgreSQL for the tests) when they are missing. Idempotent and
# quiet when all are there.
set -euo pipefail

packages=(libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libfreetype6
          libdbus-1-3 libx11-6 fonts-wqy-microhei libusb-1.0-0
          chromium     # tests/e2e/test_status_page.py drives it headless
          espeak-ng    # the calling voice (Mandarin), spoken and served to the hall screens
          postgresql)  # the tests start a throwaway cluster (tests/helpers/postgres.py)
python=${PYTHON:-python3}
"$python" -c "import ensurepip, venv" 2>/dev/null || packages+=(python3-venv)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian system; make sure Qt's libraries and a CJK font are installed" >&2
  exit 0
fi
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$package")
done
(( ${#missing[@]} == 0 )) && exit 0

echo "system-deps: installing ${missing[*]}"
sudo=()
if (( EUID != 0 )); then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "system-deps: run as root, or install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
