"""TLS transport basics (needs a TLS=1 build).

- OPTIONS over TLS answered by sl on the same connection; the reply keeps
  our Via (SIP/2.0/TLS, rport filled in)
- TLS in -> UDP out: the next hop sees the proxy's UDP Via on top of our
  SIP/2.0/TLS Via; its reply comes back over our TLS connection
- UDP in -> TLS out (a Python TLS next hop): the next hop sees a
  SIP/2.0/TLS Via naming the proxy's TLS port; the reply reaches the UDP
  client
- 40 KB each way: TLS client -> proxy -> TLS next hop, 40 KB reply back
- CRLFCRLF keepalive ping answered with CRLF (tls_crlf_pingpong)
- TLS 1.0 and 1.1 clients refused by default, with a handshake failure
  line in the log (skipped if the local OpenSSL will not offer them)
- TLS 1.2-only and TLS 1.3-only clients are both served
- a client that closes (with or without close_notify) is not logged as a
  failed read
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
listen = tls:127.0.0.1:$PORT_T
tls_certificate = "$DIR/server-cert.pem"
tls_private_key = "$DIR/server-key.pem"
tls_ca_list = "$DIR/ca.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
tls_verify_server = 1
tls_crlf_pingpong = 1
mpath = "$MODULES"
loadmodule "sl.so"

route {
    if (uri =~ "^sip:udpout@") {
        forward("udp:127.0.0.1:$PORT_NHU");
        exit;
    }
    if (uri =~ "^sip:tlsout@") {
        forward("tls:127.0.0.1:$PORT_NHT");
        exit;
    }
    if (proto == tls) {
        sl_send_reply("200", "OK over TLS");
        exit;
    }
    sl_send_reply("200", "OK");
}
"""

BIG = 40 * 1024


def handshake_failed(peer_port):
    """The daemon's line for a failed handshake with 127.0.0.1:peer_port."""
    return (r"tls: handshake with 127\.0\.0\.1:%d on \S+ \(domain [^)]*\) "
            r"failed: [^;\s]" % peer_port)


def big_or_200(rcv):
    """200 to every request; a 40 KB body when the request had one."""
    m = rcv.msg
    if m is None or not m.is_request or m.method == "ACK":
        return None
    if len(m.body) >= BIG:
        return sc.response(m, 200, "OK", body=b"r" * BIG,
                           headers=[("Content-Type", "text/plain")])
    return sc.response(m, 200, "OK")


def describe(proxy, sent, got, since=0):
    """Failure text: what was sent, what came back, the log."""
    s = sent[:600] if isinstance(sent, bytes) else sent
    g = got.raw[:600] if isinstance(got, sc.Message) else got
    return "\nsent:\n%r\ngot:\n%r\nlog since the test:\n%s" % (
        s, g, proxy.log_since(since)[-3000:])


class TlsBasic(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, needs=["tls"], label=cls.__name__)
        d = cls.proxy.dir
        cls.ca = certs.make_ca(d, "openser test CA", file_prefix="ca")
        cls.srv = certs.make_cert(cls.ca, "proxy.test", d,
                                  san_ip=["127.0.0.1"], file_prefix="server")
        cls.nhc = certs.make_cert(cls.ca, "nexthop.test", d,
                                  san_ip=["127.0.0.1"],
                                  file_prefix="nexthop")
        cls.nhu = sc.NextHop(port=cls.proxy.port("NHU"), tcp=False).start()
        cls.nht = sc.TlsNextHop(
            port=cls.proxy.port("NHT"), responder=big_or_200,
            context=sc.tls_context(server=True, ca=cls.ca.cert,
                                   cert=cls.nhc.cert, key=cls.nhc.key))
        cls.nht.start()
        cls.proxy.start(probe="A", probe_tls="T", peers=[cls.nhu, cls.nht])
        cls.udp = ("127.0.0.1", cls.proxy.port("A"))
        cls.tls = ("127.0.0.1", cls.proxy.port("T"))

    @classmethod
    def tearDownClass(cls):
        cls.nhu.stop()
        cls.nht.stop()
        cls.proxy.stop()

    def client(self, **kw):
        c = sc.TlsClient(*self.tls, ca=self.ca.cert, **kw)
        self.addCleanup(c.close)
        return c

    def test_options_answered_by_sl(self):
        since = self.proxy.log_size()
        c = self.client()
        self.assertEqual(c.peer_cn(), "proxy.test")
        rsp, data = c.send_request("OPTIONS", "sip:x@127.0.0.1")
        self.assertIsNotNone(rsp, describe(self.proxy, data, rsp, since))
        self.assertEqual((rsp.status, rsp.reason), (200, "OK over TLS"),
                         describe(self.proxy, data, rsp, since))
        v = rsp.top_via
        self.assertEqual(v.proto, "TLS", rsp.raw)
        self.assertEqual(v.branch, sc.parse(data).top_via.branch)
        self.assertEqual(v.rport, str(c.local_port), v)
        self.assertEqual(len(rsp.vias()), 1, rsp.raw)
        # the connection stays usable
        rsp, data = c.send_request("OPTIONS", "sip:y@127.0.0.1")
        self.assertIsNotNone(rsp, describe(self.proxy, data, rsp, since))
        self.assertEqual(rsp.status, 200)

    def test_tls_in_udp_out_reply_back_over_tls(self):
        since = self.proxy.log_size()
        c = self.client()
        rsp, data = c.send_request("OPTIONS", "sip:udpout@example.net")
        self.assertIsNotNone(rsp, describe(self.proxy, data, rsp, since))
        self.assertEqual(rsp.status, 200, describe(self.proxy, data, rsp,
                                                   since))
        got = self.nhu.wait_call(sc.parse(data).call_id)
        self.assertTrue(got, "next hop got nothing" +
                        describe(self.proxy, data, None, since))
        vias = got[0].msg.vias()
        self.assertEqual(len(vias), 2, got[0].raw)
        self.assertEqual((vias[0].proto, int(vias[0].port)),
                         ("UDP", self.udp[1]), vias[0])
        self.assertEqual(vias[1].proto, "TLS", vias[1])
        self.assertEqual(vias[1].rport, str(c.local_port), vias[1])
        self.assertIsNone(vias[1].received, vias[1])
        # the reply we got is the client's Via only
        self.assertEqual([v.proto for v in rsp.vias()], ["TLS"], rsp.raw)

    def test_udp_in_tls_out(self):
        since = self.proxy.log_size()
        with sc.UdpSocket() as u:
            rsp, data = u.send_request(self.udp, "OPTIONS",
                                       "sip:tlsout@example.net")
        self.assertIsNotNone(rsp, describe(self.proxy, data, rsp, since))
        self.assertEqual(rsp.status, 200)
        got = self.nht.wait_call(sc.parse(data).call_id)
        self.assertTrue(got, "TLS next hop got nothing; handshakes %r%s"
                        % (self.nht.handshakes,
                           describe(self.proxy, data, None, since)))
        r = got[0]
        self.assertEqual(r.proto, "tls")
        top = r.msg.top_via
        self.assertEqual((top.proto, int(top.port)), ("TLS", self.tls[1]),
                         top)
        self.assertEqual(r.msg.vias()[1].proto, "UDP")
        # the proxy presented its (global) certificate as a client
        self.assertEqual(r.tls.cn, "proxy.test", r.tls)

    def test_40k_each_way(self):
        since = self.proxy.log_size()
        c = self.client(timeout=10)
        body = b"q" * BIG
        rsp, data = c.send_request("MESSAGE", "sip:tlsout@example.net",
                                   body=body,
                                   headers=[("Content-Type", "text/plain")],
                                   timeout=10)
        got = self.nht.wait_call(sc.parse(data).call_id, timeout=5)
        self.assertTrue(got, "TLS next hop got nothing" +
                        describe(self.proxy, data[:300], None, since))
        self.assertEqual(len(got[0].msg.body), BIG)
        self.assertEqual(got[0].msg.body, body)
        self.assertIsNotNone(rsp, "no 40 KB reply" +
                             describe(self.proxy, data[:300], None, since))
        self.assertEqual(rsp.status, 200)
        self.assertEqual(len(rsp.body), BIG)
        self.assertEqual(rsp.body, b"r" * BIG)

    def test_crlf_ping_pong(self):
        c = self.client()
        c.send(b"\r\n\r\n")
        got = c.recv_raw(timeout=3, nbytes=2)
        self.assertEqual(got, b"\r\n", "CRLFCRLF ping not answered" +
                         describe(self.proxy, b"\r\n\r\n", got))
        rsp, data = c.send_request("OPTIONS", "sip:afterping@127.0.0.1")
        self.assertIsNotNone(rsp, describe(self.proxy, data, rsp))
        self.assertEqual(rsp.status, 200)

    def legacy_refused(self, version):
        ctx = sc.tls_context(min_version=version, max_version=version,
                             legacy=True)
        if not sc.can_offer(ctx):
            self.skipTest("the local OpenSSL will not offer TLS %s" % version)
        since = self.proxy.log_size()
        raw = socket.create_connection(self.tls, timeout=3)
        port = raw.getsockname()[1]
        try:
            c = sc.TlsClient(*self.tls, context=ctx, timeout=3, sock=raw)
        except (ssl.SSLError, OSError) as e:
            err = e
        else:
            self.addCleanup(c.close)
            rsp, data = None, b""
            try:
                rsp, data = c.send_request("OPTIONS", "sip:old@127.0.0.1",
                                           timeout=3)
            except (ssl.SSLError, OSError):
                pass
            self.fail("TLS %s client accepted (negotiated %s), reply %r%s"
                      % (version, c.version(), rsp,
                         describe(self.proxy, data, rsp, since)))
        self.assertIsNotNone(err)
        line = self.proxy.wait_log(handshake_failed(port), since=since)
        self.assertIsNotNone(line, "no handshake failure line for TLS %s "
                             "(client error %r)\n%s" % (
                                 version, err, self.proxy.log_since(since)))

    def test_tls10_refused(self):
        self.legacy_refused("1.0")

    def test_tls11_refused(self):
        self.legacy_refused("1.1")

    def only(self, version):
        since = self.proxy.log_size()
        c = self.client(min_version=version, max_version=version)
        self.assertEqual(c.version(), "TLSv" + version)
        rsp, data = c.send_request("OPTIONS", "sip:v%s@127.0.0.1" % version)
        self.assertIsNotNone(rsp, describe(self.proxy, data, rsp, since))
        self.assertEqual(rsp.status, 200)

    def test_tls12_only_client(self):
        self.only("1.2")

    def test_tls13_only_client(self):
        self.only("1.3")

    def closed_quietly(self, notify):
        """A client that closes after a request (with close_notify or just
        dropping the TCP connection, as many UAs do) is a normal close:
        no "read failed" line for it."""
        since = self.proxy.log_size()
        c = sc.TlsClient(*self.tls, ca=self.ca.cert)
        port = c.local_port
        rsp, data = c.send_request("OPTIONS", "sip:bye@127.0.0.1")
        self.assertIsNotNone(rsp, describe(self.proxy, data, rsp, since))
        if notify:
            try:
                c.sock = c.sock.unwrap()
            except (ssl.SSLError, OSError):
                pass
        c.close()
        line = self.proxy.wait_log(r"127\.0\.0\.1:%d\b.*(read|write) failed"
                                   % port, timeout=1.5, since=since)
        self.assertIsNone(line, "a normal close logged as a failure")

    def test_close_with_close_notify_is_quiet(self):
        self.closed_quietly(True)

    def test_close_without_close_notify_is_quiet(self):
        self.closed_quietly(False)

    def test_many_requests_one_connection(self):
        since = self.proxy.log_size()
        c = self.client()
        t0 = time.monotonic()
        for i in range(20):
            rsp, data = c.send_request("OPTIONS", "sip:n%d@127.0.0.1" % i,
                                       timeout=3)
            self.assertIsNotNone(rsp, "request %d%s" % (
                i, describe(self.proxy, data, rsp, since)))
            self.assertEqual(rsp.status, 200)
        self.assertLess(time.monotonic() - t0, 10)


if __name__ == "__main__":
    unittest.main()
