#!/usr/bin/env bash
# Fetches the official ISO 20022 schemas our payment files are checked against (pain.001.001.03,
# pain.008.001.02) into a cache folder, never into the repository: they are the standard's files,
# not ours. Debian ships them with Tryton's SEPA module; `apt-get download` and `dpkg -x` need no root.
# Usage: scripts/iso20022-schemas.sh [target folder]   (default: node_modules/.cache/iso20022)
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-node_modules/.cache/iso20022}
schemas=(pain.001.001.03.xsd pain.008.001.02.xsd)
package=tryton-modules-account-payment-sepa

missing=0
for schema in "${schemas[@]}"; do [ -s "$target/$schema" ] || missing=1; done
[ "$missing" = 0 ] && exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download "$package" >/dev/null 2>&1) || {
  echo "could not download the Debian package $package: run 'apt-get update' (as root) and try again," >&2
  echo "or put ${schemas[*]} in a folder and set ISO20022_XSD_DIR to it" >&2
  exit 1
}
dpkg -x "$work"/"$package"_*.deb "$work/root"
mkdir -p "$target"
for schema in "${schemas[@]}"; do
  found=$(find "$work/root" -path "*/account_payment_sepa/tests/$schema" | head -n 1)
  if [ -z "$found" ]; then
    echo "$package holds no $schema" >&2
    exit 1
  fi
  cp "$found" "$target/$schema"
done
echo "ISO 20022 schemas in $target: ${schemas[*]}"
