#!/bin/sh
# make fuzz-smoke: run every fuzzer of build <out> (build/fuzz-tls) on its
# seed corpus, then <runs> mutations, in a bounded number of runs (not a
# time).  New inputs go to a scratch directory, never into the tree.  A
# crash fails the run; its input is kept as build/.../fuzz/<target>-crash-*.
#   test/fuzz/smoke.sh build/fuzz-tls 10000 [target ...]
set -u
out=$1
runs=$2
shift 2
C=test/corpus
# the seed directories of each target (test/fuzz/README.md)
seeds() {
	case $1 in
	fuzz_cfg) echo test/cfg/good test/cfg/bad ;;
	fuzz_parse_msg) echo $C/valid $C/rfc4475/valid $C/rfc4475/invalid ;;
	fuzz_parse_uri) echo $C/parse_uri ;;
	fuzz_tcp_read) echo $C/tcp_read $C/valid $C/rfc4475/valid ;;
	fuzz_pipeline) echo $C/pipeline $C/valid $C/rfc4475/valid ;;
	*) echo $C/${1#fuzz_} ;;
	esac
}
targets=${*:-$(cd "$out/fuzz" && ls fuzz_* | grep -v '\.')}
scratch=$(mktemp -d /tmp/openser-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
fail=""
for t in $targets; do
	dirs=""
	for d in $(seeds "$t"); do
		[ -d "$d" ] && dirs="$dirs $d"
	done
	n=0
	for d in $dirs; do
		n=$((n + $(ls "$d" | wc -l)))
	done
	# a TLS handshake or a config file per input: a quarter of the runs
	case $t in
	fuzz_tls|fuzz_cfg|fuzz_pipeline) m=$((runs / 4)) ;;
	*) m=$runs ;;
	esac
	mkdir -p "$scratch/$t"
	echo "# $t: $n seeds from$dirs, then $m mutations"
	# -runs counts the seeds too; each input at most 20 s (never hit by a
	# healthy target: it bounds a hang)
	# shellcheck disable=SC2086
	if ! (cd "$out/fuzz" && timeout 900 ./"$t" -runs=$((n + m)) -seed=1 \
	    -timeout=20 -rss_limit_mb=2048 -max_len=8192 \
	    -artifact_prefix=./"$t"- "$scratch/$t" \
	    $(for d in $dirs; do echo "$OLDPWD/$d"; done)) \
	    >"$scratch/$t.log" 2>&1; then
		tail -60 "$scratch/$t.log"
		echo "FAIL: $t (input kept as $out/fuzz/$t-crash-*)"
		fail="$fail $t"
	else
		grep -E '^#[0-9]+ *DONE' "$scratch/$t.log" || tail -1 "$scratch/$t.log"
	fi
done
if [ -n "$fail" ]; then
	echo "fuzz-smoke: failed:$fail"
	exit 1
fi
echo "fuzz-smoke: all targets passed"
