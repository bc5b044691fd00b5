#!/usr/bin/env bash
# Re-vendors Apache ECharts from the npm registry into the dashboard's static files
# (never a CDN: the hall's dashboard works without the internet). The version and
# the registry's sha512 integrity are pinned; a tarball that does not match is refused.
#
#   tools/vendor-echarts.sh            # fetch, check, copy dist/echarts.min.js and LICENSE
#   tools/vendor-echarts.sh --check    # only check the committed copy against the pin
set -euo pipefail

VERSION=6.1.0
INTEGRITY="sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA=="
# sha256 of package/dist/echarts.min.js inside that tarball.
MIN_JS_SHA256=b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0
TARBALL_URL="https://registry.npmjs.org/echarts/-/echarts-${VERSION}.tgz"

here="$(cd "$(dirname "$0")/.." && pwd)"
static="$here/kiosk/hall/server/dashboard/static"

check_committed() {
    echo "$MIN_JS_SHA256  $static/echarts.min.js" | sha256sum --check --quiet
    echo "echarts $VERSION: $static/echarts.min.js matches the pinned sha256"
}

if [[ "${1:-}" == "--check" ]]; then
    check_committed
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
curl --fail --silent --show-error --location -o "$work/echarts.tgz" "$TARBALL_URL"
actual="sha512-$(openssl dgst -sha512 -binary "$work/echarts.tgz" | base64 -w0)"
if [[ "$actual" != "$INTEGRITY" ]]; then
    echo "echarts-$VERSION.tgz: integrity $actual, expected $INTEGRITY" >&2
    exit 1
fi
tar -xzf "$work/echarts.tgz" -C "$work" package/dist/echarts.min.js package/LICENSE package/NOTICE
install -m 0644 "$work/package/dist/echarts.min.js" "$static/echarts.min.js"
install -m 0644 "$work/package/LICENSE" "$static/echarts.LICENSE"
install -m 0644 "$work/package/NOTICE" "$static/echarts.NOTICE"
check_committed
