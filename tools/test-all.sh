#!/usr/bin/env bash
# Run every test: the Rust core's `cargo test`, then the R testthat suite on the
# freshly installed package. Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$HOME/.cargo/bin"
LIB=${LIB:-$PWD/.lib}
mkdir -p "$LIB"

rust_pass=0; rust_fail=0
log="$LIB/cargo-test.log"
(cd src/rust && cargo test --workspace --exclude synthinfer 2>&1) > "$log"
rust_status=$?
grep -E '^test result:' "$log"
while read -r p f; do
  rust_pass=$((rust_pass + p)); rust_fail=$((rust_fail + f))
done < <(sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$log")
if [ $rust_status -ne 0 ] && [ $rust_fail -eq 0 ]; then
  tail -30 "$log"; rust_fail=1
fi
echo "Rust: $rust_pass passed, $rust_fail failed"

r_pass=0; r_fail=0
if R CMD INSTALL --no-multiarch --library="$LIB" . > "$LIB/install.log" 2>&1; then
  R_LIBS="$LIB" Rscript tools/run-tests.R "$LIB/r-tests.counts"
  if [ -f "$LIB/r-tests.counts" ]; then read -r r_pass r_fail < "$LIB/r-tests.counts"; else r_fail=1; fi
else
  tail -40 "$LIB/install.log"; echo "R package failed to install"; r_fail=1
fi
echo "R: $r_pass passed, $r_fail failed"

total_pass=$((rust_pass + r_pass)); total_fail=$((rust_fail + r_fail))
echo "$total_pass passed, $total_fail failed"
[ $total_fail -eq 0 ]
