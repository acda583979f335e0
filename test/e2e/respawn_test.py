"""A process that dies is replaced; the others keep serving (issue 10
item 2).  kill -9 of each kind of process, found by role with the MI "ps"
command:

- tcp worker: exactly the TCP/TLS clients it owned lose their connection;
  the clients on the other workers keep theirs and get answers; UDP is
  answered; registrations (usrloc, in shm) survive and lookup() finds
  them; the dropped client reconnects and is served; new connections go to
  the replacement, whose channel works for other processes (a UDP caller's
  INVITE reaches a phone registered over a connection it owns); MI works;
  core:respawns_tcp_worker and tcp:dropped_dead_worker count it
- udp receiver, tcp main, timer (the replacement runs usrloc expiry) and
  the MI FIFO process: replaced (new PID in ps, counter 1), service goes on
- crash loop: more than respawn_limit deaths of one kind within
  respawn_window -> CRIT line, clean shutdown, exit status 1, no process
  left
- respawn_limit = 0: the first death shuts the server down (1.x behaviour)
- the attendant killed: every child stops (SIGTERM on parent death)
"""

import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import certs                                            # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Proxy, have                         # noqa: E402
from mgmt_fifo_test import Fifo                         # noqa: E402

TLS = have("tls")[0]

CFG = """
debug = 3
log_stderror = yes
children = 2
tcp_children = 3
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
$TLS_LISTEN
$EXTRA
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "mi_fifo.so"
modparam("mi_fifo", "fifo_name", "$DIR/fifo")
modparam("mi_fifo", "fifo_mode", 0600)
modparam("mi_fifo", "reply_dir", "$DIR/")
modparam("usrloc", "timer_interval", 1)
modparam("registrar", "min_expires", 0)

route {
    if (method == "REGISTER") {
        save("location");
        exit;
    }
    if (method == "MESSAGE") {
        if (lookup("location")) {
            sl_send_reply("200", "Found");
        } else {
            sl_send_reply("404", "Not Found");
        }
        exit;
    }
    if (method == "INVITE") {
        if (!lookup("location")) {
            sl_send_reply("404", "Not Found");
            exit;
        }
        t_relay();
        exit;
    }
    sl_send_reply("200", "OK");
}
"""

TLS_CFG = """listen = tls:127.0.0.1:$PORT_T
tls_certificate = "$DIR/server-cert.pem"
tls_private_key = "$DIR/server-key.pem"
tls_ca_list = "$DIR/ca.pem"
tls_verify_client = 0
tls_require_client_certificate = 0"""

BOUND = 200     # polls of 50 ms: bounded waits, never asserted as time


def config(extra=""):
    return CFG.replace("$TLS_LISTEN", TLS_CFG if TLS else "").replace(
        "$EXTRA", extra)


class Respawn(unittest.TestCase):
    EXTRA = ""

    def setUp(self):
        self.proxy = Proxy(config(self.EXTRA), label=type(self).__name__)
        d = self.proxy.dir
        if TLS:
            self.ca = certs.make_ca(d, "respawn CA", file_prefix="ca")
            certs.make_cert(self.ca, "proxy.test", d, san_ip=["127.0.0.1"],
                            file_prefix="server")
        self.proxy.start(probe="A")
        self.addCleanup(self.stop_proxy)
        self.paddr = ("127.0.0.1", self.proxy.port("A"))
        path = os.path.join(d, "fifo")
        for _ in range(BOUND):
            if os.path.exists(path):
                break
            time.sleep(0.05)
        self.fifo = Fifo(path, d)
        # every process is up when ps lists them all
        self.pids = self.wait_ps(lambda ps: len(ps) >= 9)

    def stop_proxy(self):
        self.proxy.stop(check=self.proxy.running())

    # -- helpers -----------------------------------------------------------
    def ps(self):
        """{type: pid} from the MI ps command, or None if MI is down."""
        try:
            status, body = self.fifo.call("ps", timeout=3)
        except (AssertionError, OSError):
            return None
        if not status.startswith("200"):
            return None
        out = {}
        for line in body:
            f = line.split("Type=", 1)
            pid = [w for w in f[0].split() if w.startswith("PID=")]
            if len(f) == 2 and pid:
                out[f[1].strip()] = int(pid[0][4:])
        return out

    def wait_ps(self, pred):
        for _ in range(BOUND):
            ps = self.ps()
            if ps is not None and pred(ps):
                return ps
            time.sleep(0.05)
        self.fail("ps never showed the expected processes: %r\n%s"
                  % (self.ps(), self.proxy.log_tail()))

    def stat(self, name):
        status, body = self.fifo.call("get_statistics", name)
        self.assertTrue(status.startswith("200"), status)
        for line in body:
            k, _, v = line.partition(" = ")
            if k == name:
                return int(v)
        self.fail("no %s in %r" % (name, body))

    def kill_and_wait(self, kind):
        """SIGKILL the process of type <kind>; wait for its replacement in
        ps; returns (old pid, new pid)."""
        old = self.pids[kind]
        os.kill(old, signal.SIGKILL)
        ps = self.wait_ps(lambda p: p.get(kind) not in (None, old))
        self.assertTrue(self.proxy.running(), self.proxy.log_tail())
        self.pids = ps
        return old, ps[kind]

    def me(self, user):
        return "sip:%s@127.0.0.1:%d" % (user, self.paddr[1])

    def register(self, user, client=None, contact=None, expires=300):
        hdrs = [("Contact", "<%s>" % (contact or
                                      "sip:%s@127.0.0.1:9" % user)),
                ("Expires", str(expires))]
        if client is None:
            with sc.UdpSocket() as u:
                rsp, _ = u.send_request(self.paddr, "REGISTER",
                                        "sip:127.0.0.1:%d" % self.paddr[1],
                                        from_uri=self.me(user),
                                        to_uri=self.me(user), headers=hdrs)
        else:
            rsp = client.transact(client.make_request(
                "REGISTER", "sip:127.0.0.1:%d" % self.paddr[1],
                from_uri=self.me(user), to_uri=self.me(user), headers=hdrs))
        self.assertIsNotNone(rsp, "no reply to REGISTER")
        self.assertEqual(rsp.status, 200)

    def udp_status(self, uri, method="OPTIONS"):
        with sc.UdpSocket() as u:
            rsp, _ = u.send_request(self.paddr, method, uri)
        return rsp.status if rsp is not None else None

    def lookup_status(self, user):
        """lookup() of AoR <user>: the route answers a MESSAGE 200 when
        the AoR is registered, 404 when not."""
        return self.udp_status(self.me(user), "MESSAGE")

    def tcp_client(self):
        c = sc.TcpClient(*self.paddr)
        self.addCleanup(c.close)
        rsp, _ = c.send_request("OPTIONS", self.me("hello"))
        self.assertIsNotNone(rsp)
        self.assertEqual(rsp.status, 200)
        return c

    def tls_client(self):
        c = sc.TlsClient("127.0.0.1", self.proxy.port("T"), ca=self.ca.cert)
        self.addCleanup(c.close)
        rsp, _ = c.send_request("OPTIONS", self.me("hello"))
        self.assertIsNotNone(rsp)
        self.assertEqual(rsp.status, 200)
        return c

    def answered(self, c):
        """1 when client <c> still gets an answer on its connection, 0 when
        its connection was closed."""
        try:
            rsp, _ = c.send_request("OPTIONS", self.me("again"), timeout=5)
        except Exception:   # the closed connection: reset, EOF, ...
            return 0
        return 1 if rsp is not None and rsp.status == 200 else 0

    def service_goes_on(self):
        self.assertEqual(self.udp_status(self.me("any")), 200)
        self.assertEqual(self.lookup_status("alice"), 200,
                         "registration lost")
        self.assertEqual(self.lookup_status("nobody"), 404)
        self.assertIsNotNone(self.ps(), "MI does not answer")

    # -- tests -------------------------------------------------------------
    def test_tcp_worker(self):
        self.register("alice")
        # one client per worker, in order: least loaded = w0, w1, w2, w0..
        tcp = [self.tcp_client() for _ in range(3)]
        tls = [self.tls_client() for _ in range(3)] if TLS else []
        self.register("bob", client=tcp[1], contact="sip:bob@127.0.0.1:9")
        self.assertEqual(self.stat("tcp:open_connections"),
                         len(tcp) + len(tls))
        self.kill_and_wait("tcp worker 0")

        alive = [self.answered(c) for c in tcp + tls]
        want = [0, 1, 1] + ([0, 1, 1] if TLS else [])
        self.assertEqual(alive, want, "exactly worker 0's clients lose "
                         "their connection\n" + self.proxy.log_tail())
        self.assertEqual(self.stat("core:respawns_tcp_worker"), 1)
        self.assertEqual(self.stat("tcp:dropped_dead_worker"),
                         2 if TLS else 1)
        self.service_goes_on()
        self.assertEqual(self.lookup_status("bob"), 200)

        # the dropped client reconnects: new connections go to the least
        # loaded worker, the replacement, and are served
        again = self.tcp_client()
        self.assertEqual(self.answered(again), 1)
        if TLS:
            self.assertEqual(self.answered(self.tls_client()), 1)

        # a phone on the replacement's connection is reached from a UDP
        # caller: the replacement's channel works for other processes
        phone = self.tcp_client() if TLS else again
        self.register("carol", client=phone,
                      contact="sip:carol@127.0.0.1:9")
        with sc.UdpSocket() as caller:
            inv = caller.make_request("INVITE", self.me("carol"),
                                      from_uri=self.me("dave"))
            caller.sendto(inv, self.paddr)
            got = phone.recv(5)
            self.assertIsNotNone(got, "INVITE did not reach the phone")
            self.assertEqual(got.method, "INVITE")
            phone.send(sc.response(got, 200, "OK", to_tag="p1"))
            codes = []
            for _ in range(10):
                msg, _, _ = caller.recv(3)
                if msg is None:
                    break
                if not msg.is_request:
                    codes.append(msg.status)
                if 200 in codes:
                    break
            self.assertIn(200, codes, "200 not relayed to the caller")
        self.assertTrue(self.proxy.log_contains(
            "(tcp worker 0) was killed by signal 9"))

    def test_udp_receiver(self):
        self.register("alice")
        c = self.tcp_client()
        old, new = self.kill_and_wait("udp receiver 0")
        self.assertNotEqual(old, new)
        # both receivers serve again: every datagram is answered
        for i in range(20):
            self.assertEqual(self.udp_status(self.me("u%d" % i)), 200)
        self.service_goes_on()
        self.assertEqual(self.answered(c), 1)
        self.assertEqual(self.stat("core:respawns_udp_receiver"), 1)
        self.assertEqual(self.stat("core:respawns_tcp_worker"), 0)

    def test_tcp_main(self):
        self.register("alice")
        clients = [self.tcp_client() for _ in range(3)]
        self.kill_and_wait("tcp main 0")
        # connections live on the workers: all keep being served
        self.assertEqual([self.answered(c) for c in clients], [1, 1, 1])
        # the replacement accepts on the same listen sockets and hands to
        # the same workers
        fresh = [self.tcp_client() for _ in range(3)]
        self.assertEqual([self.answered(c) for c in fresh], [1, 1, 1])
        if TLS:
            self.assertEqual(self.answered(self.tls_client()), 1)
        self.service_goes_on()
        self.assertEqual(self.stat("core:respawns_tcp_main"), 1)
        self.assertEqual(self.stat("tcp:open_connections"),
                         7 if TLS else 6)

    def test_timer(self):
        self.register("alice")
        self.kill_and_wait("timer 0")
        self.service_goes_on()
        # the replacement runs usrloc's expiry
        before = self.stat("usrloc:location-expires")
        self.register("eve", expires=1)
        for _ in range(BOUND):
            if self.stat("usrloc:location-expires") > before:
                break
            time.sleep(0.05)
        self.assertGreater(self.stat("usrloc:location-expires"), before,
                           "no expiry run after the timer was replaced")
        self.assertEqual(self.lookup_status("eve"), 404)
        self.assertEqual(self.lookup_status("alice"), 200)
        self.assertEqual(self.stat("core:respawns_timer"), 1)

    def test_mi_fifo_process(self):
        self.register("alice")
        old, new = self.kill_and_wait("module process 0")
        self.assertNotEqual(old, new)
        self.service_goes_on()
        self.assertEqual(self.stat("core:respawns_module_process"), 1)


class CrashLoop(Respawn):
    EXTRA = "respawn_limit = 2\nrespawn_window = 3600"

    def test_crash_loop_shuts_down(self):
        self.register("alice")
        for _ in range(2):
            self.kill_and_wait("udp receiver 0")
            self.assertEqual(self.udp_status(self.me("x")), 200)
        self.assertEqual(self.stat("core:respawns_udp_receiver"), 2)
        pids = list(self.pids.values())
        os.kill(self.pids["udp receiver 0"], signal.SIGKILL)
        rc = self.proxy.wait_exit(20)
        self.assertEqual(rc, 1, self.proxy.log_tail())
        self.assertTrue(self.proxy.log_contains(
            "3 deaths of a udp receiver in"), self.proxy.log_tail())
        self.assertTrue(self.proxy.log_contains(
            "over respawn_limit (2 per respawn_window 3600 s); shutting "
            "down"))
        for _ in range(BOUND):
            if not any(os.path.exists("/proc/%d" % p) for p in pids):
                break
            time.sleep(0.05)
        left = []
        for p in pids:
            try:
                with open("/proc/%d/stat" % p) as f:
                    if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                        left.append(p)
            except OSError:
                pass
        self.assertEqual(left, [], "processes survived the attendant")

    # the inherited tests are run by Respawn
    test_tcp_worker = test_udp_receiver = test_tcp_main = None
    test_timer = test_mi_fifo_process = None


class NoRespawn(Respawn):
    EXTRA = "respawn_limit = 0"

    def test_first_death_shuts_down(self):
        os.kill(self.pids["tcp worker 1"], signal.SIGKILL)
        rc = self.proxy.wait_exit(20)
        self.assertEqual(rc, 1, self.proxy.log_tail())
        self.assertTrue(self.proxy.log_contains(
            "(tcp worker 1) was killed by signal 9; shutting down "
            "(respawn_limit = 0"))

    test_tcp_worker = test_udp_receiver = test_tcp_main = None
    test_timer = test_mi_fifo_process = None


class AttendantDies(Respawn):
    """Nobody can replace processes without the attendant: they stop."""

    def test_children_stop_with_the_attendant(self):
        kids = [p for t, p in self.pids.items() if t != "attendant"]
        os.kill(self.proxy.proc.pid, signal.SIGKILL)
        self.proxy.proc.wait(10)
        left = kids
        for _ in range(BOUND):
            left = [p for p in kids if os.path.exists("/proc/%d" % p)]
            if not left:
                break
            time.sleep(0.05)
        self.assertEqual(left, [], "children outlived the attendant")

    test_tcp_worker = test_udp_receiver = test_tcp_main = None
    test_timer = test_mi_fifo_process = None


if __name__ == "__main__":
    unittest.main()
