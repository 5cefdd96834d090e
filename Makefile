# synthinfer developer targets. `make demo` and `make test` work on a fresh
# Debian machine with the Rust toolchain; see README.md.

R ?= R
RSCRIPT ?= Rscript
# Local library for development installs, so nothing outside the tree changes
# unless `make install-user` is asked for.
LIB ?= $(CURDIR)/.lib
PKG := synthinfer
VERSION := $(shell sed -n 's/^Version: //p' DESCRIPTION)
TARBALL := $(PKG)_$(VERSION).tar.gz

.PHONY: all deps install document wrappers test test-rust test-r build check demo bench vignettes clean

all: install

deps:
	@bash tools/install-deps.sh

install:
	@mkdir -p $(LIB)
	$(R) CMD INSTALL --no-multiarch --no-test-load --library=$(LIB) . > $(LIB)/install.log 2>&1 || (tail -50 $(LIB)/install.log; exit 1)
	@echo "installed $(PKG) into $(LIB)"

# Regenerate R/extendr-wrappers.R, NAMESPACE and man/ from the sources.
document: install
	$(RSCRIPT) tools/wrappers.R $(LIB)
	$(MAKE) install
	R_LIBS=$(LIB) $(RSCRIPT) -e 'roxygen2::roxygenise(load_code = roxygen2::load_installed)'

wrappers: document

test-rust:
	cd src/rust && cargo test --quiet -p synthinfer-core 2>&1 | tee $(CURDIR)/.lib/cargo-test.log | grep -E '^(test result|error|failures|----)' ; test $${PIPESTATUS[0]} -eq 0

test-r: install
	R_LIBS=$(LIB) $(RSCRIPT) tools/run-tests.R

# All tests: Rust unit tests, then the R suite; ends with "N passed, N failed".
test: deps
	@mkdir -p $(LIB)
	@bash tools/test-all.sh

build:
	bash tools/vendor.sh
	$(R) CMD build . ; status=$$?; rm -f src/rust/vendor.tar.xz; exit $$status

check: build
	_R_CHECK_CRAN_INCOMING_=false _R_CHECK_FORCE_SUGGESTS_=false $(R) CMD check --as-cran --no-manual $(TARBALL)

demo: deps install
	R_LIBS=$(LIB) $(RSCRIPT) tools/demo.R

bench: install
	R_LIBS=$(LIB) $(RSCRIPT) bench/run.R

# Precomputed vignettes (DESIGN.md, "Vignettes"): each vignettes/NAME.Rmd.orig
# is knitted, with the package's shipped data sets, into vignettes/NAME.Rmd and
# its figures vignettes/figures/NAME-*.png; commit both. The knitted .Rmd holds
# only inlined results, so R CMD build rebuilds the HTML without running R
# code; the shown code runs as is on an installed package. Command,
# per vignette, run from vignettes/ with the package installed in ./.lib:
#   cd vignettes && R_LIBS=$(LIB) Rscript -e 'knitr::knit("NAME.Rmd.orig", "NAME.Rmd")'
# The figures are then recompressed losslessly with optipng (a quarter smaller;
# they count twice in the tarball, as PNG and inside the HTML).
# `make vignettes VIGNETTES=anes` knits one.
VIGNETTES ?= $(patsubst vignettes/%.Rmd.orig,%,$(wildcard vignettes/*.Rmd.orig))
vignettes: install
	@for v in $(VIGNETTES); do \
	  echo "knitting vignettes/$$v.Rmd.orig"; \
	  (cd vignettes && R_LIBS=$(LIB) $(RSCRIPT) -e "knitr::knit('$$v.Rmd.orig', '$$v.Rmd', quiet = TRUE)") || exit 1; \
	  if ! command -v optipng > /dev/null; then echo "optipng not found: figures left as they are (make deps installs it)"; \
	  elif ls vignettes/figures/$$v-*.png > /dev/null 2>&1; then optipng -quiet -o5 vignettes/figures/$$v-*.png; fi; \
	done

clean:
	rm -rf $(LIB) src/rust/target src/*.o src/*.so src/Makevars $(PKG).Rcheck $(PKG)_*.tar.gz
