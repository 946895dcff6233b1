# hacloud: build, install and test the OCF resource agents.
PREFIX   ?= /usr
DESTDIR  ?=
OCF_ROOT ?= /usr/lib/ocf
LIBDIR   := $(PREFIX)/lib/hacloud
AGENTDIR := $(OCF_ROOT)/resource.d/hacloud
SBINDIR  := $(PREFIX)/sbin
JEST     := node_modules/.bin/jest
SOURCES  := $(shell find lib agents -name '*.ts') build/bundle.mjs build/sea.mjs package-lock.json

.PHONY: all build install uninstall deps node_modules typecheck sim lab lab-down test test-unit test-contract \
        test-integration test-cluster test-drbd-real drbd-real bench clean man deb lintian

all: build

node_modules: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

build: dist/hacloud
dist/hacloud: node_modules/.package-lock.json $(SOURCES)
	node build/bundle.mjs
	node build/sea.mjs

# The binary, and one link per agent under the OCF provider directory.
install: dist/hacloud
	install -D -m 0755 dist/hacloud $(DESTDIR)$(LIBDIR)/hacloud
	install -d -m 0755 $(DESTDIR)$(AGENTDIR) $(DESTDIR)$(SBINDIR)
	for agent in $$(dist/hacloud agents); do \
	  ln -sfn $(LIBDIR)/hacloud $(DESTDIR)$(AGENTDIR)/$$agent || exit 1; \
	done
	ln -sfn $(LIBDIR)/hacloud $(DESTDIR)$(SBINDIR)/hacloud

# Man pages from the agents' declarations: dist/man/ocf_hacloud_<agent>.7, hacloud.8.
man: dist/man/hacloud.8
dist/man/hacloud.8: node_modules/.package-lock.json $(SOURCES) build/man.mjs
	node build/man.mjs

# The Debian package hacloud_<version>_<arch>.deb (version from package.json),
# built with dpkg-deb from a `make install` into dist/deb-root.
DEB_VERSION = $(shell node -p "require('./package.json').version")
DEB_ARCH    = $(shell dpkg --print-architecture)
DEB         = dist/hacloud_$(DEB_VERSION)_$(DEB_ARCH).deb
deb: $(DEB)
$(DEB): dist/hacloud dist/man/hacloud.8 build/deb.sh $(wildcard packaging/deb/* packaging/examples/*) package.json
	rm -rf dist/deb-root dist/hacloud_*.deb
	$(MAKE) -s install DESTDIR=$(CURDIR)/dist/deb-root PREFIX=/usr OCF_ROOT=/usr/lib/ocf
	build/deb.sh dist/deb-root $(DEB_VERSION) $@

# Lintian on the package; the overrides in packaging/deb/lintian-overrides explain what is left.
lintian: $(DEB)
	lintian --fail-on error,warning $(DEB)

uninstall:
	for agent in $$(dist/hacloud agents); do rm -f $(DESTDIR)$(AGENTDIR)/$$agent; done
	-rmdir $(DESTDIR)$(AGENTDIR)
	rm -f $(DESTDIR)$(SBINDIR)/hacloud $(DESTDIR)$(LIBDIR)/hacloud
	-rmdir $(DESTDIR)$(LIBDIR)

# Debian packages the tests need, installed only when missing.
deps:
	build/install-deps.sh

typecheck: node_modules/.package-lock.json
	node_modules/.bin/tsc --noEmit

RESULTS  := dist/test-results
TIER      = $(JEST) --selectProjects $(1) --json --outputFile=$(RESULTS)/$(1).json $(2)

# The drbd-utils simulator the drbd tests run against (no DRBD kernel module here).
sim: dist/drbd-sim/drbd-sim.cjs
dist/drbd-sim/drbd-sim.cjs: node_modules/.package-lock.json $(shell find test/drbd-sim -name '*.ts' -o -name '*.mjs')
	node test/drbd-sim/build.mjs

# The lab: a two-node namespace cluster running the MariaDB-on-DRBD example
# (test/cluster/lab-cli.ts); `make lab-down` removes every trace of it.
lab: deps install sim dist/lab/lab.cjs
	node dist/lab/lab.cjs up
# The real-DRBD lane (test/drbd-real/README.md): two QEMU/TCG guests with
# Debian's DRBD 8.4 kernel module run the installed drbd agent. Not part of
# `make test` (about its time: see the README).
drbd-real: dist/drbd-real/lane.cjs
dist/drbd-real/lane.cjs: node_modules/.package-lock.json $(wildcard test/drbd-real/*.ts test/drbd-real/guest/*) test/drbd-real/build.mjs build/bundle-tool.mjs
	node test/drbd-real/build.mjs
# The same scenarios then run against the simulator and are diffed with the real run.
test-drbd-real: install sim dist/drbd-real/lane.cjs
	@command -v qemu-system-x86_64 >/dev/null || apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends qemu-system-x86
	mkdir -p $(RESULTS)
	node dist/drbd-real/lane.cjs --report $(RESULTS)/drbd-real.json
	node dist/drbd-real/lane.cjs --sim --report $(RESULTS)/drbd-real-sim.json --compare $(RESULTS)/drbd-real.json

lab-down:
	@if [ -f dist/lab/lab.cjs ]; then node dist/lab/lab.cjs down; else echo "lab: not built, nothing to stop"; fi
dist/lab/lab.cjs: node_modules/.package-lock.json $(wildcard test/cluster/*.ts test/cluster/*.sh test/helpers/*.ts) test/cluster/fence_hacloud_lab test/cluster/build-lab.mjs build/bundle-tool.mjs
	node test/cluster/build-lab.mjs

# Everything a fresh Debian 12 machine needs, then every test tier but bench.
test: deps node_modules typecheck install sim deb
	rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	$(call TIER,unit)
	$(call TIER,contract,--runInBand)
	$(call TIER,integration,--runInBand)
	$(call TIER,cluster,--runInBand)
	node build/test-summary.mjs $(RESULTS)/*.json

test-unit: node_modules/.package-lock.json
	$(JEST) --selectProjects unit
test-contract: install deb
	$(JEST) --selectProjects contract --runInBand
test-integration: install sim
	$(JEST) --selectProjects integration --runInBand
test-cluster: install sim
	$(JEST) --selectProjects cluster --runInBand

# Side-by-side benchmarks against resource-agents (not pass/fail tests).
bench: deps install
	node test/bench/run.mjs

clean:
	rm -rf dist
