#!/usr/bin/env bash
# Install what building and testing synthinfer needs on a Debian machine:
# R with the packages synthinfer imports or suggests (from Debian, not CRAN),
# pandoc for vignettes, qpdf (R CMD check --as-cran wants it once
# inst/doc exists), and a check that the Rust toolchain is present.
# Does nothing when everything is already there.
set -euo pipefail
pkgs=(r-base-dev r-cran-testthat r-cran-roxygen2 r-cran-knitr r-cran-rmarkdown
      r-cran-tibble r-cran-generics r-cran-ggplot2 r-cran-gmm r-cran-cli r-cran-rlang
      r-cran-sandwich r-cran-survey pandoc qpdf xz-utils)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
export PATH="$PATH:$HOME/.cargo/bin"
if ! command -v cargo > /dev/null; then
  echo "error: cargo not found. Install the Rust toolchain (rustc >= 1.89), e.g. via rustup." >&2
  exit 1
fi
