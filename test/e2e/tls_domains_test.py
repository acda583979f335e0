"""TLS server and client domains (needs a TLS=1 build).

- two TLS listeners: the default server domain (global certificate) and a
  tls_server_domain[ip:port] with its own certificate; a client sees the
  subject CN of the right one on each
- client domains: a request forwarded to the ip:port of a
  tls_client_domain block is sent with that block's certificate; to any
  other destination with the default client domain's (the global one);
  the Python TLS next hops record the certificate they received
- tls_verify_server = 1 (global): a next hop whose certificate is from our
  CA with SAN IP 127.0.0.1 gets the request; one from an untrusted CA, and
  one with an expired certificate do not, and the daemon logs the failed
  handshake with the reason
- tls_verify_server = 0 in the client domain of one destination: the
  untrusted next hop there gets the request
"""

import os
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
listen = tls:127.0.0.1:$PORT_T1
listen = tls:127.0.0.1:$PORT_T2
tls_certificate = "$DIR/proxy-default-cert.pem"
tls_private_key = "$DIR/proxy-default-key.pem"
tls_ca_list = "$DIR/ca.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
tls_verify_server = 1
tls_client_domain_avp = 400

tls_server_domain[127.0.0.1:$PORT_T2] {
    tls_certificate = "$DIR/proxy-t2-cert.pem"
    tls_private_key = "$DIR/proxy-t2-key.pem"
}

tls_client_domain[127.0.0.1:$PORT_NHX] {
    tls_certificate = "$DIR/client-x-cert.pem"
    tls_private_key = "$DIR/client-x-key.pem"
}

tls_client_domain[127.0.0.1:$PORT_NHN] {
    tls_verify_server = 0
}

tls_client_domain["Peer-Y"] {
    tls_certificate = "$DIR/client-y-cert.pem"
    tls_private_key = "$DIR/client-y-key.pem"
}

mpath = "$MODULES"
loadmodule "sl.so"

route {
    if (uri =~ "^sip:x@") {
        forward("tls:127.0.0.1:$PORT_NHX");
        exit;
    }
    if (uri =~ "^sip:avp@") {
        $avp(i:400) = "peer-y";
        forward("tls:127.0.0.1:$PORT_NHD");
        exit;
    }
    if (uri =~ "^sip:avpnone@") {
        $avp(i:400) = "no-such-domain";
        forward("tls:127.0.0.1:$PORT_NHD");
        exit;
    }
    if (uri =~ "^sip:d@") {
        forward("tls:127.0.0.1:$PORT_NHD");
        exit;
    }
    if (uri =~ "^sip:bad@") {
        forward("tls:127.0.0.1:$PORT_NHB");
        exit;
    }
    if (uri =~ "^sip:exp@") {
        forward("tls:127.0.0.1:$PORT_NHE");
        exit;
    }
    if (uri =~ "^sip:noverify@") {
        forward("tls:127.0.0.1:$PORT_NHN");
        exit;
    }
    sl_send_reply("200", "OK");
}
"""


def handshake_failed(peer_port):
    return (r"tls: handshake with 127\.0\.0\.1:%d on \S+ \(domain [^)]*\) "
            r"failed: [^;\s]" % peer_port)


class TlsDomains(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, needs=["tls"], label=cls.__name__)
        d = cls.proxy.dir
        ca = cls.ca = certs.make_ca(d, "openser test CA", file_prefix="ca")
        other = certs.make_ca(d, "untrusted CA", file_prefix="other")
        ip = ["127.0.0.1"]
        certs.make_cert(ca, "proxy-default", d, san_ip=ip)
        certs.make_cert(ca, "proxy-t2", d, san_ip=ip)
        certs.make_cert(ca, "client-x", d)
        certs.make_cert(ca, "client-y", d)
        good = certs.make_cert(ca, "nexthop-good", d, san_ip=ip)
        bad = certs.make_cert(other, "nexthop-untrusted", d, san_ip=ip)
        old = certs.make_cert(ca, "nexthop-expired", d, san_ip=ip,
                              expired=True)
        cls.hops = {}
        try:
            for name, c in (("NHX", good), ("NHD", good), ("NHB", bad),
                            ("NHE", old), ("NHN", bad)):
                ctx = sc.tls_context(server=True, ca=ca.cert, cert=c.cert,
                                     key=c.key)
                cls.hops[name] = sc.TlsNextHop(port=cls.proxy.port(name),
                                               context=ctx).start()
            cls.proxy.start(probe="A")
        except BaseException:
            for h in cls.hops.values():
                h.stop()
            raise
        cls.udp = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        for h in cls.hops.values():
            h.stop()
        cls.proxy.stop()

    def via_udp(self, user, timeout=5):
        """OPTIONS sip:<user>@example.net from a UDP client; (response or
        None, request bytes)."""
        with sc.UdpSocket() as u:
            return u.send_request(self.udp, "OPTIONS",
                                  "sip:%s@example.net" % user,
                                  timeout=timeout)

    def test_server_domains_present_their_certificates(self):
        for port, cn in (("T1", "proxy-default"), ("T2", "proxy-t2")):
            with self.subTest(port=port):
                with sc.TlsClient("127.0.0.1", self.proxy.port(port),
                                  ca=self.ca.cert) as c:
                    self.assertEqual(c.peer_cn(), cn)
                    rsp, data = c.send_request("OPTIONS",
                                               "sip:srv@127.0.0.1")
                    self.assertIsNotNone(rsp, data)
                    self.assertEqual(rsp.status, 200)

    def delivered(self, user, hop, want_cn):
        since = self.proxy.log_size()
        rsp, data = self.via_udp(user)
        nh = self.hops[hop]
        got = nh.wait_call(sc.parse(data).call_id, timeout=3)
        self.assertTrue(got, "%s: next hop %s got nothing; its handshakes "
                        "%r\nlog:\n%s" % (user, hop, nh.handshakes,
                                          self.proxy.log_since(since)))
        self.assertEqual(got[0].tls.cn, want_cn,
                         "client certificate the next hop saw")
        self.assertIsNotNone(rsp, "no reply back to the UDP client\n" +
                             self.proxy.log_since(since))
        self.assertEqual(rsp.status, 200)

    def test_client_domain_by_destination(self):
        self.delivered("x", "NHX", "client-x")

    def test_default_client_domain(self):
        self.delivered("d", "NHD", "proxy-default")

    def test_client_domain_by_avp_name(self):
        """tls_client_domain_avp names tls_client_domain["Peer-Y"]
        (case-insensitively): the same destination gets that certificate
        on a connection of its own, and the default-domain connection to
        it is not reused for it, nor the other way round."""
        self.delivered("d", "NHD", "proxy-default")
        self.delivered("avp", "NHD", "client-y")
        self.delivered("d", "NHD", "proxy-default")
        self.delivered("avp", "NHD", "client-y")

    def test_client_domain_avp_unknown_name(self):
        since = self.proxy.log_size()
        self.delivered("avpnone", "NHD", "proxy-default")
        self.assertIn('no tls_client_domain["no-such-domain"]',
                      self.proxy.log_since(since))

    def test_verify_server_off_for_one_destination(self):
        self.delivered("noverify", "NHN", "proxy-default")

    def refused(self, user, hop, reason_rx):
        since = self.proxy.log_size()
        nh = self.hops[hop]
        n0 = len(nh.handshakes)
        rsp, data = self.via_udp(user, timeout=2)
        self.assertFalse(rsp is not None and rsp.status == 200,
                         "%s: 200 for a next hop we must not trust: %r"
                         % (user, rsp and rsp.raw))
        line = self.proxy.wait_log(handshake_failed(nh.port), since=since)
        self.assertIsNotNone(line, "%s: no handshake failure line for "
                             "127.0.0.1:%d\nlog:\n%s" % (
                                 user, nh.port, self.proxy.log_since(since)))
        self.assertRegex(line, reason_rx)
        time.sleep(0.3)
        self.assertEqual(nh.wait_call(sc.parse(data).call_id, timeout=0.5),
                         [], "the request was delivered")
        hs = nh.handshakes[n0:]
        self.assertFalse(any(h.ok for h in hs),
                         "the next hop completed a handshake: %r" % hs)
        self.assertTrue(self.proxy.running())

    def test_verify_server_untrusted(self):
        self.refused("bad", "NHB", r"(?i)verify")

    def test_verify_server_expired(self):
        self.refused("exp", "NHE", r"(?i)expired")

    def test_refusal_names_the_server_certificate(self):
        """The failure line's "peer certificate ..." part names the
        certificate the next hop sent, not "(no certificate)"."""
        for user, hop, cn in (("bad", "NHB", "nexthop-untrusted"),
                              ("exp", "NHE", "nexthop-expired")):
            with self.subTest(hop=hop):
                since = self.proxy.log_size()
                self.via_udp(user, timeout=1)
                line = self.proxy.wait_log(
                    handshake_failed(self.hops[hop].port), since=since)
                self.assertIsNotNone(line, self.proxy.log_since(since))
                self.assertIn(cn, line, "the line does not name the "
                              "certificate the next hop sent")

    def test_good_after_refusals(self):
        """A refused destination does not disturb the others."""
        self.via_udp("bad", timeout=1)
        self.delivered("d", "NHD", "proxy-default")


if __name__ == "__main__":
    unittest.main()
