#!/usr/bin/env bash
# Vendor the crates the Rust build needs into src/rust/vendor.tar.xz so the
# package tarball builds offline, keeping only what a build on CRAN's platforms
# reads. Also refreshes inst/AUTHORS from the kept crates' metadata. Run from
# the package root (make build does).
#
# The trimming follows rules, not a list of crates, so it keeps working when a
# dependency is added:
# 1. crates that no build for the platforms below compiles (other platforms'
#    system crates such as windows-sys or wasi, optional dependencies that
#    Cargo.lock lists whatever the features): only their manifest stays, with
#    an empty src/lib.rs, because cargo still resolves them;
# 2. in every kept crate: tests, test data, benches, examples and docs
#    folders, CI configuration, and any other non-Rust file that no .rs file of the crate
#    names (so include_str!("../README.md") and files read by build.rs stay);
#    licence files always stay.
set -euo pipefail
cd "$(dirname "$0")/../src/rust"
# Platforms R builds packages on (CRAN: Linux, macOS and Windows; x86_64 and
# arm64). Add a target triple here to support another platform.
targets="x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu
x86_64-unknown-linux-musl aarch64-unknown-linux-musl
x86_64-apple-darwin aarch64-apple-darwin
x86_64-pc-windows-gnu aarch64-pc-windows-gnullvm"
rm -rf vendor vendor.tar.xz
cargo vendor --quiet --locked --versioned-dirs vendor > /dev/null
used=vendor/.used
for t in $targets; do
  cargo tree --locked --target "$t" -e normal,build --prefix none -f '{p}'
done | sed 's/ (.*//; s/ v/-/' | sort -u > "$used"
stubbed=0; trimmed_files=0
for d in vendor/*/; do
  d=${d%/}; c=$(basename "$d")
  if ! grep -qxF "$c" "$used"; then
    # Rule 1: unused on every platform above.
    find "$d" -mindepth 1 -maxdepth 1 ! -name Cargo.toml ! -name .cargo-checksum.json -exec rm -rf {} +
    mkdir -p "$d/src" && : > "$d/src/lib.rs"
    stubbed=$((stubbed + 1))
    continue
  fi
  # Rule 2: what a library build never reads.
  find "$d" -mindepth 1 -maxdepth 1 -type d \( -name tests -o -name benches -o -name examples \
    -o -name docs -o -name doc -o -name .github -o -name ci -o -name fuzz \
    -o -iname 'test_data' -o -iname 'testdata' -o -iname 'test-data' \) -exec rm -rf {} +
  find "$d" -type f ! -name '*.rs' ! -name Cargo.toml ! -name .cargo-checksum.json \
    ! -iname 'LICEN[CS]E*' ! -iname 'COPYING*' ! -iname 'COPYRIGHT*' ! -iname 'NOTICE*' \
    -print0 | while IFS= read -r -d '' f; do
      if ! grep -rqF --include='*.rs' "$(basename "$f")" "$d"; then
        rm -f "$f"; echo x
      fi
    done > vendor/.removed
  trimmed_files=$((trimmed_files + $(wc -l < vendor/.removed)))
  find "$d" -type d -empty -delete
done
rm -f vendor/.removed
# cargo verifies vendored files against .cargo-checksum.json: keep only the package hash.
for f in vendor/*/.cargo-checksum.json; do
  python3 - "$f" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
json.dump({"files": {}, "package": d.get("package")}, open(p, "w"))
PY
done
# Sorted names, no owners or timestamps: the archive depends on the sources only.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01' -cf - --exclude=vendor/.used vendor \
  | xz -9e -T1 > vendor.tar.xz
cd ../..
{
  echo "The synthinfer package includes the following Rust crates, vendored in"
  echo "src/rust/vendor.tar.xz. Their authors and licenses:"
  echo
  for d in src/rust/vendor/*/; do
    grep -qxF "$(basename "$d")" src/rust/vendor/.used || continue
    toml="$d/Cargo.toml"
    name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$toml" | head -1)
    version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$toml" | head -1)
    license=$(sed -n 's/^license = "\(.*\)"/\1/p' "$toml" | head -1)
    authors=$(awk '/^authors *= *\[/{f=1} f{print} f&&/\]/{exit}' "$toml" | tr -d '\n' | sed 's/^authors *= *\[//; s/\]$//; s/"//g; s/ *, */, /g; s/^ *//; s/,\s*$//')
    echo "- ${name} ${version} (${license:-see crate}): ${authors:-see crate metadata}"
  done
  echo
  echo "Crates that Cargo.lock lists but no build on the supported platforms"
  echo "compiles are kept as empty stubs (manifest only) and are not listed."
} > inst/AUTHORS
rm -rf src/rust/vendor
echo "vendored $(tar -tJf src/rust/vendor.tar.xz | grep -c '/Cargo.toml$') crates ($stubbed stubs, $trimmed_files unused files dropped) into src/rust/vendor.tar.xz ($(du -h src/rust/vendor.tar.xz | cut -f1))"
