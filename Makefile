# openser: one non-recursive GNU Makefile.
#   make [BUILD=release|debug|asan|fuzz] [TLS=1]   build openser and modules
#   make test        unit + config + end-to-end tests in the ASan+UBSan build
#   make install [PREFIX=/usr/local] [DESTDIR=] [TLS=1]   (and uninstall)
#   make run         build and run the demo config in the foreground
#   make fuzz        build every libFuzzer target (test/fuzz/README.md)
#   make fuzz-smoke  run each fuzzer a bounded number of times on its corpus
export LC_ALL := C
BUILD	?= release
TLS	?=
OUT	:= build/$(BUILD)$(if $(filter 1,$(TLS)),-tls)
PREFIX	?= /usr/local
CC	?= cc
BISON	?= bison
FLEX	?= flex
PYTHON	?= python3

VERSION	:= $(shell cat VERSION)
CSTD	 = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE
WARN	 = -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wmissing-declarations -Wpointer-arith \
	   -Wcast-qual -Wwrite-strings -Wformat=2 -Wundef -Wvla \
	   -Wimplicit-fallthrough -Wdate-time
WERROR	?= -Werror
REPRO	 = -ffile-prefix-map=$(CURDIR)=.
HARDEN	 = -fstack-protector-strong -fPIC
LDHARDEN = -Wl,-z,relro,-z,now
ifeq ($(BUILD),release)
OPT	 = -O2 -g -D_FORTIFY_SOURCE=2
else ifeq ($(BUILD),debug)
OPT	 = -O0 -g3
else ifeq ($(BUILD),asan)
OPT	 = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=all
SANLD	 = -fsanitize=address,undefined
else ifeq ($(BUILD),fuzz)
CC	 = clang
OPT	 = -O1 -g -fsanitize=fuzzer-no-link,address,undefined
SANLD	 = -fsanitize=address,undefined
else
$(error unknown BUILD=$(BUILD); use release, debug, asan or fuzz)
endif

DEFS	 = -DOPENSER_VERSION='"$(VERSION)"' -DOPENSER_BUILD='"$(BUILD)"' \
	   -DMODULE_DIR_DEFAULT='"$(CURDIR)/$(OUT)/modules"' \
	   -DMODULE_DIR_INSTALLED='"$(PREFIX)/lib/openser/modules"' \
	   -DCFG_FILE_DEFAULT='"$(PREFIX)/etc/openser/openser.cfg"'
LIBS	 = -ldl -lpthread
ifeq ($(TLS),1)
DEFS	+= -DUSE_TLS
LIBS	+= -lssl -lcrypto
endif
CFLAGS	+= $(CSTD) $(WARN) $(WERROR) $(REPRO) $(HARDEN) $(OPT) $(DEFS) -I. -I$(OUT)

LAYERS	 = lib mem parser net sip db script cfg core
SRCS	 = $(sort $(foreach d,$(LAYERS),$(wildcard $(d)/*.c)))
ifeq ($(TLS),1)
SRCS	+= $(sort $(wildcard tls/*.c))
endif
OBJS	 = $(SRCS:%.c=$(OUT)/%.o)
GEN_OBJS = $(OUT)/cfg.tab.o $(OUT)/cfg.lex.o
SPINE	 = $(OUT)/main.o $(OUT)/tcp_main.o

MODULES	 = $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard modules/*/*.c)))))
MOD_SOS	 = $(foreach m,$(MODULES),$(OUT)/modules/$(m).so)
# what a module needs beyond the core: MOD_CFLAGS_<name>, MOD_LIBS_<name>
MOD_LIBS_db_sqlite   = -lsqlite3
MOD_CFLAGS_db_mysql := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags libmariadb 2>/dev/null))
MOD_LIBS_db_mysql   := $(or $(shell pkg-config --libs libmariadb 2>/dev/null),-lmariadb)

UNIT_SRCS = $(sort $(filter-out $(if $(filter 1,$(TLS)),,test/unit/test_tls_%),\
	    $(wildcard test/unit/test_*.c)))
UNIT_BINS = $(UNIT_SRCS:test/unit/%.c=$(OUT)/test/%)

all: $(OUT)/openser $(MOD_SOS)

$(OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/cfg.tab.c $(OUT)/cfg.tab.h &: cfg.y
	@mkdir -p $(OUT)
	$(BISON) -Wall -Werror -d -o $(OUT)/cfg.tab.c cfg.y

$(OUT)/cfg.lex.c $(OUT)/cfg.lex.h &: cfg.lex
	@mkdir -p $(OUT)
	$(FLEX) --header-file=$(OUT)/cfg.lex.h -o $(OUT)/cfg.lex.c cfg.lex

$(OUT)/cfg.tab.o: $(OUT)/cfg.tab.c $(OUT)/cfg.lex.h
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@
$(OUT)/cfg.lex.o: $(OUT)/cfg.lex.c $(OUT)/cfg.tab.h
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# every object except the spine, for unit tests (they link what they need)
$(OUT)/libcore.a: $(OBJS) $(GEN_OBJS)
	@rm -f $@
	ar rcD $@ $^

$(OUT)/openser: $(SPINE) $(OUT)/libcore.a
	$(CC) $(OPT) $(SANLD) $(LDHARDEN) -rdynamic -o $@ $(SPINE) \
	    -Wl,--whole-archive $(OUT)/libcore.a -Wl,--no-whole-archive $(LIBS)

.SECONDEXPANSION:
$(OUT)/modules/%.so: $$(sort $$(wildcard modules/%/*.c)) $(OUT)/openser
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MOD_CFLAGS_$*) -shared -Wl,-Bsymbolic $(SANLD) -o $@ \
	    $(filter %.c,$^) $(MOD_LIBS_$*)

$(OUT)/test/%: test/unit/%.c $(OUT)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANLD) -o $@ $< $(OUT)/libcore.a $(LIBS)

# ---- tests: always in the ASan+UBSan build; `make test` covers the build
# without TLS and the TLS=1 build, `make test TLS=1` / `TLS=0` only one.
TEST_BUILDS = $(if $(filter 1,$(TLS)),1,$(if $(filter 0,$(TLS)),0,0 1))
test:
	$(foreach t,$(TEST_BUILDS),$(MAKE) BUILD=asan TLS=$(filter 1,$(t)) test-one &&) true

test-one: all $(UNIT_BINS)
	test/run-unit.sh $(UNIT_BINS)
	test/cfg/run.sh $(OUT)/openser
	$(PYTHON) test/e2e/run.py --binary $(OUT)/openser --modules $(OUT)/modules

test-unit: $(UNIT_BINS)
	test/run-unit.sh $(UNIT_BINS)

test-cfg-update: all
	test/cfg/run.sh $(OUT)/openser --update

# the demo always runs the TLS build
run:
	$(MAKE) BUILD=release TLS=1 all
	scripts/openser-demo build/release-tls/openser build/release-tls/modules

# ---- install: TLS=1 must be given to every target, as in OpenSER 1.x
# (the TLS tree under etc/openser/tls is installed only then).  Paths are
# those of the installed tree; DESTDIR is only prepended.  An existing
# openser.cfg is never overwritten (openser.cfg.sample goes beside it);
# no private key or certificate is ever installed.
I_SBIN	 = $(PREFIX)/sbin
I_MOD	 = $(PREFIX)/lib/openser/modules
I_CTL	 = $(PREFIX)/lib/openser/openserctl
I_CFG	 = $(PREFIX)/etc/openser
I_DOC	 = $(PREFIX)/share/doc/openser
I_MAN	 = $(PREFIX)/share/man
I_SHARE	 = $(PREFIX)/share/openser
TLS_TEMPLATES = ca.conf request.conf user.conf README
INSTALL_SED = -e 's|/usr/local/etc/openser|$(I_CFG)|g' \
	      -e 's|/usr/local/lib/openser/modules|$(I_MOD)|g' \
	      -e 's|/usr/local/lib/openser/openserctl|$(I_CTL)|g' \
	      -e 's|/usr/local/sbin|$(I_SBIN)|g' \
	      -e 's|/usr/local/share/doc/openser|$(I_DOC)|g' \
	      -e 's|/usr/local/share/openser|$(I_SHARE)|g'

install: all
	install -d $(DESTDIR)$(I_SBIN) $(DESTDIR)$(I_MOD) $(DESTDIR)$(I_CTL) \
	    $(DESTDIR)$(I_CFG) $(DESTDIR)$(I_DOC) $(DESTDIR)$(I_MAN)/man5 \
	    $(DESTDIR)$(I_MAN)/man8
	install -m 0755 $(OUT)/openser $(DESTDIR)$(I_SBIN)/openser
	$(foreach m,$(MOD_SOS),install -m 0644 $(m) $(DESTDIR)$(I_MOD)/;)
	sed $(INSTALL_SED) scripts/openserctl >$(OUT)/openserctl
	install -m 0755 $(OUT)/openserctl $(DESTDIR)$(I_SBIN)/openserctl
	install -m 0644 scripts/openserctl.tls $(DESTDIR)$(I_CTL)/openserctl.tls
	install -m 0644 scripts/openserctl.db $(DESTDIR)$(I_CTL)/openserctl.db
	sed $(INSTALL_SED) scripts/openserdbctl >$(OUT)/openserdbctl
	install -m 0755 $(OUT)/openserdbctl $(DESTDIR)$(I_SBIN)/openserdbctl
	install -d $(DESTDIR)$(I_SHARE)/sqlite $(DESTDIR)$(I_SHARE)/mysql
	$(foreach f,$(wildcard scripts/sqlite/*.sql scripts/mysql/*.sql),\
	    install -m 0644 $(f) $(DESTDIR)$(I_SHARE)/$(patsubst scripts/%,%,$(f));)
	$(if $(filter 1,$(TLS)),sed $(INSTALL_SED) etc/openser.cfg,\
	    sed -e '/^listen = tls:/d' -e '/^# ----------- TLS/,/^$$/d' \
	    $(INSTALL_SED) etc/openser.cfg) >$(OUT)/openser.cfg
	if [ -f $(DESTDIR)$(I_CFG)/openser.cfg ]; then \
	    install -m 0644 $(OUT)/openser.cfg $(DESTDIR)$(I_CFG)/openser.cfg.sample; \
	else install -m 0644 $(OUT)/openser.cfg $(DESTDIR)$(I_CFG)/openser.cfg; fi
ifeq ($(TLS),1)
	install -d $(DESTDIR)$(I_CFG)/tls
	$(foreach t,$(TLS_TEMPLATES),install -m 0644 etc/tls/$(t) \
	    $(DESTDIR)$(I_CFG)/tls/$(t);)
endif
	install -m 0644 README.md $(DESTDIR)$(I_DOC)/README.md
	$(foreach r,$(wildcard modules/*/README),install -m 0644 $(r) \
	    $(DESTDIR)$(I_DOC)/README.$(notdir $(patsubst %/,%,$(dir $(r))));)
	sed $(INSTALL_SED) man/openser.8 >$(DESTDIR)$(I_MAN)/man8/openser.8
	sed $(INSTALL_SED) man/openserctl.8 >$(DESTDIR)$(I_MAN)/man8/openserctl.8
	sed $(INSTALL_SED) man/openserdbctl.8 >$(DESTDIR)$(I_MAN)/man8/openserdbctl.8
	sed $(INSTALL_SED) man/openser.cfg.5 >$(DESTDIR)$(I_MAN)/man5/openser.cfg.5
	chmod 0644 $(DESTDIR)$(I_MAN)/man8/openser.8 \
	    $(DESTDIR)$(I_MAN)/man8/openserctl.8 $(DESTDIR)$(I_MAN)/man5/openser.cfg.5 \
	    $(DESTDIR)$(I_MAN)/man8/openserdbctl.8

# removes what install put there; keeps openser.cfg, and every key,
# certificate and CA made with openserctl under etc/openser/tls
uninstall:
	rm -f $(DESTDIR)$(I_SBIN)/openser $(DESTDIR)$(I_SBIN)/openserctl \
	    $(DESTDIR)$(I_SBIN)/openserdbctl $(DESTDIR)$(I_MAN)/man8/openserdbctl.8
	rm -rf $(DESTDIR)$(I_SHARE)
	rm -rf $(DESTDIR)$(I_MOD) $(DESTDIR)$(I_CTL) $(DESTDIR)$(I_DOC)
	rm -f $(DESTDIR)$(I_MAN)/man8/openser.8 \
	    $(DESTDIR)$(I_MAN)/man8/openserctl.8 $(DESTDIR)$(I_MAN)/man5/openser.cfg.5
	rm -f $(DESTDIR)$(I_CFG)/openser.cfg.sample
	$(foreach t,$(TLS_TEMPLATES),rm -f $(DESTDIR)$(I_CFG)/tls/$(t);)
	rmdir $(DESTDIR)$(I_CFG)/tls $(DESTDIR)$(I_CFG) \
	    $(DESTDIR)$(PREFIX)/lib/openser 2>/dev/null || true
	@if [ -e $(DESTDIR)$(I_CFG) ]; then echo "kept $(DESTDIR)$(I_CFG):" \
	    "openser.cfg and any keys/certificates made there"; fi

clean:
	rm -rf build

.PHONY: all test test-one test-unit test-cfg-update run install uninstall clean
.DELETE_ON_ERROR:
-include $(OBJS:.o=.d) $(SPINE:.o=.d) $(GEN_OBJS:.o=.d)

# ---- benchmarks (bench/README.md); never part of `make test`
build/bench/siplo: bench/siplo/siplo.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(WERROR) -O2 -g -pthread -o $@ $< -lssl -lcrypto

bench: build/bench/siplo
	bench/run

bench-smoke: build/bench/siplo
	bench/run --smoke

.PHONY: bench bench-smoke

# ---- fuzzers (test/fuzz/README.md): clang + libFuzzer, always the
# BUILD=fuzz TLS=1 build (the TLS target needs it), in build/fuzz-tls/fuzz.
# Each target links the whole core (-rdynamic: the pipeline target loads
# the module .so files of the same build).
FUZZ_SRCS = $(sort $(wildcard test/fuzz/fuzz_*.c))
FUZZ_BINS = $(FUZZ_SRCS:test/fuzz/%.c=$(OUT)/fuzz/%)
FUZZ_RUNS ?= 10000

ifeq ($(BUILD)$(TLS),fuzz1)
fuzz: all $(FUZZ_BINS)

fuzz-smoke: fuzz
	test/fuzz/smoke.sh $(OUT) $(FUZZ_RUNS)
else
fuzz fuzz-smoke:
	$(MAKE) BUILD=fuzz TLS=1 $@
endif

# the pipeline target sends nothing and resolves no names (its comment)
$(OUT)/fuzz/fuzz_pipeline: FUZZ_LD = -Wl,--wrap=getaddrinfo,--wrap=sendto,--wrap=connect

$(OUT)/fuzz/%: test/fuzz/%.c $(OUT)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(SANLD) $(FUZZ_LD) -rdynamic -o $@ $< \
	    -Wl,--whole-archive $(OUT)/libcore.a -Wl,--no-whole-archive $(LIBS)

.PHONY: fuzz fuzz-smoke
