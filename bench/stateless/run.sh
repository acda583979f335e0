#!/bin/bash
# Stateless UDP forwarding rate: SIPp UAC -> proxy -> SIPp UAS, INVITE/
# 200/ACK/BYE calls at a target rate for a fixed time, for openser and for
# Kamailio with an equivalent config, in the same run.  Prints calls/s
# completed and the openser/Kamailio ratio.  Loopback only; every process
# started here is stopped by PID.
#   bench/stateless/run.sh [rate=4000] [seconds=10] [children=2]
set -u
cd "$(dirname "$0")/../.."
rate=${1:-4000}
secs=${2:-10}
children=${3:-2}
bin=build/release/openser
mods=build/release/modules
out=$(mktemp -d /tmp/openser-bench.XXXXXX)
[ -x "$bin" ] || make -s BUILD=release >/dev/null
command -v sipp >/dev/null || { echo "needs sipp (sip-tester)"; exit 2; }

PPORT=25060 UAS=25070 UAC=25080
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

pin() { if [ "$(nproc)" -ge 2 ]; then echo "taskset -c $1"; fi; }

cat >"$out/openser.cfg" <<CFG
debug = 1
log_stderror = yes
children = $children
disable_tcp = yes
listen = udp:127.0.0.1:$PPORT
route { forward("udp:127.0.0.1:$UAS"); }
CFG
cat >"$out/kamailio.cfg" <<CFG
#!KAMAILIO
debug=1
log_stderror=yes
children=$children
disable_tcp=yes
listen=udp:127.0.0.1:$PPORT
request_route { forward("127.0.0.1", $UAS); }
CFG

# CPU seconds (user+system) used so far by <pid> and its children
proc_cpu() {
	local pids t=0 p f
	pids="$1 $(ps -o pid= --ppid "$1" | tr '\n' ' ')"
	for p in $pids; do
		f=$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null) || continue
		t=$((t + $(echo "$f" | awk '{print $12 + $13}')))
	done
	awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

run_one() { # name, command...
	local name=$1; shift
	$(pin 0) "$@" >"$out/$name.log" 2>&1 &
	local ppid=$!
	pids+=("$ppid")
	sleep 1
	$(pin 1) sipp -sn uas -i 127.0.0.1 -p $UAS -bg >/dev/null 2>&1
	local uas
	uas=$(pgrep -n -f "sipp -sn uas -i 127.0.0.1 -p $UAS")
	pids+=("$uas")
	$(pin 1) timeout $((secs + 30)) sipp -sn uac -i 127.0.0.1 -p $UAC \
	    -r "$rate" -m $((rate * secs)) -timeout $((secs + 20)) \
	    -trace_stat -stf "$out/$name.csv" -fd 1 \
	    127.0.0.1:$PPORT -rsa 127.0.0.1:$PPORT >/dev/null 2>&1
	local cpu ok elapsed
	cpu=$(proc_cpu "$ppid")
	ok=$(tail -1 "$out/$name.csv" | awk -F';' '{print $16}')
	elapsed=$(tail -1 "$out/$name.csv" | awk -F';' '{print $5}' | awk -F: '{print $1*3600+$2*60+$3}')
	kill "$uas" "$ppid" 2>/dev/null
	wait "$ppid" 2>/dev/null
	echo "$ok $elapsed $cpu"
}

read -r o_ok o_t o_cpu < <(run_one openser "$bin" -f "$out/openser.cfg" -D -E -m 64)
read -r k_ok k_t k_cpu < <(run_one kamailio kamailio -f "$out/kamailio.cfg" -DD -E -m 64 -L /usr/lib/x86_64-linux-gnu/kamailio/modules)
awk -v a="$o_ok" -v at="$o_t" -v ac="$o_cpu" -v b="$k_ok" -v bt="$k_t" \
    -v bc="$k_cpu" -v r="$rate" 'BEGIN {
	ra = at > 0 ? a / at : 0; rb = bt > 0 ? b / bt : 0;
	ua = a > 0 ? ac * 1e6 / a : 0; ub = b > 0 ? bc * 1e6 / b : 0;
	printf "stateless UDP, target %d calls/s (4 requests + 4 replies forwarded per call)\n", r;
	printf "%-10s %10s %10s %10s %14s\n", "", "calls ok", "calls/s", "cpu s", "cpu us/call";
	printf "%-10s %10d %10.0f %10.2f %14.1f\n", "openser", a, ra, ac, ua;
	printf "%-10s %10d %10.0f %10.2f %14.1f\n", "kamailio", b, rb, bc, ub;
	if (rb > 0) printf "ratio openser/kamailio calls/s: %.2f\n", ra / rb;
	if (ua > 0) printf "ratio kamailio/openser cpu per call (>1: openser cheaper): %.2f\n", ub / ua;
}'
echo "logs and SIPp statistics: $out"
