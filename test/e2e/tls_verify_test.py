"""Client certificate verification (needs a TLS=1 build).

One proxy, one TLS listener per combination of tls_verify_client x
tls_require_client_certificate, each its own tls_server_domain block that
inherits certificate, key and CA list from the globals (plus one listener
on the default server domain, whose flags come from the globals):

    domain            verify/require   no cert   ours   other CA   expired
    V00               0/0              ok        ok     ok         ok
    V01               0/1              ok        ok     ok         ok
    V10               1/0              ok        ok     refused    refused
    V11               1/1              refused   ok     refused    refused
    G (default)       1/1 (globals)    refused   ok     refused    refused

Each client tries TLS 1.2 and TLS 1.3.  With TLS 1.3 the server's
rejection of a client certificate reaches the client only after its side
of the handshake is done, so "accepted" means: an OPTIONS sent on the
connection is answered 200; "refused" means: the handshake fails or the
connection is closed (TLS alert, EOF, reset) without an answer.  For each
refusal the daemon must log one "tls: handshake with <peer> ... failed:
<reason>" line for that peer; for each acceptance, none.  The line
names the certificate the client sent, if it sent one.
"""

import os
import re
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
children = 1
tcp_children = 2
listen = udp:127.0.0.1:$PORT_A
listen = tls:127.0.0.1:$PORT_V00
listen = tls:127.0.0.1:$PORT_V01
listen = tls:127.0.0.1:$PORT_V10
listen = tls:127.0.0.1:$PORT_V11
listen = tls:127.0.0.1:$PORT_G
tls_certificate = "$DIR/server-cert.pem"
tls_private_key = "$DIR/server-key.pem"
tls_ca_list = "$DIR/ca.pem"
tls_verify_client = 1
tls_require_client_certificate = 1
tls_verify_server = 1

tls_server_domain[127.0.0.1:$PORT_V00] {
    tls_verify_client = 0
    tls_require_client_certificate = 0
}
tls_server_domain[127.0.0.1:$PORT_V01] {
    tls_verify_client = 0
    tls_require_client_certificate = 1
}
tls_server_domain[127.0.0.1:$PORT_V10] {
    tls_verify_client = 1
    tls_require_client_certificate = 0
}
tls_server_domain[127.0.0.1:$PORT_V11] {
    tls_verify_client = 1; tls_require_client_certificate = 1
}

mpath = "$MODULES"
loadmodule "sl.so"

route {
    sl_send_reply("200", "OK");
}
"""

CLIENTS = ("none", "ours", "other", "expired")
OK, REFUSED = "accepted", "refused"

EXPECT = {
    "V00": dict(none=OK, ours=OK, other=OK, expired=OK),
    "V01": dict(none=OK, ours=OK, other=OK, expired=OK),
    "V10": dict(none=OK, ours=OK, other=REFUSED, expired=REFUSED),
    "V11": dict(none=REFUSED, ours=OK, other=REFUSED, expired=REFUSED),
    "G": dict(none=REFUSED, ours=OK, other=REFUSED, expired=REFUSED),
}


def handshake_failed(peer_port):
    return (r"tls: handshake with 127\.0\.0\.1:%d on \S+ \(domain [^)]*\) "
            r"failed: [^;\s]" % peer_port)


class TlsVerifyMatrix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, needs=["tls"], label=cls.__name__)
        d = cls.proxy.dir
        cls.ca = certs.make_ca(d, "openser test CA", file_prefix="ca")
        cls.other_ca = certs.make_ca(d, "untrusted CA", file_prefix="other")
        certs.make_cert(cls.ca, "proxy.test", d, san_ip=["127.0.0.1"],
                        file_prefix="server")
        cls.certs = {
            "none": None,
            "ours": certs.make_cert(cls.ca, "client-ours", d),
            "other": certs.make_cert(cls.other_ca, "client-other", d),
            "expired": certs.make_cert(cls.ca, "client-expired", d,
                                       expired=True),
        }
        cls.proxy.start(probe="A")

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    def attempt(self, port, who, version):
        """(outcome, detail, our local port) of one client on one port."""
        c = self.certs[who]
        ctx = sc.tls_context(ca=self.ca.cert, cert=c and c.cert,
                             key=c and c.key, min_version=version,
                             max_version=version)
        raw = socket.create_connection(("127.0.0.1", port), timeout=3)
        lport = raw.getsockname()[1]
        try:
            cl = sc.TlsClient("127.0.0.1", port, timeout=3, context=ctx,
                              sock=raw)
        except (ssl.SSLError, OSError) as e:
            return REFUSED, "handshake: %r" % e, lport
        with cl:
            try:
                rsp, data = cl.send_request("OPTIONS",
                                            "sip:%s@127.0.0.1" % who,
                                            timeout=3)
            except (ssl.SSLError, OSError) as e:
                return REFUSED, "send/recv: %r" % e, lport
            if rsp is not None and rsp.status == 200:
                cn = cl.peer_cn()
                if cn != "proxy.test":
                    return "wrong server certificate", cn, lport
                return OK, "200", lport
            if rsp is not None:
                return "answered %d" % rsp.status, rsp.raw, lport
            if cl.closed:
                return REFUSED, "closed: %r" % cl.error, lport
            return "no answer, connection open", data, lport

    def check_domain(self, name):
        port = self.proxy.port(name)
        for version in ("1.2", "1.3"):
            for who in CLIENTS:
                with self.subTest(domain=name, client=who, tls=version):
                    since = self.proxy.log_size()
                    want = EXPECT[name][who]
                    got, detail, lport = self.attempt(port, who, version)
                    self.assertEqual(
                        got, want, "%s client on %s (TLS %s): %s\nlog:\n%s"
                        % (who, name, version, detail,
                           self.proxy.log_since(since)[-2000:]))
                    rx = handshake_failed(lport)
                    if want == REFUSED:
                        line = self.proxy.wait_log(rx, since=since)
                        self.assertIsNotNone(
                            line, "no handshake failure line for peer "
                            "port %d\nlog:\n%s" % (
                                lport, self.proxy.log_since(since)))
                        if who == "expired":
                            self.assertRegex(line, r"(?i)expired", line)
                        elif who == "other":
                            self.assertRegex(
                                line, r"(?i)verify|unknown ca|issuer", line)
                        else:
                            self.assertRegex(line, r"(?i)certificate", line)
                    else:
                        self.assertIsNone(
                            re.search(rx, self.proxy.log_since(since)),
                            "accepted, yet a failure was logged")

    def test_refusal_names_the_client_certificate(self):
        """The failure line's "peer certificate ..." part names the
        certificate the client sent (here: refused for its issuer or its
        dates), not "(no certificate)"."""
        for who in ("other", "expired"):
            with self.subTest(client=who):
                since = self.proxy.log_size()
                got, detail, lport = self.attempt(self.proxy.port("V11"),
                                                  who, "1.2")
                self.assertEqual(got, REFUSED, detail)
                line = self.proxy.wait_log(handshake_failed(lport),
                                           since=since)
                self.assertIsNotNone(line, self.proxy.log_since(since))
                self.assertIn("client-" + who, line,
                              "the line does not name the certificate "
                              "the client sent")

    def test_verify0_require0(self):
        self.check_domain("V00")

    def test_verify0_require1(self):
        self.check_domain("V01")

    def test_verify1_require0(self):
        self.check_domain("V10")

    def test_verify1_require1(self):
        self.check_domain("V11")

    def test_default_domain_from_globals(self):
        self.check_domain("G")


if __name__ == "__main__":
    unittest.main()
