"""Helpers for the database tests: a location/usrloc config, a SQLite
database made by scripts/openserdbctl, and an MI FIFO client that keeps
bytes (NUL included)."""

import os
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DBCTL = os.path.join(ROOT, "scripts", "openserdbctl")

# $DBMODULE $DBURL $DBMODE $EXTRA are filled by location_cfg()
LOCATION_CFG = """
debug = 3
log_stderror = yes
children = 2
tcp_children = 2
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
$TLS_LISTEN
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "$DBMODULE"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "mi_fifo.so"
modparam("mi_fifo", "fifo_name", "$DIR/fifo")
modparam("mi_fifo", "reply_dir", "$DIR/")
modparam("usrloc", "db_mode", $DBMODE)
modparam("usrloc", "db_url", "$DBURL")
modparam("usrloc", "timer_interval", 1)
$EXTRA

route {
    if (method == "REGISTER") {
        save("location");
        exit;
    }
    if (!lookup("location")) {
        sl_send_reply("404", "Not Found");
        exit;
    }
    forward();
}
"""

TLS_LISTEN = """listen = tls:127.0.0.1:$PORT_T
tls_certificate = "$DIR/server-cert.pem"
tls_private_key = "$DIR/server-key.pem"
tls_ca_list = "$DIR/ca.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
tls_verify_server = 1
"""


def location_cfg(dburl, mode, module="db_sqlite.so", tls=False, extra=""):
    return (LOCATION_CFG.replace("$DBMODULE", module)
            .replace("$DBURL", dburl).replace("$DBMODE", str(mode))
            .replace("$EXTRA", extra)
            .replace("$TLS_LISTEN", TLS_LISTEN if tls else ""))


def restart(proxy, cfg, needs, label):
    """Stop <proxy> and start a new one with <cfg> on the same ports (the
    bindings must come back from the database).  Returns the new Proxy."""
    from harness import Proxy
    proxy.stop()
    new = Proxy(cfg, needs=needs, ports=proxy.ports, label=label)
    new.start(probe="A")
    return new


def dbctl(args, env, check=True, timeout=60):
    """Run scripts/openserdbctl with <env> added; CompletedProcess."""
    e = dict(os.environ)
    e.update(env)
    e["OPENSERCTL_ASSUME_YES"] = "1"
    e["ETCDIR"] = "/nonexistent"
    r = subprocess.run([DBCTL] + list(args), env=e, capture_output=True,
                       text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError("openserdbctl %s failed: %s %s"
                             % (" ".join(args), r.stdout, r.stderr))
    return r


def sqlite_create(path):
    """A new openser SQLite database at <path>; its db_url."""
    dbctl(["create"], {"DBENGINE": "SQLITE", "DB_PATH": path})
    return "sqlite://" + path


def mi(dir, *args, timeout=5.0):
    """(status line, body bytes) of one MI command over $DIR/fifo.
    Arguments are str or bytes (bytes may hold NUL)."""
    name = "reply_%d_%d" % (os.getpid(), int(time.monotonic() * 1e6))
    path = os.path.join(dir, name)
    fifo = os.path.join(dir, "fifo")
    for _ in range(100):
        if os.path.exists(fifo):
            break
        time.sleep(0.1)
    os.mkfifo(path)
    data = b""
    try:
        req = b":" + args[0].encode() + b":" + name.encode() + b"\n"
        for a in args[1:]:
            req += (a if isinstance(a, bytes) else a.encode()) + b"\n"
        req += b"\n"
        rfd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            with open(fifo, "wb") as f:
                f.write(req)
            deadline = time.monotonic() + timeout
            for _ in range(int(timeout / 0.02) + 1):
                if time.monotonic() > deadline:
                    break
                try:
                    d = os.read(rfd, 65536)
                except BlockingIOError:
                    d = None
                if d:
                    data += d
                    if data.endswith(b"\n\n"):
                        break
                else:
                    time.sleep(0.02)
        finally:
            os.close(rfd)
    finally:
        os.unlink(path)
    status, _, body = data.partition(b"\n")
    return status.decode(errors="replace"), body


def wait_for(pred, timeout=10.0, step=0.1):
    """Poll pred() (bounded in count and time); its last value."""
    deadline = time.monotonic() + timeout
    v = None
    for _ in range(int(timeout / step) + 1):
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)
    return v
