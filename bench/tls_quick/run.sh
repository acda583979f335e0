#!/bin/bash
# Quick TLS figures (the bench/ issue makes them rigorous): new handshakes
# per second with `openssl s_time` against openser with an ECDSA P-256
# certificate (and s_server as the bound), and memory per idle TLS
# connection (PSS of all openser processes, /proc/*/smaps_rollup) with N
# connections held open.  Loopback only; stops only what it started.
#   bench/tls_quick/run.sh [seconds=5] [idle_connections=1000]
set -u
cd "$(dirname "$0")/../.."
secs=${1:-5}
idle=${2:-1000}
bin=build/release-tls/openser
[ -x "$bin" ] || make -s BUILD=release TLS=1 >/dev/null
d=$(mktemp -d /tmp/openser-tlsq.XXXXXX)
P=25061 S=25062
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=bench -days 1 -keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null
chmod 600 "$d/key.pem"
cat >"$d/openser.cfg" <<CFG
debug = 1
log_stderror = yes
children = 1
tcp_children = 1
listen = tls:127.0.0.1:$P
tcp_max_connections = $((idle + 100))
tls_certificate = "$d/cert.pem"
tls_private_key = "$d/key.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
tls_verify_server = 0
route { drop; }
CFG
"$bin" -f "$d/openser.cfg" -D -E -m 256 >"$d/openser.log" 2>&1 &
pids+=($!)
opid=$!
sleep 1

hs_rate() { # port
	openssl s_time -connect "127.0.0.1:$1" -new -time "$secs" 2>/dev/null \
	    | awk '/connections in .* real seconds/ {print $1 / $4}'
}
o_rate=$(hs_rate $P)
openssl s_server -accept $S -cert "$d/cert.pem" -key "$d/key.pem" -quiet \
    -naccept 1000000 >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
s_rate=$(hs_rate $S)

pss() { # total PSS in kB of openser processes
	local t=0 p
	for p in $opid $(ps -o pid= --ppid $opid); do
		t=$((t + $(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null || echo 0)))
	done
	echo $t
}
before=$(pss)
ulimit -n $((idle + 512)) 2>/dev/null
python3 - "$P" "$idle" <<'PY' &
import socket, ssl, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
conns = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    conns.append(ctx.wrap_socket(s))
print("held", len(conns), flush=True)
time.sleep(30)
PY
pids+=($!)
for i in $(seq 1 120); do
	[ "$(ss -tn state established "( sport = :$P )" | wc -l)" -gt "$idle" ] && break
	sleep 0.5
done
sleep 2
after=$(pss)
awk -v o="$o_rate" -v s="$s_rate" -v b="$before" -v a="$after" -v n="$idle" 'BEGIN {
	printf "new TLS handshakes/s (ECDSA P-256, openssl s_time, 1 client):\n";
	printf "  openser %.0f   openssl s_server %.0f   ratio %.2f\n", o, s, (s > 0 ? o / s : 0);
	printf "memory per idle TLS connection (PSS, %d connections): %.1f KB\n", n, (a - b) / n;
}'
