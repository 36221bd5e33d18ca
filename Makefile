# Litige: the two commands of the README, plus lint.
#   make demo   build, create a demo workspace and show the product working on it
#   make test   the whole test suite
#   make bench  throughput, memory and hook-call cost (see BENCHMARKS.md); takes about 15 minutes
#   make test-replay  90 nights over 20,000 cases with and without the wake-up index: identical
#               journals required (release build; about 8 minutes)
# Both first install what the project needs from Debian when it is missing (as root), or print the
# exact command to run.

SWIFT ?= swift
DEMO_DB ?= demo/litige.sqlite
LITIGE = .build/debug/litige
PACKAGES = libsqlite3-dev libedit-dev libjemalloc-dev pkg-config gcc debian-archive-keyring sqlite3 python3
BENCH_PACKAGES = lua5.4 time sqlite3 python3
# LUA=fixed (default): Lua 5.4.7 built from Debian's source package unless the system's is 5.4.6+.
# LUA=system: the system's liblua5.4 whatever its release (see docs/sandbox.md).
LUA ?= fixed
# SwiftPM finds the Lua that scripts/build-lua.sh provides through this pkg-config folder.
export PKG_CONFIG_PATH := $(CURDIR)/.build-lua/pkgconfig$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))

.PHONY: deps bench-deps install-packages build demo test test-slow test-replay test-asan bench lint clean install man

deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES_NEEDED="$(PACKAGES)"
	@if [ "$(LUA)" = system ]; then $(MAKE) --no-print-directory install-packages PACKAGES_NEEDED=liblua5.4-dev; fi
	@scripts/build-lua.sh $(LUA)
	@pkg-config --exists libedit || { echo "pkg-config cannot find libedit (libedit-dev)"; exit 1; }
	@pkg-config --exists jemalloc || { echo "pkg-config cannot find jemalloc (libjemalloc-dev)"; exit 1; }

bench-deps: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES_NEEDED="$(BENCH_PACKAGES)"

install-packages:
	@missing=""; \
	for package in $(PACKAGES_NEEDED); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing$$missing from Debian"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Litige needs:$$missing. Run:  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build

demo: build
	@mkdir -p $(dir $(DEMO_DB))
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(dir $(DEMO_DB))litige.toml
	$(LITIGE) init --demo --db $(DEMO_DB)
	@echo; echo "== Open cases (litige case list --status open)"
	$(LITIGE) case list --status open --limit 12 --db $(DEMO_DB)
	@echo; echo "== One case (litige case show 4)"
	$(LITIGE) case show 4 --db $(DEMO_DB)
	@echo; echo "== A policy script, first as a dry run, then for real"
	$(LITIGE) run examples/scripts/triage-vip.lua --dry-run --db $(DEMO_DB) | head -n 8
	$(LITIGE) run examples/scripts/triage-vip.lua --db $(DEMO_DB) | head -n 3
	@echo; echo "== Run again: nothing changes twice"
	$(LITIGE) run examples/scripts/triage-vip.lua --db $(DEMO_DB)
	@echo; echo "== Policy plugins enabled by demo/litige.toml"
	$(LITIGE) plugins list --db $(DEMO_DB)
	@echo; echo "== A public complaint arrives: the triage policy runs at once"
	$(LITIGE) case open --db $(DEMO_DB) --customer C0002 --channel social \
	  --reason "Facturé deux fois pour la même livraison, inadmissible" --disputed 1250.00
	@echo; echo "== The customer writes again, publicly"
	$(LITIGE) case note 121 --db $(DEMO_DB) --direction in --channel social --summary "Toujours aucune réponse"
	@echo; echo "== Why did the system do that? (litige case explain)"
	$(LITIGE) case explain 121 --db $(DEMO_DB)
	@echo; echo "== A script that misbehaves is stopped, and nothing is written"
	-$(LITIGE) run examples/scripts/runaway.lua --timeout 1 --db $(DEMO_DB)
	@echo; echo "== The REPL, fed from a pipe here (run 'litige repl' on a terminal for the console)"
	printf 'c = litige.case(4)\nc\n.try escalate 4\n' | $(LITIGE) repl --db $(DEMO_DB)
	@echo; echo "== The nightly run over every open case (litige batch)"
	$(LITIGE) batch --db $(DEMO_DB) --report $(dir $(DEMO_DB))night.html
	@echo "Open $(dir $(DEMO_DB))night.html in a browser: totals, decisions, receivables by age and category."
	@echo; echo "Demo workspace: $(DEMO_DB)  (try: $(LITIGE) case list --db $(DEMO_DB))"

# The report's tests render it in headless Chromium (Debian's chromium).
TEST_PACKAGES = chromium
test: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES_NEEDED="$(TEST_PACKAGES)"
	$(SWIFT) build --build-tests
	$(SWIFT) test
	$(LITIGE) test plugins examples/online-retailer/plugins examples/wholesaler/plugins

# The hostile scripts of Tests/Hostile in litige run, litige batch and the REPL, 60 nights on 5,000
# cases, the install test and the 90-night twin replay of the wake-up index on 2,000 cases (15 minutes).
test-slow: deps
	$(SWIFT) build --build-tests
	LITIGE_SLOW_TESTS=1 $(SWIFT) test --skip-build --filter "HostileScriptsTests|SixtyNightsTests|InstallTests|WakeIndexReplayTests"

# The Lua host's tests under AddressSanitizer (and LeakSanitizer), in a build folder of their own.
test-asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp $(SWIFT) test --sanitize=address --scratch-path .build-asan --filter LuaHostTests

bench: bench-deps
	scripts/bench.sh

# Issue 14's replay: 90 nights over 20,000 cases, visiting only the cases due and every case, must write
# the same journal (scripts/replay.sh; REPLAY_CASES and REPLAY_NIGHTS change the size).
test-replay: deps
	scripts/replay.sh $(or $(REPLAY_CASES),20000) $(or $(REPLAY_NIGHTS),90)

# make install PREFIX=/usr/local: the binary with the Swift runtime linked in (-static-stdlib: it runs
# where no toolchain is; it needs Debian's libsqlite3, libedit and libjemalloc2), the standard plugins in
# share/litige/plugins (found from the binary), the man page and bash, zsh and fish completions.
PREFIX ?= /usr/local
install: deps
	$(SWIFT) build -c release -Xswiftc -static-stdlib --scratch-path .build-static
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/litige/plugins" \
	  "$(DESTDIR)$(PREFIX)/share/man/man1" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" \
	  "$(DESTDIR)$(PREFIX)/share/zsh/site-functions" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"
	install -m 755 .build-static/release/litige "$(DESTDIR)$(PREFIX)/bin/litige"
	rm -rf "$(DESTDIR)$(PREFIX)/share/litige/plugins" && cp -R plugins "$(DESTDIR)$(PREFIX)/share/litige/plugins"
	install -m 644 docs/man/litige.1 "$(DESTDIR)$(PREFIX)/share/man/man1/litige.1"
	"$(DESTDIR)$(PREFIX)/bin/litige" --generate-completion-script bash > "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/litige"
	"$(DESTDIR)$(PREFIX)/bin/litige" --generate-completion-script zsh > "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_litige"
	"$(DESTDIR)$(PREFIX)/bin/litige" --generate-completion-script fish > "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/litige.fish"
	@echo "Installed litige in $(DESTDIR)$(PREFIX) ($$("$(DESTDIR)$(PREFIX)/bin/litige" --version))"

# The man page, from the commands' own help (swift-argument-parser's generate-manual); kept in
# docs/man so that installing needs no plugin run.
man: deps
	$(SWIFT) package --allow-writing-to-package-directory generate-manual --authors "Litige"
	mkdir -p docs/man && cp .build/plugins/GenerateManual/outputs/litige/litige.1 docs/man/litige.1

lint:
	$(SWIFT) format lint --strict -r Sources Tests

clean:
	rm -rf .build demo
