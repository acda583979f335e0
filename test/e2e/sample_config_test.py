"""The shipped etc/openser.cfg, run as an operator would after
`openserctl tls userCERT server`: a stateful registrar/proxy.

- OPTIONS to the server itself is answered 200
- a phone registers over TCP with a Contact naming another port and no
  transport; an INVITE from a UDP caller reaches it over its registration
  connection (tm + registrar), and the 180/200 come back to the caller
- an unregistered AoR gets 404
- no open relay: a request for a foreign domain (a UDP socket on
  127.0.0.2 stands for the foreign host) is refused with 403 "Relaying
  forbidden", over UDP and TCP, even with a From in our domain (nothing
  authenticates it yet), and not one packet reaches the foreign host
- two registered users call each other; the in-dialog ACK and BYE, whose
  Request-URI is the phone's own address, follow the Route set
  (loose_route) and reach the phone
- in a TLS build the TLS listener serves the configured certificate
"""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import certs                                            # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Proxy, have                         # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def sample_config(tls):
    with open(os.path.join(ROOT, "etc", "openser.cfg")) as f:
        text = f.read()
    if not tls:     # what `make install` without TLS=1 installs
        text = re.sub(r"(?m)^listen = tls:.*\n", "", text)
        text = re.sub(r"(?ms)^# ----------- TLS.*?\n\n", "", text)
    text = text.replace("127.0.0.1:5060", "127.0.0.1:$PORT_A")
    text = text.replace("127.0.0.1:5061", "127.0.0.1:$PORT_T")
    text = re.sub(r'(?m)^mpath = .*$', 'mpath = "$MODULES"', text)
    text = text.replace("/tmp/openser_fifo", "$DIR/fifo")
    text = text.replace("/usr/local/etc/openser/tls/", "$DIR/tls/")
    text = re.sub(r"(?m)^log_stderror = no.*$", "log_stderror = yes", text)
    return text


class SampleConfig(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tls = have("tls")[0]
        cls.proxy = Proxy(sample_config(cls.tls), label=cls.__name__)
        if cls.tls:
            srv = os.path.join(cls.proxy.dir, "tls", "server")
            os.makedirs(srv)
            ca = cls.ca = certs.make_ca(srv, "sample CA", file_prefix="ca")
            c = certs.make_cert(ca, "server", srv, san_ip=["127.0.0.1"])
            os.rename(c.cert, os.path.join(srv, "server-cert.pem"))
            os.rename(c.key, os.path.join(srv, "server-privkey.pem"))
            with open(ca.cert) as f, open(os.path.join(
                    srv, "server-calist.pem"), "w") as out:
                out.write(f.read())
        cls.proxy.start(probe="A")
        cls.paddr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    def me(self, user=None):
        """A URI naming this proxy (sip:host means port 5060, which the
        test proxy does not listen on, so the port is explicit)."""
        return "sip:%s127.0.0.1:%d" % (user + "@" if user else "",
                                       self.paddr[1])

    def test_options_to_the_server(self):
        with sc.UdpSocket() as u:
            rsp, _ = u.send_request(self.paddr, "OPTIONS", self.me())
        self.assertIsNotNone(rsp)
        self.assertEqual(rsp.status, 200)

    def test_unknown_user_404(self):
        with sc.UdpSocket() as u:
            rsp, _ = u.send_request(self.paddr, "INVITE",
                                    self.me("nobody"))
        self.assertIsNotNone(rsp)
        self.assertEqual(rsp.status, 404)

    def test_call_reaches_a_phone_registered_over_tcp(self):
        phone = sc.TcpClient(*self.paddr)
        self.addCleanup(phone.close)
        reg = phone.make_request(
            "REGISTER", self.me(),
            from_uri=self.me("alice"), to_uri=self.me("alice"),
            headers=[("Contact", "<sip:alice@127.0.0.1:9>"),
                     ("Expires", "300")])
        rsp = phone.transact(reg)
        self.assertIsNotNone(rsp, "no reply to REGISTER")
        self.assertEqual(rsp.status, 200)
        with sc.UdpSocket() as caller:
            inv = caller.make_request("INVITE", self.me("alice"),
                                      from_uri=self.me("bob"))
            caller.sendto(inv, self.paddr)
            got = phone.recv(5)
            self.assertIsNotNone(got, "INVITE did not reach the phone's "
                                 "registration connection")
            self.assertTrue(got.is_request and got.method == "INVITE")
            self.assertTrue(got.has("Record-Route"), "record_route()")
            phone.send(sc.response(got, 180, "Ringing", to_tag="ph1"))
            phone.send(sc.response(got, 200, "OK", to_tag="ph1"))
            codes = set()
            for _ in range(10):
                msg, _, _ = caller.recv(3)
                if msg is None:
                    break
                if not msg.is_request:
                    codes.add(msg.status)
                if 200 in codes:
                    break
            self.assertIn(200, codes, "200 not relayed to the caller")

    # -- no open relay --------------------------------------------------
    def foreign_host(self):
        """A UDP socket on 127.0.0.2: an address that is not `myself`."""
        try:
            f = sc.UdpSocket(host="127.0.0.2")
        except OSError as e:
            self.skipTest("cannot bind 127.0.0.2: %s" % e)
        self.addCleanup(f.close)
        return f

    def assert_nothing_reached(self, foreign, what):
        raw, addr = foreign.recv_raw(2.0)
        self.assertIsNone(raw, "%s: the foreign host got a packet from %s:"
                          "\n%r" % (what, addr, (raw or b"")[:300]))

    def test_foreign_domain_refused_over_udp(self):
        foreign = self.foreign_host()
        target = "sip:victim@127.0.0.2:%d" % foreign.port
        for method, from_uri in (("INVITE", None),
                                 ("INVITE", self.me("alice")),
                                 ("OPTIONS", None),
                                 ("MESSAGE", "sip:spam@example.net")):
            with sc.UdpSocket() as u:
                kw = {"from_uri": from_uri} if from_uri else {}
                rsp, data = u.send_request(self.paddr, method, target, **kw)
            what = "%s to %s from %s" % (method, target, from_uri)
            self.assertIsNotNone(rsp, what + ": no answer")
            self.assertEqual((rsp.status, rsp.reason),
                             (403, "Relaying forbidden"), what)
        self.assert_nothing_reached(foreign, "UDP requests")

    def test_foreign_domain_refused_over_tcp(self):
        foreign = self.foreign_host()
        target = "sip:victim@127.0.0.2:%d;transport=udp" % foreign.port
        with sc.TcpClient(*self.paddr) as c:
            rsp, _ = c.send_request("INVITE", target)
        self.assertIsNotNone(rsp, "no answer over TCP")
        self.assertEqual(rsp.status, 403)
        self.assert_nothing_reached(foreign, "a TCP INVITE")

    def test_registered_users_call_each_other(self):
        alice = sc.UdpSocket()
        self.addCleanup(alice.close)
        bob = sc.TcpClient(*self.paddr)
        self.addCleanup(bob.close)
        rsp, _ = alice.send_request(
            self.paddr, "REGISTER", self.me(), from_uri=self.me("alice2"),
            to_uri=self.me("alice2"),
            headers=[("Contact", "<sip:alice2@127.0.0.1:%d>" % alice.port),
                     ("Expires", "300")])
        self.assertIsNotNone(rsp, "no reply to alice's REGISTER")
        self.assertEqual(rsp.status, 200)
        rsp = bob.transact(bob.make_request(
            "REGISTER", self.me(), from_uri=self.me("bob2"),
            to_uri=self.me("bob2"),
            headers=[("Contact", "<sip:bob2@127.0.0.1:9;transport=tcp>"),
                     ("Expires", "300")]))
        self.assertIsNotNone(rsp, "no reply to bob's REGISTER")
        self.assertEqual(rsp.status, 200)

        # bob calls alice: the INVITE reaches alice's UDP socket
        inv = sc.parse(bob.make_request("INVITE", self.me("alice2"),
                                        from_uri=self.me("bob2")))
        bob.send(inv.raw)
        got = None
        for _ in range(10):
            msg, _, _ = alice.recv(5)
            if msg is None or (msg.is_request and msg.method == "INVITE"):
                got = msg
                break
        self.assertIsNotNone(got, "bob's INVITE did not reach alice")
        rr = got.get_all("Record-Route")
        self.assertTrue(rr, "no Record-Route on the INVITE")
        ok = sc.response(got, 200, "OK", to_tag="al1",
                         headers=[("Contact", "<sip:alice2@127.0.0.1:%d>"
                                   % alice.port)])
        alice.sendto(ok, self.paddr)
        final = bob.wait_response(inv, timeout=5)
        self.assertIsNotNone(final, "200 not relayed to bob")
        self.assertEqual(final.status, 200)

        # in dialog: R-URI is alice's address (not ours), Route is the proxy
        for method, cseq in (("ACK", 1), ("BYE", 2)):
            req = bob.make_request(
                method, "sip:alice2@127.0.0.1:%d" % alice.port,
                from_uri=self.me("bob2"), to_uri=self.me("alice2"),
                call_id=inv.call_id, from_tag=inv.tag("From"),
                to_tag="al1", cseq=cseq,
                headers=[("Route", rr[0])])
            bob.send(req)
            got = None
            for _ in range(10):
                msg, _, _ = alice.recv(5)
                if msg is None or (msg.is_request and msg.method == method):
                    got = msg
                    break
            self.assertIsNotNone(got, "in-dialog %s did not reach alice "
                                 "(loose_route)\n%s" % (
                                     method, self.proxy.log_tail()))
        alice.sendto(sc.response(got, 200, "OK"), self.paddr)
        final = bob.wait_response(sc.parse(req), timeout=5)
        self.assertIsNotNone(final, "200 to BYE not relayed")
        self.assertEqual(final.status, 200)

    def test_tls_listener_serves_the_certificate(self):
        if not self.tls:
            self.skipTest("openser built without TLS")
        with sc.TlsClient("127.0.0.1", self.proxy.port("T"),
                          ca=self.ca.cert) as c:
            self.assertEqual(c.peer_cn(), "server")
            rsp, _ = c.send_request("OPTIONS", self.me())
            self.assertIsNotNone(rsp)
            self.assertEqual(rsp.status, 200)


if __name__ == "__main__":
    unittest.main()
