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

# Vignettes are built live by R CMD build (all six knit in about 50 s on two
# cores) from the shipped data. `make vignettes` renders them into
# vignettes/*.html with the development install, to look at before a build.
vignettes: install
	cd vignettes && for f in *.Rmd; do R_LIBS=$(LIB) $(RSCRIPT) -e "rmarkdown::render('$$f', quiet = TRUE)" || exit 1; done

clean:
	rm -rf $(LIB) src/rust/target src/*.o src/*.so src/Makevars $(PKG).Rcheck $(PKG)_*.tar.gz
