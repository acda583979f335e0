"""Start and stop the real openser daemon for end-to-end tests.

    proxy = Proxy(CFG, needs=["ipv6"])   # skips (unittest.SkipTest) if unmet
    proxy.start()                        # openser -f cfg -D -E -m 64 -M 8
    proxy.port("A")                      # the port $PORT_A stands for
    proxy.stop()                         # SIGTERM; exit 0 within 5 s; clean log

Placeholders in the config text:
    $PORT_<name>   a free port on 127.0.0.1 (UDP and TCP, and on ::1 when
                   IPv6 works), one per name, the same for UDP and TCP
    $DIR           a temporary directory for this Proxy (log, cfg, ...)
    $MODULES       the module directory (OPENSER_MODULES)

TLS: Proxy(cfg, needs=["tls"]) skips unless `openser -V` says "TLS: yes";
proxy.dir exists as soon as the Proxy is built, so a test writes its
certificates there (test/lib/certs.py) before start(); probe_tls="T"
waits for an OPTIONS over TLS to $PORT_T to be answered.

Environment:
    OPENSER_BIN      the binary (default build/asan/openser)
    OPENSER_MODULES  the module directory (default build/asan/modules)
    OPENSER_KEEP=1   keep the temporary directories even on success

Rules (STYLE.md 3.9): the daemon runs in the foreground (-D) with its log on
stderr (-E) captured to $DIR/openser.log; teardown sends SIGTERM to the PID
we started, requires exit status 0 within 5 s, and fails on any CRIT, ALERT,
BUG, Sanitizer or "runtime error" line in the log.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TMP_ROOT = os.path.join(ROOT, "test", "e2e", "tmp")

BAD_LOG = re.compile(r"\b(CRIT|ALERT|BUG)\b|Sanitizer|runtime error")
STOP_TIMEOUT = 5.0
START_TIMEOUT = 20.0

SAN_ENV = {
    "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0",
    "UBSAN_OPTIONS": "print_stacktrace=1",
}

_used_ports = set()


def binary():
    return os.path.abspath(os.environ.get(
        "OPENSER_BIN", os.path.join(ROOT, "build", "asan", "openser")))


def modules_dir():
    return os.path.abspath(os.environ.get(
        "OPENSER_MODULES", os.path.join(ROOT, "build", "asan", "modules")))


def daemon_env():
    env = dict(os.environ)
    for k, v in SAN_ENV.items():
        env.setdefault(k, v)
    return env


def ipv6_ok():
    """True if ::1 can be bound (UDP and TCP)."""
    if not socket.has_ipv6:
        return False
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        try:
            s = socket.socket(socket.AF_INET6, kind)
        except OSError:
            return False
        try:
            s.bind(("::1", 0))
        except OSError:
            return False
        finally:
            s.close()
    return True


def _port_free(port, v6):
    hosts = [("127.0.0.1", socket.AF_INET)]
    if v6:
        hosts.append(("::1", socket.AF_INET6))
    for host, fam in hosts:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(fam, kind)
            try:
                s.bind((host, port))
            except OSError:
                return False
            finally:
                s.close()
    return True


def free_port(max_tries=200):
    """A port free for UDP and TCP on 127.0.0.1 (and ::1 if usable), not
    handed out before in this process."""
    v6 = ipv6_ok()
    for _ in range(max_tries):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port in _used_ports or port < 1024:
            continue
        if _port_free(port, v6):
            _used_ports.add(port)
            return port
    raise RuntimeError("no free port found in %d tries" % max_tries)


def have(need):
    """(ok, reason) for one declared need."""
    if need == "sipp":
        return shutil.which("sipp") is not None, "sipp is not installed"
    if need == "ipv6":
        return ipv6_ok(), "::1 is not bindable"
    if need == "tls":
        try:
            out = subprocess.run([binary(), "-V"], capture_output=True,
                                 timeout=10, env=daemon_env())
        except (OSError, subprocess.TimeoutExpired):
            return False, "cannot run openser -V"
        text = (out.stdout + out.stderr).decode("utf-8", "replace")
        why = "openser built without TLS (make BUILD=asan TLS=1)"
        if "TLS: yes" in text:
            return True, why
        if "TLS: no" in text:
            return False, why
        return ("USE_TLS" in text or "-tls" in text), why
    if need.startswith("module:"):
        m = need.split(":", 1)[1]
        return (os.path.exists(os.path.join(modules_dir(), m + ".so")),
                "module %s not built" % m)
    raise ValueError("unknown need %r" % need)


def require(needs):
    """Raise unittest.SkipTest if a declared need is missing."""
    for n in needs or []:
        ok, why = have(n)
        if not ok:
            raise unittest.SkipTest("needs %s: %s" % (n, why))


def make_dir(label):
    os.makedirs(TMP_ROOT, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", label)[:40]
    try:
        return tempfile.mkdtemp(prefix=safe + "-", dir=TMP_ROOT)
    except OSError:
        return tempfile.mkdtemp(prefix="openser-" + safe + "-")


class Ports:
    """Name -> port, shared by the placeholders and the test."""

    def __init__(self):
        self.map = {}

    def __call__(self, name):
        if name not in self.map:
            self.map[name] = free_port()
        return self.map[name]


def substitute(text, ports, tmpdir):
    text = re.sub(r"\$PORT_([A-Za-z0-9_]+)",
                  lambda m: str(ports(m.group(1))), text)
    text = text.replace("$MODULES", modules_dir())
    text = text.replace("$DIR", tmpdir)
    return text


_LISTEN = re.compile(
    r"^\s*listen\s*=\s*\"?(?:(udp|tcp|tls|sctp):)?(\[[0-9a-fA-F:.]+\]|[^\s:\"]+)"
    r"(?::(\d+))?\"?", re.M | re.I)


def listens(cfg):
    """[(proto, host, port)] from the listen lines of a substituted cfg.
    A listen without proto means UDP and TCP."""
    out = []
    for m in _LISTEN.finditer(cfg):
        proto = (m.group(1) or "").lower()
        host = m.group(2).strip("[]")
        port = int(m.group(3) or 5060)
        protos = [proto] if proto else ["udp", "tcp"]
        for p in protos:
            out.append((p, host, port))
    return out


def udp_bound(host, port):
    """True if someone holds host:port/udp (our bind fails)."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                      socket.SOCK_DGRAM)
    try:
        s.bind((host, port))
        return False
    except OSError:
        return True
    finally:
        s.close()


def port_bound(host, port, kind="udp"):
    """True if someone holds host:port for kind ("udp" or "tcp"): our bind
    (without SO_REUSEADDR) fails.  Does not connect, so the owner sees
    nothing."""
    if kind == "udp":
        return udp_bound(host, port)
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                      socket.SOCK_STREAM)
    try:
        s.bind((host, port))
        return False
    except OSError:
        return True
    finally:
        s.close()


def wait_bound(host, port, kind="udp", timeout=10.0):
    """Wait (bounded) until host:port/kind is bound by someone."""
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / 0.05) + 1):
        if port_bound(host, port, kind):
            return True
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return False


def tcp_accepts(host, port):
    try:
        s = socket.create_connection((host, port), timeout=0.5)
    except OSError:
        return False
    s.close()
    return True


def scan_log(text):
    """Lines that fail a test: CRIT/ALERT/BUG/Sanitizer/runtime error."""
    return [l for l in text.splitlines() if BAD_LOG.search(l)]


class Proxy:
    """One openser daemon built from an inline config."""

    def __init__(self, cfg_text, needs=None, label=None, args=None,
                 ports=None):
        require(needs)
        self.bin = binary()
        if not os.path.exists(self.bin):
            raise AssertionError("openser binary not found: %s (set "
                                 "OPENSER_BIN or run make BUILD=asan)"
                                 % self.bin)
        self.ports = ports or Ports()
        self.dir = make_dir(label or "proxy")
        self.cfg = substitute(cfg_text, self.ports, self.dir)
        self.cfg_path = os.path.join(self.dir, "openser.cfg")
        with open(self.cfg_path, "w") as f:
            f.write(self.cfg)
        self.log_path = os.path.join(self.dir, "openser.log")
        self.args = list(args) if args else ["-m", "64", "-M", "8"]
        self.proc = None
        self.logf = None
        self.exit_code = None
        self.stop_problems = []

    # -- placeholders ------------------------------------------------------
    def port(self, name):
        return self.ports(name)

    def listens(self):
        return listens(self.cfg)

    def command(self):
        return [self.bin, "-f", self.cfg_path, "-D", "-E"] + self.args

    # -- life cycle --------------------------------------------------------
    def start(self, timeout=START_TIMEOUT, wait=True, probe=None,
              probe_tls=None, tls_context=None, peers=()):
        """Start the daemon and wait until it is up (wait=True).  With
        probe="A", also wait until an OPTIONS to $PORT_A over UDP is
        answered (for configs that answer it); probe_tls="T" does the same
        over TLS to $PORT_T (with tls_context, an ssl.SSLContext, or a
        client context that verifies nothing and sends no certificate).
        peers: already started test peers (next hops, UAs; anything with
        stop()) that are stopped when the daemon does not come up."""
        try:
            return self._start(timeout, wait, probe, probe_tls, tls_context)
        except BaseException:
            for p in peers:
                p.stop()
            raise

    def _start(self, timeout, wait, probe, probe_tls, tls_context):
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=self.logf,
            stderr=subprocess.STDOUT, cwd=self.dir, env=daemon_env(),
            start_new_session=True)
        if wait:
            self.wait_ready(timeout)
        if probe:
            try:
                self.probe(probe)
            except AssertionError:
                self.kill()
                raise
        if probe_tls:
            try:
                self.probe_tls(probe_tls, context=tls_context)
            except AssertionError:
                self.kill()
                raise
        return self

    def wait_ready(self, timeout=START_TIMEOUT):
        """Up = every listen socket is bound (UDP, TLS) / accepts (TCP) and
        the daemon is still running, with a bounded deadline.  TLS sockets
        are only checked for being bound: a bare connect would show in the
        log as a failed handshake."""
        todo = [l for l in self.listens() if l[0] in ("udp", "tcp", "tls")]
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.05) + 10):
            if self.proc.poll() is not None:
                raise AssertionError(
                    "openser exited with %s during start-up\n%s"
                    % (self.proc.returncode, self.log_tail()))
            todo = [l for l in todo if not (
                udp_bound(l[1], l[2]) if l[0] == "udp"
                else port_bound(l[1], l[2], "tcp") if l[0] == "tls"
                else tcp_accepts(l[1], l[2]))]
            if not todo:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if todo:
            self.kill()
            raise AssertionError("openser not up within %ss; not listening "
                                 "on %s\n%s" % (timeout, todo,
                                                self.log_tail()))
        # children fork after the sockets are bound; give them a moment and
        # make sure start-up did not fail right after binding
        time.sleep(0.3)
        if self.proc.poll() is not None:
            raise AssertionError("openser exited with %s during start-up\n%s"
                                 % (self.proc.returncode, self.log_tail()))
        return self

    def probe(self, port_name="A", host="127.0.0.1", uri=None,
              timeout=10.0):
        """Send OPTIONS over UDP every 0.5 s until something answers
        (for configs that answer it, with sl or by forwarding); raises
        AssertionError with the log tail if nothing does in time."""
        import sipclient as sc
        port = self.port(port_name)
        uri = uri or "sip:probe@%s:%d" % (sc.via_host(host), port)
        deadline = time.monotonic() + timeout
        with sc.UdpSocket(host) as u:
            for _ in range(int(timeout / 0.5) + 1):
                resp, _ = u.send_request((host, port), "OPTIONS", uri,
                                         timeout=0.5)
                if resp is not None:
                    return resp
                if time.monotonic() > deadline or not self.running():
                    break
        raise AssertionError("no answer to OPTIONS %s on %s:%d within %ss\n%s"
                             % (uri, host, port, timeout, self.log_tail()))

    def probe_tls(self, port_name="T", host="127.0.0.1", uri=None,
                  context=None, timeout=10.0):
        """Like probe(), over TLS: connect, handshake and send OPTIONS every
        0.5 s until one is answered.  Returns the response."""
        import sipclient as sc
        port = self.port(port_name)
        uri = uri or "sip:probe@%s:%d;transport=tls" % (sc.via_host(host),
                                                       port)
        deadline = time.monotonic() + timeout
        errors = []
        for _ in range(int(timeout / 0.5) + 1):
            try:
                with sc.TlsClient(host, port, timeout=2.0,
                                  context=context) as c:
                    resp, _ = c.send_request("OPTIONS", uri, timeout=2.0)
                if resp is not None:
                    return resp
                errors.append("no answer")
            except OSError as e:
                errors.append(repr(e))
            if time.monotonic() > deadline or not self.running():
                break
            time.sleep(0.5)
        raise AssertionError("no answer to OPTIONS %s over TLS on %s:%d "
                             "within %ss (%s)\n%s"
                             % (uri, host, port, timeout, errors[-3:],
                                self.log_tail()))

    def wait_exit(self, timeout=15.0):
        """For configs that must not start: wait (bounded) for the daemon
        to exit; returns the exit status, or None if it is still running
        (then it is killed)."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def wait_log(self, pattern, timeout=5.0, regex=True, since=0):
        """Wait (bounded) until the log from offset since matches pattern;
        returns the match text (the whole line) or None."""
        rx = re.compile(pattern if regex else re.escape(pattern), re.M)
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.05) + 2):
            try:
                text = self.log_since(since)
            except OSError:
                text = ""
            m = rx.search(text)
            if m:
                a = text.rfind("\n", 0, m.start()) + 1
                b = text.find("\n", m.end())
                return text[a:b if b >= 0 else len(text)]
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        return None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """Last resort: SIGKILL the process group of the daemon we started."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass

    def _group_alive(self):
        try:
            os.killpg(self.proc.pid, 0)
            return True
        except (ProcessLookupError, PermissionError):
            return False

    def stop(self, check=True):
        """SIGTERM; require exit 0 within 5 s, no leftover children and a
        clean log.  Raises AssertionError listing every problem."""
        problems = []
        if self.proc is None:
            return
        if self.proc.poll() is not None:
            problems.append("openser was not running at stop (exit %s)"
                            % self.proc.returncode)
        else:
            t0 = time.monotonic()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                problems.append("openser did not exit within %ss of SIGTERM"
                                % STOP_TIMEOUT)
            self.stop_time = time.monotonic() - t0
        # children of the attendant must be gone too (bounded wait)
        for _ in range(40):
            if not self._group_alive():
                break
            time.sleep(0.05)
        else:
            problems.append("openser processes still running after the "
                            "attendant exited")
        self.kill()
        self.exit_code = self.proc.returncode
        if self.exit_code not in (0, None) and not problems:
            problems.append("openser exit status %s (want 0)"
                            % self.exit_code)
        elif self.exit_code is None:
            problems.append("openser exit status unknown")
        if self.logf:
            self.logf.close()
            self.logf = None
        bad = scan_log(self.log())
        if bad:
            problems.append("log has %d bad line(s):\n  %s" % (
                len(bad), "\n  ".join(bad[:20])))
        self.stop_problems = problems
        keep = os.environ.get("OPENSER_KEEP") == "1" or problems
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        if check and problems:
            raise AssertionError("openser stop: %s\nlog: %s\n%s" % (
                "; ".join(problems), self.log_path, self.log_tail()))

    # -- log ---------------------------------------------------------------
    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_contains(self, pattern, regex=False):
        text = self.log()
        if regex:
            return re.search(pattern, text, re.M) is not None
        return pattern in text

    def log_size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def log_since(self, offset):
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    def log_tail(self, n=40):
        lines = self.log().splitlines()
        return "--- last %d log lines (%s) ---\n%s" % (
            min(n, len(lines)), self.log_path, "\n".join(lines[-n:]))

    def assert_log_clean(self):
        bad = scan_log(self.log())
        if bad:
            raise AssertionError("bad log lines:\n  " + "\n  ".join(bad[:20]))

    def __enter__(self):
        return self.start()

    def __exit__(self, *a):
        self.stop()


def check_config(text, args=None, ports=None, label="check", timeout=30):
    """Write text (placeholders substituted) to a temp file and run
    `openser -c -f file`.  Returns (rc, stdout, stderr)."""
    rc, out, err, path = check_config_file(text, args, ports, label, timeout)
    if os.environ.get("OPENSER_KEEP") != "1":
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)
    return rc, out, err


def check_config_file(text, args=None, ports=None, label="check",
                      timeout=30):
    """Like check_config, but also returns the config path:
    (rc, stdout, stderr, cfg_path)."""
    ports = ports or Ports()
    d = make_dir(label)
    cfg = substitute(text, ports, d)
    path = os.path.join(d, "openser.cfg")
    with open(path, "w") as f:
        f.write(cfg)
    r = run_openser(["-c", "-f", path] + list(args or []), cwd=d,
                    timeout=timeout)
    return r.returncode, r.stdout, r.stderr, path


def run_openser(args, cwd=None, timeout=30):
    """Run the binary with args; stdout/stderr as text."""
    return subprocess.run([binary()] + list(args), capture_output=True,
                          text=True, errors="replace", cwd=cwd,
                          timeout=timeout, env=daemon_env(),
                          stdin=subprocess.DEVNULL)


def fifo_stat(proxy, name, timeout=20):
    """Counter <name> ("group:name") of a running proxy, read with
    openserctl over its management FIFO; the config must load mi_fifo with
    fifo_name "$DIR/fifo" and reply_dir "$DIR/"."""
    env = dict(daemon_env(), OPENSER_FIFO=os.path.join(proxy.dir, "fifo"),
               OPENSER_REPLY_DIR=proxy.dir + "/")
    ctl = os.path.join(HERE, "..", "..", "scripts", "openserctl")
    r = subprocess.run([ctl, "fifo", "get_statistics", name], env=env,
                       capture_output=True, text=True, timeout=timeout)
    for line in r.stdout.splitlines():
        k, _, v = line.partition("=")
        if k.strip() == name:
            return int(v)
    raise AssertionError("no %s in openserctl output: %r %r"
                         % (name, r.stdout, r.stderr))


class ProxyTestCase(unittest.TestCase):
    """Base class: CFG (class attribute) is started once per class."""

    CFG = None
    NEEDS = []

    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(cls.CFG, needs=cls.NEEDS, label=cls.__name__)
        cls.proxy.start()

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
