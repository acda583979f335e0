"""TLS 1.2 cipher defaults (needs a TLS=1 build).

With tls_ciphers_list unset, TLS 1.2 is ECDHE with AEAD ciphers only
(AES-GCM, ChaCha20-Poly1305), so that no CBC suite is offered (LUCKY13):

- a TLS 1.2 client offering only CBC suites is refused, and the daemon
  logs the failed handshake with the client's address
- TLS 1.2 clients offering AES-GCM or ChaCha20-Poly1305 are served
- TLS 1.3 is unchanged
- a tls_server_domain with an explicit tls_ciphers_list (the way to serve
  a legacy phone) accepts the CBC-only client
- the proxy as a TLS client to a next hop that speaks only CBC: refused by
  default, accepted through a tls_client_domain with an explicit list
"""

import os
import socket
import ssl
import sys
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
listen = tls:127.0.0.1:$PORT_T
listen = tls:127.0.0.1:$PORT_L
tls_certificate = "$DIR/server-cert.pem"
tls_private_key = "$DIR/server-key.pem"
tls_ca_list = "$DIR/ca.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
tls_verify_server = 1
tls_server_domain[127.0.0.1:$PORT_L] {
    tls_ciphers_list = "HIGH:!aNULL"
}
tls_client_domain[127.0.0.1:$PORT_NHL] {
    tls_ciphers_list = "HIGH:!aNULL"
}
mpath = "$MODULES"
loadmodule "sl.so"

route {
    if (uri =~ "^sip:cbc@") {
        forward("tls:127.0.0.1:$PORT_NHD");
        exit;
    }
    if (uri =~ "^sip:legacy@") {
        forward("tls:127.0.0.1:$PORT_NHL");
        exit;
    }
    sl_send_reply("200", "OK");
}
"""

# TLS 1.2 suites with CBC encryption (ECDSA: the test certificates are EC)
CBC = ("ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:"
       "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA")


def handshake_failed(peer_port):
    """The daemon's line for a failed handshake with 127.0.0.1:peer_port."""
    return (r"tls: handshake with 127\.0\.0\.1:%d on \S+ \(domain [^)]*\) "
            r"failed: [^;\s]" % peer_port)


class TlsCiphers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, needs=["tls"], label=cls.__name__)
        d = cls.proxy.dir
        cls.ca = certs.make_ca(d, "openser test CA", file_prefix="ca")
        certs.make_cert(cls.ca, "proxy.test", d, san_ip=["127.0.0.1"],
                        file_prefix="server")
        nh = certs.make_cert(cls.ca, "nexthop.test", d, san_ip=["127.0.0.1"],
                             file_prefix="nexthop")
        # next hops that speak TLS 1.2 with CBC suites only
        cls.nexthops = []
        for name in ("NHD", "NHL"):
            ctx = sc.tls_context(server=True, ca=cls.ca.cert, cert=nh.cert,
                                 key=nh.key, max_version="1.2", ciphers=CBC)
            hop = sc.TlsNextHop(port=cls.proxy.port(name), context=ctx)
            hop.start()
            cls.nexthops.append(hop)
        cls.nhd, cls.nhl = cls.nexthops
        cls.proxy.start(probe="A", probe_tls="T", peers=cls.nexthops)

    @classmethod
    def tearDownClass(cls):
        for hop in cls.nexthops:
            hop.stop()
        cls.proxy.stop()

    def connect(self, port_name, ciphers=None, max_version="1.2"):
        """A TLS client from a known local port; (client, local port) or
        (the ssl error, local port)."""
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.bind(("127.0.0.1", 0))
        lport = raw.getsockname()[1]
        raw.settimeout(5)
        raw.connect(("127.0.0.1", self.proxy.port(port_name)))
        ctx = sc.tls_context(ca=self.ca.cert, max_version=max_version,
                             ciphers=ciphers)
        try:
            c = sc.TlsClient(context=ctx, sock=raw)
        except (ssl.SSLError, OSError) as e:
            raw.close()
            return e, lport
        self.addCleanup(c.close)
        return c, lport

    def served(self, c):
        rsp, data = c.send_request("OPTIONS", "sip:x@127.0.0.1")
        self.assertIsNotNone(rsp, "no answer over %s" % (c.cipher(),))
        self.assertEqual(rsp.status, 200)

    def test_cbc_only_tls12_client_refused(self):
        since = self.proxy.log_size()
        c, lport = self.connect("T", ciphers=CBC)
        self.assertIsInstance(c, Exception, "CBC-only TLS 1.2 client was "
                              "served with %r" % (getattr(c, "cipher",
                                                          lambda: None)(),))
        self.assertTrue(self.proxy.wait_log(handshake_failed(lport),
                                            since=since),
                        "no handshake failure logged for port %d:\n%s"
                        % (lport, self.proxy.log_since(since)[-2000:]))

    def test_aes_gcm_tls12_client_served(self):
        c, _ = self.connect("T", ciphers="ECDHE-ECDSA-AES128-GCM-SHA256")
        self.assertNotIsInstance(c, Exception, repr(c))
        self.assertEqual(c.version(), "TLSv1.2")
        self.assertIn("GCM", c.cipher())
        self.served(c)

    def test_chacha20_tls12_client_served(self):
        c, _ = self.connect("T", ciphers="ECDHE-ECDSA-CHACHA20-POLY1305")
        self.assertNotIsInstance(c, Exception, repr(c))
        self.assertIn("CHACHA20", c.cipher())
        self.served(c)

    def test_default_tls12_client_gets_aead(self):
        c, _ = self.connect("T")
        self.assertNotIsInstance(c, Exception, repr(c))
        name = c.cipher()
        self.assertTrue("GCM" in name or "CHACHA20" in name, name)
        self.served(c)

    def test_tls13_unchanged(self):
        c, _ = self.connect("T", max_version="1.3")
        self.assertNotIsInstance(c, Exception, repr(c))
        self.assertEqual(c.version(), "TLSv1.3")
        self.served(c)

    def test_legacy_domain_accepts_cbc(self):
        c, _ = self.connect("L", ciphers=CBC)
        self.assertNotIsInstance(c, Exception, "the domain with an explicit "
                                 "tls_ciphers_list refused CBC: %r" % (c,))
        self.assertNotIn("GCM", c.cipher())
        self.served(c)

    def test_outbound_cbc_next_hop(self):
        since = self.proxy.log_size()
        with sc.UdpSocket() as u:
            rsp, data = u.send_request(("127.0.0.1", self.proxy.port("A")),
                                       "OPTIONS", "sip:legacy@example.net")
        got = self.nhl.wait_call(sc.parse(data).call_id)
        self.assertTrue(got, "legacy client domain did not reach the CBC "
                        "next hop:\n%s" % self.proxy.log_since(since)[-2000:])
        with sc.UdpSocket() as u:
            rsp, data = u.send_request(("127.0.0.1", self.proxy.port("A")),
                                       "OPTIONS", "sip:cbc@example.net",
                                       timeout=2)
        self.assertFalse(self.nhd.wait_call(sc.parse(data).call_id,
                                            timeout=1),
                         "default client domain negotiated CBC")


if __name__ == "__main__":
    unittest.main()
