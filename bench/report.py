#!/usr/bin/env python3
"""bench/report.py: turn bench/run's raw siplo lines into the table
(metric, openser, Kamailio, ratio; median of the repetitions with min-max)
and the results JSON.  Called by bench/run; can be re-run on a raw file:

    python3 bench/report.py --raw build/bench/run-*/raw.jsonl \
        --crypto build/bench/run-*/crypto.txt
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess

# scenario, label, how to get the value, unit, True if higher is better
METRICS = [
    ("reg_udp_1", "REGISTER/s, UDP, 1 socket x 32 outstanding", "rate", "/s", True),
    ("reg_tcp_1", "REGISTER/s, TCP, 1 conn x 32 outstanding", "rate", "/s", True),
    ("reg_tls_1", "REGISTER/s, TLS, 1 conn x 32 outstanding", "rate", "/s", True),
    ("reg_udp_100", "REGISTER/s, UDP, 100 sockets x 4", "rate", "/s", True),
    ("reg_tcp_100", "REGISTER/s, TCP, 100 conns x 4", "rate", "/s", True),
    ("reg_tls_100", "REGISTER/s, TLS, 100 conns x 4", "rate", "/s", True),
    ("reg_tls_100", "  proxy CPU us per REGISTER (TLS, 100)", "cpu", "us", False),
    ("reg_tls_100", "  REGISTER p99 latency (TLS, 100, closed loop)", "p99", "ms", False),
    ("hs_ecdsa", "new TLS handshakes/s, ECDSA P-256 (+OPTIONS)", "rate", "/s", True),
    ("hs_ecdsa", "  handshake+OPTIONS p50 latency, ECDSA", "p50", "ms", False),
    ("hs_ecdsa", "  proxy CPU us per handshake, ECDSA", "cpu", "us", False),
    ("hs_ecdsa_resumed", "resumed TLS handshakes/s, ECDSA (+OPTIONS)", "rate", "/s", True),
    ("hs_rsa", "new TLS handshakes/s, RSA-2048 (+OPTIONS)", "rate", "/s", True),
    ("hs_rsa", "  proxy CPU us per handshake, RSA", "cpu", "us", False),
    ("call_tls", "stateful TLS call setups/s (10 conns x 4 calls)", "rate", "/s", True),
    ("call_tls", "  call setup p50 latency (INVITE->200)", "p50", "ms", False),
    ("call_tls", "  call setup p99 latency (INVITE->200)", "p99", "ms", False),
    ("call_tls", "  failed calls (>= 300, timeouts, lost, BYE failed)", "call_fail", "", False),
    ("call_tls", "  proxy CPU us per call (INVITE..BYE 200)", "cpu", "us", False),
    ("mem_idle", "memory per idle TLS connection (PSS)", "kb_per_conn", "kB", False),
    ("mem_idle", "  idle TLS connections open when PSS was read", "open", "", True),
    ("mem_idle", "  of them answered (2xx or error) by then", "held", "", True),
    ("mem_idle", "  REGISTERs answered 2xx, of all held connections", "ok", "", True),
    ("reg_p99_hold", "REGISTER p99 at fixed rate, idle conns held", "p99", "ms", False),
    ("reg_p99_hold", "  REGISTER p50 at fixed rate, idle conns held", "p50", "ms", False),
    ("reg_p99_hold", "  achieved REGISTER/s (target in header)", "rate", "/s", True),
]


def value(s, how):
    if "error" in s:
        return None
    if how == "rate":
        return s.get("rate")
    if how == "cpu":
        return s.get("proxy_cpu_us_per_op")
    if how == "kb_per_conn" and "pss_kb_n" in s:
        n = s.get("open", s.get("conn_ok", 0) - s.get("conn_lost", 0))
        return (s["pss_kb_n"] - s["pss_kb_0"]) / n if n > 0 else None
    if how == "call_fail":
        return (s.get("fail", 0) + s.get("timeouts", 0) + s.get("bye_fail", 0)
                + s.get("unanswered", 0))
    if how == "open":
        return s.get("open", s.get("conn_ok", 0) - s.get("conn_lost", 0))
    if how in ("p50", "p99", "p999"):
        return s.get("lat_us", {}).get(how, 0) / 1000.0
    return s.get(how)


def cell(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None, "-"
    m = statistics.median(vals)
    fmt = (lambda x: "%.0f" % x) if max(abs(v) for v in vals) >= 100 \
        else (lambda x: "%.2f" % x)
    if len(vals) == 1:
        return m, fmt(m)
    return m, "%s (%s-%s)" % (fmt(m), fmt(min(vals)), fmt(max(vals)))


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return ""


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--crypto")
    ap.add_argument("--json")
    ap.add_argument("--quick", default="0")
    ap.add_argument("--handler", default="")
    ap.add_argument("--hold-n", default="")
    ap.add_argument("--hold-rate", default="")
    ap.add_argument("--setup", default="")
    a = ap.parse_args()

    runs = [json.loads(l) for l in open(a.raw) if l.strip()]
    by = {}
    for r in runs:
        by.setdefault((r["impl"], r["scenario"]), []).append(r["siplo"])

    rows = []
    lines = []
    head = "%-62s %-22s %-22s %6s" % ("metric", "openser", "Kamailio", "ratio")
    lines.append(head)
    lines.append("-" * len(head))
    for sc, label, how, unit, higher in METRICS:
        o = [value(s, how) for s in by.get(("openser", sc), [])]
        k = [value(s, how) for s in by.get(("kamailio", sc), [])]
        om, ot = cell(o)
        km, kt = cell(k)
        ratio = om / km if om is not None and km else None
        name = "%s [%s%s]" % (label, unit, "" if higher else ", lower=better")
        lines.append("%-62s %-22s %-22s %6s" % (
            name, ot, kt,
            "%.2f" % ratio if ratio is not None else "-"))
        rows.append({"scenario": sc, "metric": label, "unit": unit,
                     "higher_is_better": higher, "openser": o,
                     "kamailio": k, "openser_median": om,
                     "kamailio_median": km, "ratio": ratio})
    crypto = []
    if a.crypto and os.path.exists(a.crypto):
        crypto = [l.rstrip() for l in open(a.crypto) if l.strip()]

    print()
    print("openser vs Kamailio on loopback (%s; REGISTER by %s; idle conns %s;"
          " fixed rate %s/s)" % (a.setup, a.handler, a.hold_n, a.hold_rate))
    print("median of the repetitions (min-max); ratio = openser / Kamailio")
    print("\n".join(lines))
    print()
    print("crypto bounds (openssl speed, 1 s each; s_time = openssl s_server"
          " new handshakes/s, 1 client; s_server+siplo = the same server,"
          " 8 siplo clients, handshake only):")
    for l in crypto:
        print("  " + l)
    bound = None
    for l in crypto:
        f = l.split()
        if len(f) == 3 and f[0] == "s_server+siplo" and f[1] == "ecdsa":
            bound = float(f[2]) or None
    hs = next((r["openser_median"] for r in rows
               if r["scenario"] == "hs_ecdsa"), None)
    if bound and hs:
        print("  openser ECDSA handshakes (+OPTIONS) = %.0f%% of the"
              " s_server+siplo bound" % (100.0 * hs / bound))

    if a.json:
        doc = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "commit": git_commit(),
            "host": {"cpus": os.cpu_count(), "cpu": cpu_model(),
                     "kernel": platform.release()},
            "quick": a.quick == "1", "register_handler": a.handler,
            "idle_connections": a.hold_n, "fixed_rate": a.hold_rate,
            "setup": a.setup, "table": rows, "crypto": crypto,
            "table_text": lines, "runs": runs,
        }
        with open(a.json, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
