#!/usr/bin/env bash
# Rebuild the committed front-end assets from the npm packages pinned in
# static/src/package.json + package-lock.json. Run via `make frontend`.
#
# Writes (all committed; running or testing the app never needs Node):
#   static/govuk/govuk-frontend.min.css     Sass build of static/src/portal.scss
#   static/govuk/govuk-frontend.min.js      GOV.UK Frontend ESM bundle
#   static/govuk/assets/images/*            only images the CSS references
#   static/govuk/LICENSE-govuk-frontend.txt
#   static/vendor/htmx-<version>.min.js, static/vendor/LICENSE-htmx.txt
#   static/vendor/VERSIONS.txt
#   e2e/vendor/axe.min.js, e2e/vendor/VERSIONS.txt
# Hand-made and left alone: static/govuk/assets/images/favicon.svg
set -euo pipefail

SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SRC_DIR/../.." && pwd)"
NM="$SRC_DIR/node_modules"
GOVUK_OUT="$ROOT/static/govuk"
IMAGES_OUT="$GOVUK_OUT/assets/images"
VENDOR_OUT="$ROOT/static/vendor"
E2E_VENDOR_OUT="$ROOT/e2e/vendor"
# URL prefix the CSS uses for images ($govuk-assets-path in portal.scss).
IMAGES_URL="/static/govuk/assets/images/"
# Images GOV.UK Frontend's CSS may reference that we ship. Keep this in step
# with portal-image-url() in portal.scss. Never add the crown, the Royal Arms
# crest (govuk-crest.svg), GOV.UK favicons/icons or the GDS Transport fonts.
ALLOWED_IMAGES=()

die() { echo "build.sh: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is required (>= 20.19)"
command -v npm >/dev/null || die "npm is required"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "node >= 20.19 is required (sass needs it); found $(node --version)"

cd "$SRC_DIR"
# --ignore-scripts: nothing here needs an install script (sass is pure JS;
# its optional file watcher's native build is not used).
npm ci --ignore-scripts --no-audit --no-fund

pkg_field() { node -p 'require(process.argv[1])[process.argv[2]]' "$NM/$1/package.json" "$2"; }
GOVUK_VERSION="$(pkg_field govuk-frontend version)"
HTMX_VERSION="$(pkg_field htmx.org version)"
AXE_VERSION="$(pkg_field axe-core version)"
SASS_VERSION="$(pkg_field sass version)"
HTMX_LICENSE="$(pkg_field htmx.org license)"
GOVUK_LICENSE="$(pkg_field govuk-frontend license)"
AXE_LICENSE="$(pkg_field axe-core license)"
[[ "$GOVUK_LICENSE" == "MIT" ]] || die "govuk-frontend licence changed to $GOVUK_LICENSE: review"
[[ "$HTMX_LICENSE" == "0BSD" ]] || die "htmx.org licence changed to $HTMX_LICENSE: review"
[[ "$AXE_LICENSE" == "MPL-2.0" ]] || die "axe-core licence changed to $AXE_LICENSE: review"

GOVUK_DIST="$NM/govuk-frontend/dist/govuk"
mkdir -p "$GOVUK_OUT" "$IMAGES_OUT" "$VENDOR_OUT" "$E2E_VENDOR_OUT"

# --- CSS ---------------------------------------------------------------------
CSS="$GOVUK_OUT/govuk-frontend.min.css"
"$NM/.bin/sass" --style=compressed --no-source-map --load-path="$NM" \
  --quiet-deps --silence-deprecation=import \
  "$SRC_DIR/portal.scss" "$CSS.tmp"
mv "$CSS.tmp" "$CSS"

# --- images the CSS references -------------------------------------------------
mapfile -t CSS_URLS < <(grep -o 'url([^)]*)' "$CSS" | sed -E 's/^url\((.*)\)$/\1/; s/^["'\'']//; s/["'\'']$//' | sort -u)
for url in "${CSS_URLS[@]}"; do
  [[ "$url" == "$IMAGES_URL"* ]] || die "CSS references $url, outside $IMAGES_URL"
  name="${url#"$IMAGES_URL"}"
  allowed=no
  for ok in "${ALLOWED_IMAGES[@]}"; do
    if [[ "$name" == "$ok" ]]; then allowed=yes; fi
  done
  [[ "$allowed" == yes ]] || die "CSS references image $name, which is not in ALLOWED_IMAGES"
  cp "$GOVUK_DIST/assets/images/$name" "$IMAGES_OUT/$name"
done

# --- GOV.UK Frontend JS (ESM); drop the map comment, the map is not shipped ----
sed -E 's@//# sourceMappingURL=[^ ]*$@@' "$GOVUK_DIST/govuk-frontend.min.js" >"$GOVUK_OUT/govuk-frontend.min.js"

# The npm package ships no LICENSE file; this is the upstream LICENSE.txt.
cat >"$GOVUK_OUT/LICENSE-govuk-frontend.txt" <<'EOF'
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF

# --- htmx ------------------------------------------------------------------------
HTMX_FILE="htmx-$HTMX_VERSION.min.js"
for old in "$VENDOR_OUT"/htmx-*.min.js; do
  if [[ -e "$old" && "$(basename "$old")" != "$HTMX_FILE" ]]; then rm -- "$old"; fi
done
cp "$NM/htmx.org/dist/htmx.min.js" "$VENDOR_OUT/$HTMX_FILE"
cp "$NM/htmx.org/LICENSE" "$VENDOR_OUT/LICENSE-htmx.txt"

# --- axe-core (browser tests only) -------------------------------------------------
cp "$NM/axe-core/axe.min.js" "$E2E_VENDOR_OUT/axe.min.js"

sha() { sha256sum "$1" | cut -d' ' -f1; }

cat >"$VENDOR_OUT/VERSIONS.txt" <<EOF
Third-party front-end code served by the portal.
Generated by static/src/build.sh from static/src/package-lock.json; do not edit.

htmx.org $HTMX_VERSION
  licence: $HTMX_LICENSE (Zero-Clause BSD), text in static/vendor/LICENSE-htmx.txt
  static/vendor/$HTMX_FILE  copy of dist/htmx.min.js
    sha256 $(sha "$VENDOR_OUT/$HTMX_FILE")

govuk-frontend $GOVUK_VERSION
  licence: $GOVUK_LICENSE (code, CSS and images), text in static/govuk/LICENSE-govuk-frontend.txt
  static/govuk/govuk-frontend.min.css  compiled from static/src/portal.scss with sass $SASS_VERSION
    sha256 $(sha "$CSS")
  static/govuk/govuk-frontend.min.js  dist/govuk/govuk-frontend.min.js (ES module), sourceMappingURL comment removed
    sha256 $(sha "$GOVUK_OUT/govuk-frontend.min.js")
  Not shipped (GOV.UK-only branding, not for a council service): GDS Transport
  fonts, the crown, the Royal Arms crest, GOV.UK favicons and icons.
  static/govuk/assets/images/favicon.svg is the council's own, not GOV.UK's.
EOF

cat >"$E2E_VENDOR_OUT/VERSIONS.txt" <<EOF
Third-party code used only by the browser tests (never served by the portal).
Generated by static/src/build.sh from static/src/package-lock.json; do not edit.

axe-core $AXE_VERSION
  licence: $AXE_LICENSE (Mozilla Public License 2.0); notice at the top of axe.min.js,
  source code: https://github.com/dequelabs/axe-core/tree/v$AXE_VERSION
  e2e/vendor/axe.min.js  unmodified copy of axe.min.js
    sha256 $(sha "$E2E_VENDOR_OUT/axe.min.js")
EOF

# --- checks ----------------------------------------------------------------------------
! grep -q 'GDS Transport' "$CSS" || die "CSS mentions GDS Transport"
! grep -q '@font-face' "$CSS" || die "CSS has an @font-face"
! grep -q 'sourceMappingURL' "$CSS" || die "CSS points to a source map"
for url in "${CSS_URLS[@]}"; do
  [[ -f "$ROOT${url}" ]] || die "CSS references $url, which is not in static/"
done
[[ -f "$IMAGES_OUT/favicon.svg" ]] || die "static/govuk/assets/images/favicon.svg (hand-made) is missing"
grep -q "version:\"$HTMX_VERSION\"" "$VENDOR_OUT/$HTMX_FILE" || die "$HTMX_FILE does not say version $HTMX_VERSION"
grep -q "axe v$AXE_VERSION" "$E2E_VENDOR_OUT/axe.min.js" || die "axe.min.js does not say v$AXE_VERSION"
# Import the ES module in Node and check its exports. At load it only defines
# classes, some extending/naming DOM classes, so stub those.
TMP_MJS="$(mktemp --suffix=.mjs)"
trap 'rm -f "$TMP_MJS"' EXIT
cp "$GOVUK_OUT/govuk-frontend.min.js" "$TMP_MJS"
node --input-type=module -e '
  for (const name of ["Element", "Document", "HTMLElement", "HTMLAnchorElement", "HTMLInputElement",
                      "HTMLButtonElement", "HTMLTextAreaElement", "HTMLScriptElement"]) {
    globalThis[name] ??= class {};
  }
  const m = await import(process.argv[1]);
  if (typeof m.initAll !== "function") { console.error("initAll is not exported"); process.exit(1); }
  if (m.version !== process.argv[2]) { console.error(`version ${m.version} != ${process.argv[2]}`); process.exit(1); }
' "$TMP_MJS" "$GOVUK_VERSION" 2>&1 | tail -c 2000 || die "govuk-frontend.min.js check failed"

echo "Built with govuk-frontend $GOVUK_VERSION, sass $SASS_VERSION, htmx.org $HTMX_VERSION, axe-core $AXE_VERSION:"
for f in "$CSS" "$GOVUK_OUT/govuk-frontend.min.js" "$VENDOR_OUT/$HTMX_FILE" "$E2E_VENDOR_OUT/axe.min.js"; do
  printf '  %-40s %8d bytes, %7d gzip -9\n' "${f#"$ROOT"/}" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
done
