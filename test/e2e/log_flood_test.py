"""CRLF keepalive flood from a peer that does not read (issue 10, item 5).

A peer sends megabytes of CRLFCRLF pings on one connection and never
reads the CRLF pongs.  Once the pongs cannot be written (the peer's
receive window and our socket buffer are full), the proxy must close that
connection with one log line, instead of queueing pongs until its memory
runs out and logging "out of pkg memory while queueing a tcp write" for
every further ping (1.6 million lines, 137 MB of log, in the probe).

Over TCP and (TLS build) TLS:
- the flooding connection is closed by the proxy;
- the log grows by a few lines only (counted, not timed), one of which
  names the connection and says why it was closed;
- another client is served during and after the flood.
"""

import os
import socket
import ssl
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import certs                                            # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Proxy                               # noqa: E402

CFG = """
debug = 3
log_stderror = yes
children = 2
tcp_children = 2
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
%(tls)s
mpath = "$MODULES"
loadmodule "sl.so"

route {
    sl_send_reply("200", "OK");
}
"""

TLS_CFG = """
listen = tls:127.0.0.1:$PORT_T
tls_certificate = "$DIR/server-cert.pem"
tls_private_key = "$DIR/server-key.pem"
tls_ca_list = "$DIR/ca.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
tls_crlf_pingpong = 1
"""

CHUNK = 64 * 1024
MAX_BYTES = 10 * 1024 * 1024    # the probe's 10 MB
FLOOD_DEADLINE = 120.0          # bound only: the assertions are counts
MAX_NEW_LINES = 40              # what the flood may add to the log
CLOSE_LINE = "keepalive pings keep coming"


class CrlfFlood(unittest.TestCase):
    TRANSPORT = None
    NEEDS = []

    @classmethod
    def setUpClass(cls):
        tls = cls.TRANSPORT == "TLS"
        cls.proxy = Proxy(CFG % {"tls": TLS_CFG if tls else ""},
                          needs=cls.NEEDS, label=cls.__name__)
        if tls:
            d = cls.proxy.dir
            cls.ca = certs.make_ca(d, "openser test CA", file_prefix="ca")
            certs.make_cert(cls.ca, "proxy.test", d, san_ip=["127.0.0.1"],
                            file_prefix="server")
            cls.proxy.start(probe="A", probe_tls="T")
            cls.addr = ("127.0.0.1", cls.proxy.port("T"))
        else:
            cls.proxy.start(probe="A")
            cls.addr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    def flooder(self):
        """A connection that will never read: tiny receive buffer."""
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.settimeout(10)
        raw.connect(self.addr)
        if self.TRANSPORT != "TLS":
            return raw
        ctx = sc.tls_context(ca=self.ca.cert)
        return ctx.wrap_socket(raw)

    def other_client_served(self):
        if self.TRANSPORT == "TLS":
            c = sc.TlsClient(*self.addr, ca=self.ca.cert)
        else:
            c = sc.TcpClient(*self.addr)
        with c:
            rsp, _ = c.send_request("OPTIONS", "sip:other@example.net",
                                    timeout=10)
        return rsp is not None and rsp.status == 200

    def test_crlf_flood_closed_with_bounded_log(self):
        since = self.proxy.log_size()
        lines_before = self.proxy.log().count("\n")
        s = self.flooder()
        self.addCleanup(s.close)
        lport = s.getsockname()[1]
        chunk = b"\r\n\r\n" * (CHUNK // 4)
        sent, closed, served_during = 0, None, None
        t0 = time.monotonic()
        while (sent < MAX_BYTES
               and time.monotonic() - t0 < FLOOD_DEADLINE):
            try:
                s.sendall(chunk)
            except (OSError, ssl.SSLError) as e:
                closed = e
                break
            sent += len(chunk)
            if served_during is None and sent >= MAX_BYTES // 4:
                served_during = self.other_client_served()
        if closed is None:
            # everything was accepted: the proxy must still close it
            s.settimeout(1.0)
            for _ in range(30):
                try:
                    s.sendall(chunk)
                except (OSError, ssl.SSLError) as e:
                    closed = e
                    break
                if self.proxy.log_contains(CLOSE_LINE):
                    break
        log = self.proxy.log_since(since)
        new = log.count("\n")
        self.assertIn(CLOSE_LINE, log, "the flooding connection (local port "
                      "%d) was not closed after %d bytes of pings;\nlog "
                      "(%d new lines):\n%s" % (lport, sent, new, log[-3000:]))
        self.assertEqual(log.count(CLOSE_LINE), 1, log[-3000:])
        self.assertIn(":%d" % lport, [ln for ln in log.splitlines()
                                      if CLOSE_LINE in ln][0][:400]
                      .replace("127.0.0.1:", ":"), log[-3000:])
        self.assertLess(new, MAX_NEW_LINES, "the flood of %d bytes added %d "
                        "log lines (before it: %d):\n%s" % (
                            sent, new, lines_before, log[-3000:]))
        self.assertNotIn("out of pkg memory", log)
        if served_during is not None:
            self.assertTrue(served_during, "another client was not served "
                            "during the flood")
        self.assertTrue(self.other_client_served(),
                        "another client not served after the flood")


class CrlfFloodTcp(CrlfFlood):
    TRANSPORT = "TCP"


class CrlfFloodTls(CrlfFlood):
    TRANSPORT = "TLS"
    NEEDS = ["tls"]


del CrlfFlood


if __name__ == "__main__":
    unittest.main()
