#!/usr/bin/env bash
# Renders every bundled flow to SVG with `shenpi render`, then to PNG with
# headless Chromium, to look at by hand. Not part of CI.
#
#   scripts/render-png.sh [OUT_DIR]        (default: out/charts)
#
# Needs Chromium (Debian: apt-get install chromium fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/charts}
mkdir -p "$out"
out=$(cd "$out" && pwd)
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "no Chromium found: install it (Debian: apt-get install chromium fonts-noto-cjk)" >&2
  exit 2
fi
cargo build -q -p shenpi-cli
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for flow in flows/*.yaml; do
  name=$(basename "$flow" .yaml)
  for format in svg gantt-svg; do
    svg="$out/$name.$format.svg"
    rm -f "$out/$name.$format.png"
    target/debug/shenpi render "$flow" --format "$format" --start 2025-03-03 -o "$svg"
    # The SVG's own size decides the window, so nothing is cut off.
    size=$(sed -n 's/^<svg[^>]* width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$svg" | head -n 1)
    "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$profile" --hide-scrollbars --window-size="${size:-1600,900}" \
      --screenshot="$out/$name.$format.png" "file://$svg" >/dev/null 2>&1
    if [ -s "$out/$name.$format.png" ]; then echo "$out/$name.$format.png"; else echo "failed: $svg" >&2; fi
  done
done
