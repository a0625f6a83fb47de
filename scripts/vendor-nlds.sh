#!/usr/bin/env bash
# Vendors the built CSS of NL Design System into static/vendor/, so that building and running
# Wijkwijzer needs no npm. Run it again to update (change the versions below first; check them
# with `npm view PACKAGE version`). It installs the exact versions into a temporary directory,
# copies the few files the pages use, and writes static/vendor/README.md with names, versions,
# licences and checksums. Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPONENTS="@utrecht/component-library-css@9.0.4"
UTRECHT_TOKENS="@utrecht/design-tokens@5.0.1"
VOORBEELD_TOKENS="@nl-design-system-unstable/voorbeeld-design-tokens@7.4.1"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{"private": true}' >"$work/package.json"
npm install --prefix "$work" --no-audit --no-fund --loglevel=error --ignore-scripts --save-exact \
  "$COMPONENTS" "$UTRECHT_TOKENS" "$VOORBEELD_TOKENS"
modules="$work/node_modules"

out=static/vendor
rm -rf "$out"
mkdir -p "$out/utrecht-component-library-css" "$out/utrecht-design-tokens" "$out/voorbeeld-design-tokens"

# name in node_modules | file in the package | directory in static/vendor
copy() {
  cp "$modules/$1/$2" "$out/$3/$(basename "$2")"
  cp "$modules/$1/LICENSE.md" "$out/$3/LICENSE.md"
}
copy @utrecht/component-library-css dist/index.css utrecht-component-library-css
# All components are 400 kB; the pages use some twenty of them.
node scripts/trim-css.mjs "$modules/@utrecht/component-library-css/dist/index.css" templates \
  >"$out/utrecht-component-library-css/index.css"
copy @utrecht/design-tokens dist/theme.css utrecht-design-tokens
copy @nl-design-system-unstable/voorbeeld-design-tokens dist/theme.css voorbeeld-design-tokens

field() { node -p "require('$modules/$1/package.json').$2"; }
row() {
  local pkg=$1 dir=$2 file=$3
  printf '| `%s` | %s | %s | `%s/%s` | `%s` |\n' "$pkg" "$(field "$pkg" version)" \
    "$(field "$pkg" license)" "$dir" "$file" "$(sha256sum "$out/$dir/$file" | cut -c1-16)"
}

{
  cat <<'TEXT'
# Vendored NL Design System CSS

Written by `scripts/vendor-nlds.sh`; do not edit by hand. The pages use the CSS components of
the Municipality of Utrecht's component library (BEM class names such as `utrecht-button`,
`utrecht-form-field`, `utrecht-textbox`) and a theme of design tokens (CSS custom properties on
a class on `<html>`). `src/web/theme.rs` compiles these files into the binary and picks the
theme by the instance's region.

| package | version | licence | file | sha256 (first 16) |
|---|---|---|---|---|
TEXT
  row @utrecht/component-library-css utrecht-component-library-css index.css
  row @utrecht/design-tokens utrecht-design-tokens theme.css
  row @nl-design-system-unstable/voorbeeld-design-tokens voorbeeld-design-tokens theme.css
  cat <<'TEXT'

Each directory holds the package's own `LICENSE.md`. The component CSS is trimmed by
`scripts/trim-css.mjs` to the components (BEM blocks) that `templates/` uses: after using a new
`utrecht-…` component in a template, run `scripts/vendor-nlds.sh` again (a test in
`src/web/theme.rs` fails until then).

- `@utrecht/component-library-css` and `@nl-design-system-unstable/voorbeeld-design-tokens` are
  EUPL-1.2, like Wijkwijzer. Source: <https://github.com/nl-design-system/utrecht> and
  <https://github.com/nl-design-system/themes>.
- **`@utrecht/design-tokens` is not open source.** Its `LICENSE.md` reads: "Copyright (c) 2021
  Gemeente Utrecht. All rights reserved. The open source license does NOT apply to files in this
  directory. These are proprietary assets to Gemeente Utrecht." It is Utrecht's house style,
  published on npm for Utrecht's own services. Ship it only in a deployment for or with the
  permission of Gemeente Utrecht; otherwise remove `utrecht-design-tokens/` and let the Utrecht
  theme use the neutral tokens (`Theme::Utrecht` in `src/web/theme.rs`).
TEXT
} >"$out/README.md"
echo "vendored into $out:"
ls -l "$out"/*/
