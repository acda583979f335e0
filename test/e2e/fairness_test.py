"""A busy connection does not starve the others (one tcp worker).

One TCP client keeps its connection full of pipelined OPTIONS (20,000
requests written as fast as the proxy reads them, replies read in a
thread); once the proxy is busy with it, a second client sends one
OPTIONS.  Its answer must come while the flood is still being served:
the owner reads a bounded amount per readiness event and goes round the
other connections.  Counted in messages, not time: between the second
client's request and its answer the flood may get at most 800 answers
(measured: 40-140; a worker that read up to 64 times per event served
1,650-1,950 first).
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
debug = 2
log_stderror = yes
children = 1
tcp_children = 1
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
mpath = "$MODULES"
loadmodule "sl.so"

route {
    sl_send_reply("200", "OK");
}
"""

FLOOD = 20000
MAX_AHEAD = 800


class Flooder:
    """A TCP connection writing FLOOD pipelined OPTIONS; counts answers."""

    def __init__(self, addr):
        self.sock = socket.create_connection(addr, timeout=30)
        self.answers = 0
        self.stop = False
        one = sc.request("OPTIONS", "sip:flood@127.0.0.1", transport="TCP",
                         port=addr[1], call_id="flood-call")
        self.data = one * FLOOD
        self.marker = b"SIP/2.0 200"
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.writer = threading.Thread(target=self.write, daemon=True)

    def start(self):
        self.reader.start()
        self.writer.start()

    def write(self):
        try:
            self.sock.sendall(self.data)
        except OSError:
            pass

    def read(self):
        tail = b""
        deadline = time.monotonic() + 60
        while not self.stop and time.monotonic() < deadline:
            try:
                d = self.sock.recv(262144)
            except OSError:
                return
            if not d:
                return
            buf = tail + d
            self.answers += buf.count(self.marker)
            tail = buf[-(len(self.marker) - 1):]
            if self.answers >= FLOOD:
                return

    def close(self):
        self.stop = True
        self.sock.close()
        self.reader.join(5)
        self.writer.join(5)


class Fairness(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, label=cls.__name__)
        cls.proxy.start(probe="A")
        cls.addr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    def test_busy_connection_does_not_starve_another(self):
        probe = sc.TcpClient(*self.addr)
        self.addCleanup(probe.close)
        f = Flooder(self.addr)
        self.addCleanup(f.close)
        f.start()
        deadline = time.monotonic() + 20
        while f.answers < 200 and time.monotonic() < deadline:
            time.sleep(0.005)
        self.assertGreaterEqual(f.answers, 200, "the flood is not answered")
        at_send = f.answers
        rsp, data = probe.send_request("OPTIONS", "sip:probe@127.0.0.1",
                                       timeout=30)
        at_answer = f.answers
        self.assertIsNotNone(rsp, "the second connection got no answer")
        self.assertEqual(rsp.status, 200, rsp.raw)
        self.assertLess(at_answer, FLOOD,
                        "the second connection was answered only after the "
                        "whole flood (%d answers)" % at_answer)
        self.assertLessEqual(
            at_answer - at_send, MAX_AHEAD,
            "the busy connection got %d answers while the other waited for "
            "one" % (at_answer - at_send))


if __name__ == "__main__":
    unittest.main()
