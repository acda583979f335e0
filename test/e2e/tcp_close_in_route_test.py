"""A connection closed while a message from its read buffer is routed.

Regression test for a heap-use-after-free (issue 10, item 1): one TCP
segment carries an OPTIONS (answered by sl) and an INVITE (relayed by
tm), and the client closes at once.  The 200 for the OPTIONS reaches a
closed socket, the peer's kernel answers with a reset, and the 100 Trying
that tm sends for the INVITE fails: the owner closes the connection from
inside the route script.  The connection's read buffer -- where the
INVITE being relayed lives -- must stay valid until the framing loop
returns (ASan reported a READ of freed memory in lump_apply, and the
release build read freed memory silently).

Checked over TCP and over TLS (the same two requests in one TLS record,
then the socket closed without close_notify), with a plain close (FIN)
and with an abortive close (RST, SO_LINGER 0):
  - the proxy keeps running and answers a fresh client afterwards
  - the INVITEs that were relayed reached the next hop intact
  - no sanitizer report in the log (teardown also checks)
"""

import os
import socket
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import certs                                            # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Ports, Proxy                        # noqa: E402

CFG = """
debug = 3
log_stderror = yes
children = 1
tcp_children = 1
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
%(tls)s
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "tm.so"
modparam("tm", "fr_timer", 2)
modparam("tm", "fr_inv_timer", 2)

route {
    if (method == "OPTIONS") {
        sl_send_reply("200", "OK");
        exit;
    }
    if (!t_relay_to_udp("127.0.0.1", "$PORT_UAS")) {
        sl_reply_error();
    }
}
"""

TLS_CFG = """
listen = tls:127.0.0.1:$PORT_T
tls_certificate = "$DIR/server-cert.pem"
tls_private_key = "$DIR/server-key.pem"
tls_ca_list = "$DIR/ca.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
"""

ROUNDS = 12     # the crash showed on the first round; a few more for luck


def two_requests(transport, local_port, tag):
    """OPTIONS + INVITE as one byte string (one segment / one record).
    The INVITE carries a body so that the relayed copy can be checked."""
    body = ("v=0\r\no=- %s 1 IN IP4 127.0.0.1\r\ns=-\r\n" % tag).encode()
    opt = sc.request("OPTIONS", "sip:opt-%s@127.0.0.1" % tag,
                     transport=transport, port=local_port)
    inv = sc.request("INVITE", "sip:inv-%s@127.0.0.1" % tag,
                     transport=transport, port=local_port,
                     headers={"Content-Type": "application/sdp"}, body=body)
    return opt + inv, body


def abort(sock):
    """Make close() send a RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))


class Base:
    TLS = False

    @classmethod
    def setUpClass(cls):
        cls.uas = sc.NextHop(tcp=False, responder=lambda rcv: None).start()
        ports = Ports()
        ports.map["UAS"] = cls.uas.port
        cfg = CFG % {"tls": TLS_CFG if cls.TLS else ""}
        try:
            cls.proxy = Proxy(cfg, needs=["tls"] if cls.TLS else None,
                              label=cls.__name__, ports=ports)
        except BaseException:
            cls.uas.stop()
            raise
        d = cls.proxy.dir
        if cls.TLS:
            ca = certs.make_ca(d, "openser test CA", file_prefix="ca")
            certs.make_cert(ca, "proxy.test", d, san_ip=["127.0.0.1"],
                            file_prefix="server")
        cls.proxy.start(probe="A", probe_tls="T" if cls.TLS else None,
                        peers=[cls.uas])

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.uas.stop()

    def connect(self):
        if self.TLS:
            return sc.TlsClient("127.0.0.1", self.proxy.port("T"), timeout=5)
        return sc.TcpClient("127.0.0.1", self.proxy.port("A"), timeout=5)

    def served(self, what):
        with self.connect() as c:
            rsp, _ = c.send_request("OPTIONS", "sip:%s@127.0.0.1" % what,
                                    timeout=5)
        self.assertIsNotNone(rsp, "%s: a fresh client got no answer\n%s"
                             % (what, self.proxy.log_tail(30)))
        self.assertEqual(rsp.status, 200)

    def burst_and_close(self, rst):
        sent = {}
        for i in range(ROUNDS):
            c = self.connect()
            tag = "%s%d%s" % ("r" if rst else "f", i, sc.rand_token(4))
            data, body = two_requests("TLS" if self.TLS else "TCP",
                                      c.local_port, tag)
            sent[tag] = body
            # one answered request first: over TLS 1.3 it also reads the
            # session tickets, which unread would turn our close into a
            # reset before the proxy reads the burst
            rsp, _ = c.send_request("OPTIONS", "sip:warm@127.0.0.1",
                                    timeout=5)
            self.assertIsNotNone(rsp, "round %d: no answer to the first "
                                 "OPTIONS\n%s" % (i, self.proxy.log_tail(30)))
            c.send(data)
            if rst:
                abort(c.sock)
            c.close()
            self.assertTrue(self.proxy.running(),
                            "openser died after round %d\n%s"
                            % (i, self.proxy.log_tail(60)))
        # every INVITE that reached tm is relayed whole (read from a live
        # buffer); with a reset the proxy may not have read it at all
        deadline = time.monotonic() + 10
        got = {}
        for _ in range(1000):
            with self.uas.cond:
                for r in self.uas.received:
                    m = r.msg
                    if m is not None and m.is_request \
                            and m.method == "INVITE":
                        got[m.uri.split(":", 1)[1].split("@")[0][4:]] = m
            if len(got) >= len(sent) or time.monotonic() > deadline \
                    or rst:
                break
            time.sleep(0.05)
        for tag, m in got.items():
            if tag in sent:
                self.assertEqual(m.body, sent[tag],
                                 "relayed INVITE %s damaged" % tag)
        if not rst:
            # a FIN after the data: the proxy reads both requests
            self.assertEqual(sorted(got), sorted(sent),
                             "INVITEs not relayed\n%s"
                             % self.proxy.log_tail(40))
        self.assertTrue(self.proxy.running(),
                        "openser died\n%s" % self.proxy.log_tail(60))
        log = self.proxy.log()
        for bad in ("Sanitizer", "runtime error", "CRIT"):
            self.assertNotIn(bad, log, "%s in the log\n%s"
                             % (bad, self.proxy.log_tail(60)))
        self.served("after-burst")

    def test_close_after_two_requests(self):
        self.burst_and_close(rst=False)

    def test_reset_after_two_requests(self):
        self.burst_and_close(rst=True)


class TcpCloseInRoute(Base, unittest.TestCase):
    TLS = False


class TlsCloseInRoute(Base, unittest.TestCase):
    TLS = True


if __name__ == "__main__":
    unittest.main(verbosity=2)
