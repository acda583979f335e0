"""Read-buffer exhaustion: attackers must pay, not bystanders (needs TLS).

Regression test for issue 10, item 3.  One tcp worker with a small pkg
pool (-M 3) is attacked, from other loopback addresses than the
legitimate client's, by
  - half ClientHellos (TLS connect, half a ClientHello, then silence),
  - TLS connections that complete the handshake and send one record of
    unterminated SIP headers (a partial message held open),
  - TCP connections that send a SIP request one byte per round.
A legitimate TLS client, connected before the attack, sends REGISTER and
OPTIONS between the attack steps.  It must lose nothing: every request
answered, its connection never closed (zero reconnects).  Before the fix
each partial TLS message pinned a 32 KB read buffer and the worker, out
of pkg memory, closed whichever connection next needed a buffer -- the
legitimate client among them.

Also checked: the budget evictions are logged and counted
(tcp:partial_buffer_evictions); the per-source limit
(tcp_max_unfinished_per_ip) closes a source's connections beyond the
limit with a log line and a statistic, and another source is served;
every process's pkg usage is listed (pkmem:<rank>-* and pkg_stats).
The attack is bounded (a few hundred connections, a fixed number of
rounds); nothing asserts on time.
"""

import os
import re
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import certs                                            # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Proxy, fifo_stat, daemon_env, HERE  # noqa: E402

CFG = """
debug = 3
log_stderror = yes
children = 1
tcp_children = 1
tcp_connection_lifetime = 120
%(extra)s
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
listen = tls:127.0.0.1:$PORT_T
tls_certificate = "$DIR/server-cert.pem"
tls_private_key = "$DIR/server-key.pem"
tls_ca_list = "$DIR/ca.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
tls_handshake_timeout = 60
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "mi_fifo.so"
modparam("mi_fifo", "fifo_name", "$DIR/fifo")
modparam("mi_fifo", "reply_dir", "$DIR/")

route {
    sl_send_reply("200", "OK");
}
"""

PKG_MB = "3"
HALF_HELLOS = 150
TLS_PARTIAL = 160       # x ~6 KB of headers each
TCP_DRIBBLERS = 150
DRIBBLE_ROUNDS = 6
PER_SOURCE = 10         # attack connections per source address
LIMIT = 32              # tcp_max_unfinished_per_ip here


def attacker_addr(i):
    """127.0.1.x, 127.0.2.x, ...: PER_SOURCE connections per address."""
    n = i // PER_SOURCE
    return "127.0.%d.%d" % (1 + n // 250, 1 + n % 250)


def connect_from(src, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(5)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


class Legit:
    """The bystander: one TLS connection, REGISTER/OPTIONS in turn."""

    def __init__(self, port):
        self.port = port
        self.sent = self.answered = self.reconnects = 0
        self.failures = []
        self.c = sc.TlsClient("127.0.0.1", port, timeout=10)

    def one(self, what):
        self.sent += 1
        method = "REGISTER" if self.sent % 2 else "OPTIONS"
        try:
            rsp, _ = self.c.send_request(method, "sip:legit@127.0.0.1",
                                         timeout=10)
        except (OSError, ValueError) as e:
            rsp = None
            self.c.closed = True
            self.c.error = e
        if rsp is not None and rsp.status == 200:
            self.answered += 1
            return
        self.failures.append("%s #%d %s: %s" % (method, self.sent, what,
                             "closed (%r)" % (self.c.error,)
                             if self.c.closed else "no answer"))
        if self.c.closed:
            self.reconnects += 1
            self.c.close()
            try:
                self.c = sc.TlsClient("127.0.0.1", self.port, timeout=10)
            except (OSError, ValueError) as e:
                self.failures.append("reconnect failed: %r" % (e,))

    def close(self):
        self.c.close()


def pkg_stats(proxy):
    env = dict(daemon_env(), OPENSER_FIFO=os.path.join(proxy.dir, "fifo"),
               OPENSER_REPLY_DIR=proxy.dir + "/")
    import subprocess
    ctl = os.path.join(HERE, "..", "..", "scripts", "openserctl")
    r = subprocess.run([ctl, "fifo", "get_statistics", "pkmem:"], env=env,
                       capture_output=True, text=True, timeout=20)
    return r.stdout


class Attack(unittest.TestCase):
    EXTRA = "tcp_max_unfinished_per_ip = %d" % LIMIT

    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG % {"extra": cls.EXTRA}, needs=["tls"],
                          label=cls.__name__,
                          args=["-m", "64", "-M", PKG_MB])
        d = cls.proxy.dir
        ca = certs.make_ca(d, "openser test CA", file_prefix="ca")
        certs.make_cert(ca, "proxy.test", d, san_ip=["127.0.0.1"],
                        file_prefix="server")
        cls.proxy.start(probe="A", probe_tls="T")
        cls.tls = cls.proxy.port("T")
        cls.tcp = cls.proxy.port("A")

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    def setUp(self):
        self.socks = []

    def tearDown(self):
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass

    def test_attack_leaves_legit_client_alone(self):
        since = self.proxy.log_size()
        legit = Legit(self.tls)
        self.addCleanup(legit.close)
        legit.one("before the attack")
        hello = sc.TlsBioClient("127.0.0.1", self.tls).client_hello()
        half = hello[:len(hello) // 2]
        headers = (b"INVITE sip:victim@127.0.0.1 SIP/2.0\r\n"
                   + b"".join(b"X-Pad-%d: %s\r\n" % (k, b"p" * 60)
                              for k in range(90)))   # ~6 KB, no end
        k = 0
        for i in range(HALF_HELLOS):
            try:
                s = connect_from(attacker_addr(k), self.tls)
                s.sendall(half)
                self.socks.append(s)
            except OSError:
                pass
            k += 1
            if i % 25 == 0:
                legit.one("half hellos %d" % i)
        for i in range(TLS_PARTIAL):
            try:
                raw = connect_from(attacker_addr(k), self.tls)
                c = sc.TlsClient(sock=raw, port=self.tls, timeout=5)
                c.send(headers)
                self.socks.append(c.sock)
            except (OSError, ValueError):
                pass
            k += 1
            if i % 10 == 0:
                legit.one("tls partial %d" % i)
        dribblers = []
        for i in range(TCP_DRIBBLERS):
            try:
                s = connect_from(attacker_addr(k), self.tcp)
                self.socks.append(s)
                dribblers.append(s)
            except OSError:
                pass
            k += 1
        msg = b"OPTIONS sip:dribble@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP x"
        for r in range(DRIBBLE_ROUNDS):
            for s in dribblers:
                try:
                    s.send(msg[r:r + 1])
                except OSError:
                    pass
            legit.one("dribble round %d" % r)
            time.sleep(0.2)
        for i in range(10):
            legit.one("after the attack %d" % i)
        sys.stderr.write(
            "\n[buffer exhaustion] legit: %d sent, %d answered, %d lost, "
            "%d reconnects (attack: %d half ClientHellos, %d TLS partial "
            "messages, %d TCP dribblers, -M %s)\n"
            % (legit.sent, legit.answered, legit.sent - legit.answered,
               legit.reconnects, HALF_HELLOS, TLS_PARTIAL, TCP_DRIBBLERS,
               PKG_MB))
        self.assertEqual(
            (legit.answered, legit.reconnects), (legit.sent, 0),
            "the legitimate client lost requests: %s\n%s"
            % ("; ".join(legit.failures[:10]), self.proxy.log_tail(30)))
        self.assertTrue(self.proxy.running())
        # the attackers paid: buffers were evicted, with a log line
        self.assertIsNotNone(
            self.proxy.wait_log(r"tcp_read_buffer_budget", since=since),
            "no eviction line naming tcp_read_buffer_budget\n"
            + self.proxy.log_tail(30))
        self.assertGreater(fifo_stat(self.proxy,
                                     "tcp:partial_buffer_evictions"), 0)
        out = pkg_stats(self.proxy)
        self.assertRegex(out, r"pkmem:\d+-max_used_size = \d+")

    def closed_count(self, socks, timeout=5):
        """How many of socks the proxy closed (bounded wait for each)."""
        deadline = time.monotonic() + timeout
        n = 0
        for s in socks:
            c = sc.TcpClient(sock=s, timeout=5)
            if c.wait_closed(timeout=max(0.05, deadline - time.monotonic())):
                n += 1
        return n

    def test_per_source_limit(self):
        """LIMIT unfinished messages / handshakes per source address:
        the ones beyond are closed, with a line and a statistic; another
        source is served, and the source itself again once it finishes
        (or drops) what it started."""
        since = self.proxy.log_size()
        before = fifo_stat(self.proxy, "tcp:unfinished_per_ip_refused")
        partial = []
        for i in range(LIMIT + 8):
            s = connect_from("127.0.9.9", self.tcp)
            s.sendall(b"OPTIONS sip:limit@127.0.0.1 SIP/2.0\r\nVia: x")
            partial.append(s)
            self.socks.append(s)
        self.assertGreaterEqual(self.closed_count(partial, timeout=3), 8,
                                "fewer than 8 of %d partial messages from "
                                "one source closed\n%s"
                                % (LIMIT + 8, self.proxy.log_tail(20)))
        hellos = []
        hello = sc.TlsBioClient("127.0.0.1", self.tls).client_hello()
        for i in range(LIMIT + 8):
            s = connect_from("127.0.9.10", self.tls)
            s.sendall(hello[:len(hello) // 2])
            hellos.append(s)
            self.socks.append(s)
        self.assertGreaterEqual(self.closed_count(hellos, timeout=3), 8,
                                "fewer than 8 of %d half handshakes from "
                                "one source closed\n%s"
                                % (LIMIT + 8, self.proxy.log_tail(20)))
        line = self.proxy.wait_log(r"tcp_max_unfinished_per_ip \(%d\)"
                                   % LIMIT, since=since)
        self.assertIsNotNone(line, "no line naming tcp_max_unfinished_"
                             "per_ip\n" + self.proxy.log_since(since))
        self.assertGreaterEqual(
            fifo_stat(self.proxy, "tcp:unfinished_per_ip_refused") - before,
            16)
        # others are served; the source is again once its partial
        # messages are gone
        with sc.TlsClient("127.0.0.1", self.tls, timeout=5) as c:
            rsp, _ = c.send_request("OPTIONS", "sip:other@127.0.0.1")
            self.assertIsNotNone(rsp)
        for s in partial:
            s.close()
        ok = False
        for _ in range(50):
            s = connect_from("127.0.9.9", self.tcp)
            c = sc.TcpClient(sock=s, timeout=5)
            try:
                rsp, _ = c.send_request("OPTIONS", "sip:again@127.0.0.1",
                                        timeout=2)
            except OSError:
                rsp = None
            c.close()
            if rsp is not None and rsp.status == 200:
                ok = True
                break
            time.sleep(0.1)
        self.assertTrue(ok, "the source is not served again after closing "
                        "its partial messages\n" + self.proxy.log_tail(20))

    def test_pkg_stats_of_every_process(self):
        """pkg_stats (openserctl pkg) and pkmem:<ID>-* list every process
        of ps, the tcp worker with its own (non-zero) usage."""
        ctl = os.path.join(HERE, "..", "..", "scripts", "openserctl")
        env = dict(daemon_env(),
                   OPENSER_FIFO=os.path.join(self.proxy.dir, "fifo"),
                   OPENSER_REPLY_DIR=self.proxy.dir + "/")
        import subprocess
        ps = subprocess.run([ctl, "ps"], env=env, capture_output=True,
                            text=True, timeout=20).stdout
        pkg = subprocess.run([ctl, "pkg"], env=env, capture_output=True,
                             text=True, timeout=20).stdout
        ids = re.findall(r"ID=(\d+) PID=(\d+)", ps)
        self.assertGreater(len(ids), 3, ps)
        self.assertEqual(re.findall(r"ID=(\d+) PID=(\d+)", pkg), ids,
                         "ps:\n%s\npkg:\n%s" % (ps, pkg))
        worker = [l for l in pkg.splitlines() if "tcp worker" in l]
        self.assertEqual(len(worker), 1, pkg)
        used = int(re.search(r" used=(\d+)", worker[0]).group(1))
        total = int(re.search(r"total=(\d+)", worker[0]).group(1))
        self.assertGreater(used, 0, worker[0])
        self.assertEqual(total, int(PKG_MB) << 20, worker[0])
        stats = pkg_stats(self.proxy)
        for i, _ in ids:
            self.assertRegex(stats, r"pkmem:%s-max_used_size = \d+" % i)


if __name__ == "__main__":
    unittest.main(verbosity=2)
