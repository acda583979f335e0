#!/bin/sh
# Golden config tests (STYLE 3.9).  Run from the repository root:
#   test/cfg/run.sh BINARY [--update]
# good/x.cfg: `BINARY -c -v -f good/x.cfg` exits 0 and its stdout equals
#   good/x.out; the printed form parses again and prints itself.
# bad/y.cfg: `BINARY -c -f bad/y.cfg` exits 1 and its stderr equals y.err.
# A first line "# needs: no-tls" skips the file in a TLS=1 build; files
# named tls_*.cfg need a TLS=1 build and are skipped without it.
# Any sanitizer report fails the test.  --update rewrites .out/.err.
bin=$1
update=$2
dir=test/cfg
fail=0
pass=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "usage: $0 BINARY [--update] (from the repository root)" >&2
	exit 2
fi
tls=no
"$bin" -V | grep -q '^TLS: yes' && tls=yes

skip() {
	case ${1##*/} in
	tls_*) [ "$tls" = no ] && return 0 ;;
	esac
	[ "$tls" = yes ] && head -n 1 "$1" | grep -q '^# needs: no-tls'
}

bad() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}

sanitizer() {
	grep -q 'Sanitizer\|runtime error:' "$1"
}

for cfg in "$dir"/good/*.cfg; do
	skip "$cfg" && continue
	out=${cfg%.cfg}.out
	"$bin" -c -v -f "$cfg" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] || sanitizer "$tmp/err"; then
		bad "$cfg: exit $rc"
		cat "$tmp/err"
		continue
	fi
	if [ "$update" = --update ]; then
		cp "$tmp/out" "$out"
	elif ! diff -u "$out" "$tmp/out"; then
		bad "$cfg: output differs from $out"
		continue
	fi
	# the printed form must parse again, to the same printed form
	grep -v '^config file ok$' "$tmp/out" >"$tmp/again.cfg"
	"$bin" -c -v -f "$tmp/again.cfg" >"$tmp/out2" 2>"$tmp/err2"
	rc=$?
	if [ $rc -ne 0 ] || sanitizer "$tmp/err2"; then
		bad "$out does not parse again (exit $rc)"
		cat "$tmp/err2"
		continue
	fi
	if ! diff -u "$tmp/out" "$tmp/out2"; then
		bad "$out: printing it again changes it"
		continue
	fi
	pass=$((pass + 1))
done

for cfg in "$dir"/bad/*.cfg; do
	skip "$cfg" && continue
	exp=${cfg%.cfg}.err
	"$bin" -c -f "$cfg" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 1 ] || sanitizer "$tmp/err"; then
		bad "$cfg: exit $rc, expected 1"
		cat "$tmp/err"
		continue
	fi
	if [ "$update" = --update ]; then
		cp "$tmp/err" "$exp"
	elif ! diff -u "$exp" "$tmp/err"; then
		bad "$cfg: errors differ from $exp"
		continue
	fi
	pass=$((pass + 1))
done

echo "config tests: $pass passed, $fail failed"
[ $fail -eq 0 ]
