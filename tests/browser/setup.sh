#!/usr/bin/env bash
# Test set-up for the dashboard's browser test (tests/test_dashboard_browser.py). Idempotent.
#
# 1. Debian's chromium for Playwright (`playwright install` cannot download browsers here).
# 2. Solara's front-end assets in the venv's CDN cache (<venv>/share/solara/cdn), so the
#    page loads without jsdelivr: the exact npm packages the installed Solara asks for
#    (tests/browser/cdn_packages.py), fetched with `npm pack` from the npm registry.
#
# A user's machine with internet needs none of this: Solara fetches the assets itself.
# Usage: tests/browser/setup.sh [VENV]   (default .venv). It never fails the test run: without chromium
# or the assets the browser test skips, or fails under CI.
set -euo pipefail

VENV="${1:-.venv}"
PY="$VENV/bin/python"
HERE="$(cd "$(dirname "$0")" && pwd)"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

apt_install() {
    as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x /usr/bin/chromium ]; then
    echo "browser set-up: installing Debian's chromium (once)"
    apt_install chromium || echo "browser set-up: could not install chromium; the browser test will be skipped" >&2
fi

CDN="$("$PY" -c 'import sys; print(sys.prefix)')/share/solara/cdn"
mkdir -p "$CDN"
missing=()
for pkg in $("$PY" "$HERE/cdn_packages.py"); do
    [ -f "$CDN/$pkg/.complete" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v npm >/dev/null; then
    echo "browser set-up: installing npm to fetch Solara's front-end packages (once)"
    apt_install npm || { echo "browser set-up: no npm; the browser test will be skipped" >&2; exit 0; }
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for pkg in "${missing[@]}"; do
    echo "browser set-up: $pkg into $CDN"
    if ! (cd "$TMP" && npm pack --silent "$pkg" >/dev/null); then
        echo "browser set-up: npm pack $pkg failed; the browser test will be skipped (fail under CI)" >&2
        continue
    fi
    tarball="$(ls -t "$TMP"/*.tgz | head -n 1)"
    rm -rf "$CDN/$pkg" && mkdir -p "$CDN/$pkg"
    tar -xzf "$tarball" -C "$CDN/$pkg" --strip-components=1
    rm -f "$tarball"
    touch "$CDN/$pkg/.complete"
done
