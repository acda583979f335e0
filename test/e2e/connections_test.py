"""Connection ownership and limits (docs/DESIGN.md "Connection ownership").

- UDP in, TCP out: requests to one TCP next hop share one connection the
  proxy opened, and the replies on it reach the UDP client
- many concurrent TCP clients are all served (connections spread over the
  tcp workers)
- an idle connection is closed after tcp_connection_lifetime
- tcp_max_connections: the connection over the limit is refused with a log
  line naming the parameter, and the proxy keeps serving the others
(a tcp worker that dies is replaced: see respawn_test.py)
"""

import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import sipclient as sc                                  # noqa: E402
from harness import Proxy                               # noqa: E402

CFG = """
debug = 3
log_stderror = yes
children = 2
tcp_children = 3
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
tcp_connection_lifetime = 2
tcp_max_connections = 12
mpath = "$MODULES"
loadmodule "sl.so"

route {
    if (uri =~ "^sip:tcpout@") {
        forward("tcp:127.0.0.1:$PORT_NH");
        exit;
    }
    sl_send_reply("200", "OK");
}
"""


class Connections(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, label=cls.__name__)
        cls.nh = sc.NextHop(port=cls.proxy.port("NH"), udp=False).start()
        cls.proxy.start(probe="A", peers=[cls.nh])
        cls.paddr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.nh.stop()
        cls.proxy.stop()

    def test_udp_in_tcp_out_reuses_one_connection(self):
        u = sc.UdpSocket()
        self.addCleanup(u.close)
        before = len(self.nh.conns)
        for i in range(5):
            rsp, _ = u.send_request(self.paddr, "OPTIONS",
                                    "sip:tcpout@example.com")
            self.assertIsNotNone(rsp, "request %d: no reply via TCP hop" % i)
            self.assertEqual(rsp.status, 200)
        got = [r for r in self.nh.received if r.msg is not None
               and r.msg.is_request and r.proto == "tcp"]
        self.assertGreaterEqual(len(got), 5)
        self.assertEqual(len(self.nh.conns) - before, 1,
                         "the proxy opened more than one connection to the "
                         "same next hop")
        top = got[-1].msg.top_via
        self.assertEqual(top.proto, "TCP")
        self.assertEqual(int(top.port), self.paddr[1],
                         "our Via names the TCP listen port")

    def test_concurrent_tcp_clients(self):
        errors = []

        def client(n):
            try:
                with sc.TcpClient(*self.paddr) as c:
                    for _ in range(5):
                        rsp, _ = c.send_request("OPTIONS",
                                                "sip:p%d@example.com" % n)
                        if rsp is None or rsp.status != 200:
                            errors.append("client %d: %r" % (n, rsp))
                            return
            except OSError as e:
                errors.append("client %d: %s" % (n, e))

        threads = [threading.Thread(target=client, args=(n,))
                   for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(errors, [])

    def test_idle_connection_expires(self):
        c = sc.TcpClient(*self.paddr)
        self.addCleanup(c.close)
        rsp, _ = c.send_request("OPTIONS", "sip:idle@example.com")
        self.assertEqual(rsp.status, 200)
        t0 = time.monotonic()
        self.assertTrue(c.wait_closed(timeout=8),
                        "idle connection not closed by the proxy")
        self.assertGreaterEqual(time.monotonic() - t0, 1.0,
                                "closed too early for a 2 s lifetime")

    def test_max_connections_refused_and_logged(self):
        conns = []
        try:
            for _ in range(12):
                c = sc.TcpClient(*self.paddr)
                conns.append(c)
                rsp, _ = c.send_request("OPTIONS", "sip:m@example.com")
                self.assertIsNotNone(rsp)
            extra = socket.create_connection(self.paddr, timeout=3)
            extra.settimeout(3)
            try:
                data = extra.recv(10)
            except (ConnectionResetError, socket.timeout):
                data = b""
            extra.close()
            self.assertEqual(data, b"", "connection over the limit served")
            for _ in range(40):
                if self.proxy.log_contains("tcp_max_connections (12) reached"):
                    break
                time.sleep(0.05)
            self.assertTrue(self.proxy.log_contains(
                "tcp_max_connections (12) reached"))
        finally:
            for c in conns:
                c.close()
        # the others keep being served once connections are released
        time.sleep(0.5)
        u = sc.UdpSocket()
        self.addCleanup(u.close)
        rsp, _ = u.send_request(self.paddr, "OPTIONS", "sip:after@x")
        self.assertEqual(rsp.status, 200)


if __name__ == "__main__":
    unittest.main()
