#!/usr/bin/env bash
# Vendor every crate the Rust build needs into src/rust/vendor.tar.xz so the
# package tarball builds offline. Also refreshes inst/AUTHORS from the crates'
# metadata. Run from the package root (make build does).
set -euo pipefail
cd "$(dirname "$0")/../src/rust"
rm -rf vendor vendor.tar.xz
cargo vendor --locked --versioned-dirs vendor > /dev/null
# Drop bulky test data and docs that the build never reads.
find vendor -mindepth 2 -maxdepth 2 -type d \( -name tests -o -name benches -o -name examples -o -name docs \) \
  -exec sh -c 'rm -rf "$1"; ' _ {} \;
# Crates in Cargo.lock that no target platform compiles with our features
# (Cargo.lock is feature-independent, so e.g. statrs's optional nalgebra is
# listed): keep their manifests for dependency resolution, drop their sources.
cargo tree --locked --target all -e normal,build --prefix none -f '{p}' 2>/dev/null \
  | sed 's/ (.*//; s/ v/-/' | sort -u > vendor/.used
for d in vendor/*/; do
  c=$(basename "$d")
  if ! grep -qxF "$c" vendor/.used; then
    find "$d" -mindepth 1 -maxdepth 1 ! -name Cargo.toml ! -name .cargo-checksum.json -exec rm -rf {} +
    mkdir -p "$d/src" && : > "$d/src/lib.rs"
  fi
done
rm -f vendor/.used
# cargo verifies vendored files against .cargo-checksum.json: keep only the package hash.
for f in vendor/*/.cargo-checksum.json; do
  python3 - "$f" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
json.dump({"files": {}, "package": d.get("package")}, open(p, "w"))
PY
done
tar -cJf vendor.tar.xz vendor
cd ../..
{
  echo "The synthinfer package includes the following Rust crates, vendored in"
  echo "src/rust/vendor.tar.xz. Their authors and licenses:"
  echo
  for d in src/rust/vendor/*/; do
    toml="$d/Cargo.toml"
    name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$toml" | head -1)
    version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$toml" | head -1)
    license=$(sed -n 's/^license = "\(.*\)"/\1/p' "$toml" | head -1)
    authors=$(awk '/^authors *= *\[/{f=1} f{print} f&&/\]/{exit}' "$toml" | tr -d '\n' | sed 's/^authors *= *\[//; s/\]$//; s/"//g; s/ *, */, /g; s/^ *//; s/,\s*$//')
    echo "- ${name} ${version} (${license:-see crate}): ${authors:-see crate metadata}"
  done
} > inst/AUTHORS
rm -rf src/rust/vendor
echo "vendored $(tar -tJf src/rust/vendor.tar.xz | grep -c '/Cargo.toml$') crates into src/rust/vendor.tar.xz ($(du -h src/rust/vendor.tar.xz | cut -f1))"
