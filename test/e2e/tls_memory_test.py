"""Memory held per idle TLS connection (needs a TLS=1 build).

The tls:memory counter (bytes OpenSSL holds in openser's processes, as the
C library sizes them) is read over the management FIFO before, while N
idle TLS connections are open (each answered one OPTIONS, so the server
side of the handshake is complete), and after they are closed:

- per idle connection OpenSSL holds at most 15 KB: about 14 KB is what
  OpenSSL 3 itself needs (SSL object, two AES-GCM contexts, session,
  certificate copy); more means buffers or handshake state are kept
  (e.g. read/write buffers not released: 16 KB+ each)
- once the connections are closed, what they held is given back (less
  than 1 KB per connection remains: method caches, not per-connection
  state)

The PSS-based figure for the whole proxy, side by side with Kamailio, is
bench/run's "memory per idle TLS connection" row.
"""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))

import certs                                            # noqa: E402
import harness                                          # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Proxy                               # noqa: E402

N = 100
MAX_PER_CONN = 15 * 1024
MAX_LEFT_PER_CONN = 1024

CFG = """
debug = 2
log_stderror = yes
children = 1
tcp_children = 1
listen = udp:127.0.0.1:$PORT_A
listen = tls:127.0.0.1:$PORT_T
tls_certificate = "$DIR/server-cert.pem"
tls_private_key = "$DIR/server-key.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
tls_verify_server = 0
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "mi_fifo.so"
modparam("mi_fifo", "fifo_name", "$DIR/fifo")
modparam("mi_fifo", "reply_dir", "$DIR/")

route {
    sl_send_reply("200", "OK");
}
"""


class TlsMemory(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, needs=["tls"], label=cls.__name__)
        d = cls.proxy.dir
        cls.ca = certs.make_ca(d, "openser test CA", file_prefix="ca")
        certs.make_cert(cls.ca, "proxy.test", d, san_ip=["127.0.0.1"],
                        file_prefix="server")
        cls.proxy.start(probe="A", probe_tls="T")

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    def tls_memory(self):
        return harness.fifo_stat(self.proxy, "tls:memory")

    def open_idle(self, n):
        conns = []
        try:
            for i in range(n):
                c = sc.TlsClient("127.0.0.1", self.proxy.port("T"),
                                 ca=self.ca.cert)
                conns.append(c)
                rsp, data = c.send_request("OPTIONS",
                                           "sip:idle%d@127.0.0.1" % i)
                self.assertIsNotNone(rsp, "no answer on connection %d" % i)
                self.assertEqual(rsp.status, 200, rsp.raw)
        except BaseException:
            for c in conns:
                c.close()
            raise
        return conns

    def test_idle_connection_memory_and_release(self):
        # one connection first: OpenSSL's one-time caches are not per
        # connection
        for c in self.open_idle(1):
            c.close()
        time.sleep(0.3)
        before = self.tls_memory()
        conns = self.open_idle(N)
        held = self.tls_memory()
        for c in conns:
            c.close()
        per_conn = (held - before) / N
        self.assertGreater(per_conn, 1024,
                           "tls:memory did not grow with %d connections "
                           "(%d -> %d): is the counter wired?"
                           % (N, before, held))
        self.assertLessEqual(
            per_conn, MAX_PER_CONN,
            "OpenSSL holds %.0f bytes per idle TLS connection (at most %d "
            "expected): buffers or handshake state kept after the "
            "handshake?" % (per_conn, MAX_PER_CONN))
        deadline = time.monotonic() + 10
        left = held - before
        while time.monotonic() < deadline:
            left = self.tls_memory() - before
            if left <= MAX_LEFT_PER_CONN * N:
                break
            time.sleep(0.2)
        self.assertLessEqual(
            left, MAX_LEFT_PER_CONN * N,
            "%d bytes of OpenSSL memory still held after %d connections "
            "closed" % (left, N))


if __name__ == "__main__":
    unittest.main()
