# Tandem: one non-recursive Makefile for the whole suite.
#   make            build every service, the shared library and the tools
#   make run        install what is missing, build, start the suite locally
#   make web        build the web app (web/dist, served by the gateway at /)
#   make test       install what is missing, build, run every test on a throwaway stack
#   make memcheck   the test run with unit tests and services under valgrind
#   make asan       the test run with everything built with ASan and UBSan
#   make bench      wrk and pgbench figures against a running benchmark stack
#   make fuzz       the libFuzzer harnesses for TANDEM_FUZZ_SECONDS in all (default 600)
#   make test-containers   the images, docker-compose.yml and deploy/k8s, for real
#   make stop / make clean

SHELL      := /bin/bash
BUILD      ?= build
CC         ?= cc
PKGS       := libulfius jansson libpq libcurl openssl
# pkg-config's answers are taken when a recipe first needs them, never when make
# parses this file: on a fresh machine `make run` parses it before deps has
# installed pkg-config and the -dev packages (each is asked once, then kept).
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS) 2>/dev/null))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $(PKGS) 2>/dev/null) \
               -lyder -lorcania -lmicrohttpd -lpthread)$(PKG_LIBS)
CHECK_LIBS = $(eval CHECK_LIBS := $$(shell pkg-config --libs check 2>/dev/null))$(CHECK_LIBS)
WARN       := -Wall -Wextra -Werror -Wconversion -Wpedantic -Wshadow -Wstrict-prototypes \
              -Wformat=2 -Wno-format-nonliteral
# a recipe that fails leaves no half-written target behind (a migrations_gen.c that
# embed-sql.sh refused would otherwise look up to date on the next make)
.DELETE_ON_ERROR:

OPT        ?= -O2 -g
SAN        ?=
CFLAGS      = -std=c11 -D_GNU_SOURCE $(OPT) $(SAN) $(WARN) -MMD -MP -Ishared $(PKG_CFLAGS)
LDFLAGS    := $(SAN)

# the suite's services: the first word of each line of services.txt
SERVICES   := $(shell awk '!/^\#/ && NF { print $$1 }' services.txt)

all: $(SERVICES:%=$(BUILD)/bin/tandem-%) $(BUILD)/bin/tandem-token $(BUILD)/bin/tandem-probe

# ---- the shared library --------------------------------------------------
SHARED_SRC := $(wildcard shared/*.c)
SHARED_OBJ := $(SHARED_SRC:%.c=$(BUILD)/%.o)
LIBTANDEM  := $(BUILD)/libtandem.a

$(LIBTANDEM): $(SHARED_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

# ---- services: every .c in services/NAME plus its embedded migrations ------
# Migrations are compiled into the binary, so an image needs no SQL files.
define service_rules
$(1)_SRC := $$(wildcard services/$(1)/*.c)
$(1)_OBJ := $$($(1)_SRC:%.c=$(BUILD)/%.o) $(BUILD)/services/$(1)/migrations_gen.o
$(BUILD)/services/$(1)/migrations_gen.c: $$(sort $$(wildcard services/$(1)/sql/*.sql)) tools/embed-sql.sh
	@mkdir -p $$(@D)
	bash tools/embed-sql.sh $(1) $$(sort $$(wildcard services/$(1)/sql/*.sql)) > $$@
# (one string literal per migration: longer than the 4095 bytes C99 promises,
# which gcc and clang take without complaint)
$(BUILD)/services/$(1)/migrations_gen.o: $(BUILD)/services/$(1)/migrations_gen.c
	$$(CC) $$(CFLAGS) -Wno-overlength-strings -Iservices/$(1) -c $$< -o $$@
$(BUILD)/bin/tandem-$(1): $$($(1)_OBJ) $(LIBTANDEM)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$($(1)_OBJ) $(LIBTANDEM) $$(PKG_LIBS)
endef
$(foreach s,$(SERVICES),$(eval $(call service_rules,$(s))))

# ---- tools -----------------------------------------------------------------
$(BUILD)/bin/tandem-token: $(BUILD)/tools/tandem-token.o $(LIBTANDEM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# the containers' health check: libc only (the gateway image has no libcurl)
$(BUILD)/bin/tandem-probe: $(BUILD)/tools/tandem-probe.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

# ---- unit tests (Check) ----------------------------------------------------
# tests/unit/test_X.c links the shared library; test_people_*.c, test_phases_*.c,
# test_mentoring_*.c, test_strategy_*.c and test_notify_*.c also link their service's pure modules
# (no I/O in them).
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
PEOPLE_PURE := $(BUILD)/services/people/people_json.o $(BUILD)/services/people/scim_json.o
STRATEGY_PURE := $(addprefix $(BUILD)/services/strategy/,strategy_json.o strategy_playbook.o \
                 strategy_align.o)
PHASES_PURE := $(BUILD)/services/phases/pace.o $(BUILD)/services/phases/criteria.o \
               $(BUILD)/services/phases/phases_json.o
MENTORING_PURE := $(addprefix $(BUILD)/services/mentoring/,mentoring_json.o regularity.o \
                  render.o checklist.o)
NOTIFY_PURE := $(addprefix $(BUILD)/services/notify/,csv.o whsig.o ssrf.o attention.o quiet.o \
               mail.o texts.o nudge_json.o)

$(BUILD)/tests/unit/test_people_%.o: tests/unit/test_people_%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iservices/people -c $< -o $@
$(BUILD)/tests/test_people_%: $(BUILD)/tests/unit/test_people_%.o $(PEOPLE_PURE) $(LIBTANDEM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(PKG_LIBS)
$(BUILD)/tests/unit/test_phases_%.o: tests/unit/test_phases_%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iservices/phases -c $< -o $@
$(BUILD)/tests/test_phases_%: $(BUILD)/tests/unit/test_phases_%.o $(PHASES_PURE) $(LIBTANDEM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(PKG_LIBS)
$(BUILD)/tests/unit/test_mentoring_%.o: tests/unit/test_mentoring_%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iservices/mentoring -c $< -o $@
$(BUILD)/tests/test_mentoring_%: $(BUILD)/tests/unit/test_mentoring_%.o $(MENTORING_PURE) $(LIBTANDEM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(PKG_LIBS)
$(BUILD)/tests/unit/test_strategy_%.o: tests/unit/test_strategy_%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iservices/strategy -c $< -o $@
$(BUILD)/tests/test_strategy_%: $(BUILD)/tests/unit/test_strategy_%.o $(STRATEGY_PURE) $(LIBTANDEM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(PKG_LIBS)
$(BUILD)/tests/unit/test_notify_%.o: tests/unit/test_notify_%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iservices/notify -c $< -o $@
$(BUILD)/tests/test_notify_%: $(BUILD)/tests/unit/test_notify_%.o $(NOTIFY_PURE) $(LIBTANDEM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(PKG_LIBS)
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(LIBTANDEM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(PKG_LIBS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; CK_FORK=yes $$t; done

# ---- fuzzing (libFuzzer): tests/fuzz/fuzz_NAME.c -> $(BUILD)/fuzz/fuzz_NAME ------------
# Built with clang against the shared library and the services' pure modules,
# all compiled again with clang, ASan and UBSan under $(BUILD)/fuzz/obj.  A
# harness named after a service (or scim: people) also links that service's
# pure modules.  make test runs each briefly (tests/fuzz/run.sh via
# tests/run-all.sh); make fuzz runs them for TANDEM_FUZZ_SECONDS in all.
FUZZ_CC     ?= clang-14
FUZZ_DIR    := $(BUILD)/fuzz
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer \
               -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined \
               $(WARN) -MMD -MP -Ishared $(PKG_CFLAGS)
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN    := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_LIB    := $(FUZZ_DIR)/libtandem.a
fuzz_obj     = $(patsubst $(BUILD)/%,$(FUZZ_DIR)/obj/%,$(1))
FUZZ_PURE_people    := $(call fuzz_obj,$(PEOPLE_PURE))
FUZZ_PURE_scim      := $(FUZZ_PURE_people)
FUZZ_PURE_phases    := $(call fuzz_obj,$(PHASES_PURE))
FUZZ_PURE_mentoring := $(call fuzz_obj,$(MENTORING_PURE))
FUZZ_PURE_strategy  := $(call fuzz_obj,$(STRATEGY_PURE))

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o: tests/fuzz/fuzz_%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(if $(FUZZ_PURE_$*),-Iservices/$(if $(filter scim,$*),people,$*)) \
	        -c $< -o $@
$(FUZZ_LIB): $(call fuzz_obj,$(SHARED_OBJ))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^
.SECONDEXPANSION:
$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $$(FUZZ_PURE_$$*) $(FUZZ_LIB)
	$(FUZZ_CC) -fsanitize=address,undefined,fuzzer -o $@ $^ $(PKG_LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: deps
	TANDEM_BUILD=$(BUILD) bash tests/fuzz/run.sh

# ---- the web app: static files in web/dist, built by Vite ------------------
WEB_SRC := web/index.html web/vite.config.js web/package-lock.json $(wildcard web/src/*)
web/dist/index.html: $(WEB_SRC)
	cd web && npx --no-install vite build --logLevel warn
web: web/dist/index.html

# ---- the two commands and friends ----------------------------------------
deps:
	bash deploy/local/install-deps.sh

# deps first, then a make of its own for the build: what deps installs is
# there before anything is compiled (see PKG_CFLAGS)
run:
	bash deploy/local/install-deps.sh run
	$(MAKE) all web
	bash deploy/local/run.sh

test: deps
	$(MAKE) all web $(UNIT_BIN)
	bash tests/run-all.sh

memcheck: deps
	$(MAKE) all $(UNIT_BIN)
	bash tests/memcheck.sh

asan: deps
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	        SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all \
	        $(UNIT_BIN:$(BUILD)/%=build-asan/%)
	TANDEM_BUILD=build-asan bash tests/asan.sh

bench: deps
	$(MAKE) all
	bash deploy/local/bench.sh

# ---- containers: images, docker-compose.yml, deploy/k8s, tested for real -----
# Needs root, the Debian mirror (first run) and no running Docker engine of the
# machine's: the test starts its own (see tests/containers/run.sh).
deps-containers:
	bash deploy/local/install-deps.sh containers

test-containers: deps-containers
	bash tests/containers/run.sh

print-services:
	@echo $(SERVICES)

stop:
	bash deploy/local/stop.sh

clean:
	-bash deploy/local/stop.sh 2>/dev/null
	rm -rf build build-asan var

lint-sh:
	shellcheck -x .ci/run deploy/local/*.sh tests/*.sh tests/fuzz/*.sh tools/*.sh

.PHONY: all web unit deps run test memcheck asan bench stop clean lint-sh deps-containers \
        test-containers print-services fuzz fuzz-build
.SECONDARY:

# (dependency files only: a debootstrap under build/containers has directories named *.d)
-include $(shell find $(BUILD) -path $(BUILD)/containers -prune -o -type f -name '*.d' -print 2>/dev/null)
