"""Stateless proxy core: forwarding over a transport matrix.

A client (UDP or TCP) sends requests to openser, whose script forwards them
to a Python next hop (UDP and TCP on the same port) chosen by the user part
of the R-URI, or answers locally with sl_send_reply when the R-URI is
`myself`.  We check what the next hop receives (our Via on top with a
z9hG4bK branch, received/rport on the client's Via) and what the client gets
back (the reply with exactly its own Vias), for UDP->UDP, UDP->TCP,
TCP->TCP, TCP->UDP, and over IPv6."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import sipclient as sc                                  # noqa: E402
from harness import Proxy                               # noqa: E402

CFG = """
debug = 3
log_stderror = yes
children = 2
tcp_children = 2
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
alias = "example.com"
mpath = "$MODULES"

loadmodule "sl.so"

route {
    if (uri =~ "^sip:ignore@") {
        exit;
    }
    if (uri == myself) {
        sl_send_reply("200", "Local OK");
        exit;
    }
    if (uri =~ "^sip:udp@") {
        forward("udp:127.0.0.1:$PORT_UAS");
        exit;
    }
    if (uri =~ "^sip:tcp@") {
        forward("tcp:127.0.0.1:$PORT_UAS");
        exit;
    }
    if (uri =~ "^sip:rport@") {
        force_rport;
        forward("udp:127.0.0.1:$PORT_UAS");
        exit;
    }
    if (uri =~ "^sip:ruri@") {
        forward();
        exit;
    }
}
"""

ANSWER = 3.0        # seconds to wait for something that must arrive
SILENCE = 1.0       # seconds to wait to conclude nothing arrives
NOWHERE = "192.0.2.1"   # TEST-NET-1: a Via host that is not our address


class Stateless:
    """Tests shared by the UDP-in and TCP-in classes (mixin)."""

    IN = None           # "UDP" or "TCP": how the client talks to openser

    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, label=cls.__name__)
        cls.nh = sc.NextHop(port=cls.proxy.port("UAS")).start()
        cls.proxy.start(probe="A", peers=[cls.nh])
        cls.paddr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.nh.stop()
        cls.proxy.stop()

    def setUp(self):
        if self.IN == "UDP":
            self.c = sc.UdpSocket("127.0.0.1")
            self.cport = self.c.port
        else:
            self.c = sc.TcpClient(*self.paddr)
            self.cport = self.c.local_port
        self.addCleanup(self.c.close)

    # -- helpers -----------------------------------------------------------
    def make(self, method, uri, **kw):
        return self.c.make_request(method, uri, **kw)

    def transact(self, data, timeout=ANSWER, final=True):
        if self.IN == "UDP":
            return self.c.transact(data, self.paddr, timeout, final)
        return self.c.transact(data, timeout, final)

    def send(self, data):
        if self.IN == "UDP":
            self.c.sendto(data, self.paddr)
        else:
            self.c.send(data)

    def forwarded(self, data, count=1, timeout=ANSWER):
        """What the next hop received for this request's Call-ID."""
        cid = sc.parse(data).call_id
        return self.nh.wait_call(cid, count, timeout)

    def assert_our_via(self, via, proto):
        self.assertEqual(via.proto, proto, via)
        self.assertEqual(via.bare_host(), "127.0.0.1", via)
        self.assertEqual(via.port, self.proxy.port("A"), via)
        self.assertIsNotNone(via.branch, via)
        self.assertTrue(via.branch.startswith("z9hG4bK"), via)
        self.assertGreater(len(via.branch), len("z9hG4bK"), via)

    def roundtrip(self, user, out_proto, method="OPTIONS", **kw):
        """Send, check the forwarded copy and the reply; returns
        (request bytes, received-at-next-hop, reply)."""
        data = self.make(method, "sip:%s@example.net" % user, **kw)
        resp = self.transact(data)
        got = self.forwarded(data)
        self.assertEqual(len(got), 1, "next hop did not get the %s (or "
                         "got it twice): %r" % (method, got))
        r = got[0]
        self.assertEqual(r.proto, out_proto.lower())
        self.assertIsNotNone(r.msg, r.raw[:200])
        self.assertIsNotNone(resp, "no reply came back for %s %s->%s"
                             % (method, self.IN, out_proto))
        return data, r, resp

    # -- forwarding --------------------------------------------------------
    def _check_forward(self, user, out_proto):
        data, r, resp = self.roundtrip(user, out_proto)
        req = sc.parse(data)
        fwd = r.msg
        vias = fwd.vias()
        self.assertEqual(len(vias), 2, vias)
        self.assert_our_via(vias[0], out_proto)
        self.assertNotEqual(vias[0].branch, req.top_via.branch)
        # the client's Via: same sent-by and branch; we sent ;rport, so the
        # proxy fills it in; same IP, so no received=
        cv = vias[1]
        self.assertEqual(cv.proto, self.IN)
        self.assertEqual((cv.host, cv.port), ("127.0.0.1", self.cport))
        self.assertEqual(cv.branch, req.top_via.branch)
        self.assertEqual(cv.rport, str(self.cport), cv)
        self.assertIsNone(cv.received, cv)
        # the rest of the request is intact
        self.assertEqual(fwd.method, "OPTIONS")
        self.assertEqual(fwd.uri, req.uri)
        for h in ("from", "to", "call-id", "cseq"):
            self.assertEqual(fwd.get(h), req.get(h), h)
        self.assertEqual(fwd.body, req.body)
        # the reply: 200 from the next hop with its To tag, our Via gone,
        # exactly the client's Via left
        self.assertEqual(resp.status, 200)
        self.assertTrue((resp.tag("to") or "").startswith("nh"), resp.raw)
        rv = resp.vias()
        self.assertEqual(len(rv), 1, rv)
        self.assertEqual(rv[0].branch, req.top_via.branch)
        self.assertEqual((rv[0].host, rv[0].port), ("127.0.0.1", self.cport))
        self.assertEqual(resp.call_id, req.call_id)
        self.assertEqual(resp.cseq, req.cseq)

    def test_forward_out_udp(self):
        self._check_forward("udp", "UDP")

    def test_forward_out_tcp(self):
        self._check_forward("tcp", "TCP")

    def test_invite_with_body_and_provisional(self):
        """INVITE with SDP; the next hop sends 180 then 200, both relayed."""
        sdp = (b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
               b"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n")

        def ring_then_ok(rcv):
            m = rcv.msg
            if m is None or not m.is_request or m.method == "ACK":
                return None
            return [sc.response(m, 180, to_tag="nhring"),
                    sc.response(m, 200, to_tag="nhring",
                                headers=[("Content-Type",
                                          "application/sdp")], body=sdp)]
        self.nh.responder = ring_then_ok
        self.addCleanup(setattr, self.nh, "responder", sc.answer_200)
        data = self.make("INVITE", "sip:udp@example.net", body=sdp,
                         headers=[("Content-Type", "application/sdp"),
                                  ("Contact", "<sip:c@127.0.0.1:%d>"
                                   % self.cport)])
        req = sc.parse(data)
        self.send(data)
        # several receivers may relay the two back-to-back responses in
        # either order; both must arrive
        seen = {}
        for _ in range(2):
            r = self.c.wait_response(req, ANSWER, final=False)
            if r is None:
                break
            seen[r.status] = r
        self.assertEqual(sorted(seen), [180, 200], "relayed: %s"
                         % sorted(seen))
        final = seen[200]
        self.assertEqual(final.body, sdp)
        got = self.forwarded(data)
        self.assertEqual(got[0].msg.body, sdp)
        self.assertEqual(got[0].msg.content_length, len(sdp))

    def test_received_added_when_via_host_differs(self):
        """Via names another host: the proxy adds received=<source IP>; the
        reply goes to received:<Via port>, which is us."""
        branch = sc.new_branch()
        via = "SIP/2.0/%s %s:%d;branch=%s" % (self.IN, NOWHERE, self.cport,
                                              branch)
        data, r, resp = self.roundtrip("udp", "UDP", headers={"Via": via})
        cv = r.msg.vias()[1]
        self.assertEqual(cv.received, "127.0.0.1", cv)
        self.assertIsNone(cv.rport, cv)
        self.assertEqual(cv.branch, branch)
        self.assertEqual(resp.status, 200)
        rv = resp.vias()
        self.assertEqual(len(rv), 1, rv)
        self.assertEqual(rv[0].branch, branch)
        self.assertEqual(rv[0].bare_host(), NOWHERE)

    def test_received_and_rport(self):
        branch = sc.new_branch()
        via = "SIP/2.0/%s %s:9;branch=%s;rport" % (self.IN, NOWHERE, branch)
        data, r, resp = self.roundtrip("udp", "UDP", headers={"Via": via})
        cv = r.msg.vias()[1]
        self.assertEqual(cv.received, "127.0.0.1", cv)
        self.assertEqual(cv.rport, str(self.cport), cv)
        self.assertEqual(resp.status, 200)

    def test_force_rport(self):
        data = self.make("OPTIONS", "sip:rport@example.net", rport=False)
        self.assertIsNone(sc.parse(data).top_via.rport)
        resp = self.transact(data)
        got = self.forwarded(data)
        self.assertEqual(len(got), 1)
        cv = got[0].msg.vias()[1]
        self.assertEqual(cv.rport, str(self.cport), cv)
        self.assertIsNotNone(resp)
        self.assertEqual(resp.status, 200)

    def test_no_rport_param_when_not_asked(self):
        data = self.make("OPTIONS", "sip:udp@example.net", rport=False)
        resp = self.transact(data)
        got = self.forwarded(data)
        self.assertEqual(len(got), 1)
        cv = got[0].msg.vias()[1]
        self.assertIsNone(cv.rport, cv)
        self.assertIsNone(cv.received, cv)
        self.assertIsNotNone(resp)

    def test_retransmission_gets_same_branch(self):
        data = self.make("OPTIONS", "sip:udp@example.net")
        self.send(data)
        self.assertEqual(len(self.forwarded(data, 1)), 1)
        self.send(data)
        got = self.forwarded(data, 2)
        self.assertEqual(len(got), 2, "retransmission not forwarded")
        b1, b2 = [g.msg.top_via.branch for g in got]
        self.assertEqual(b1, b2)
        # a different request gets a different branch
        other = self.make("OPTIONS", "sip:udp@example.net")
        self.transact(other)
        got3 = self.forwarded(other)
        self.assertEqual(len(got3), 1)
        self.assertNotEqual(got3[0].msg.top_via.branch, b1)

    def test_reply_has_exactly_the_clients_vias(self):
        """Two Vias from the client side (ours + an upstream proxy): the
        next hop sees three, the client gets back the two, unchanged in
        order, sent-by and branch."""
        mine = "SIP/2.0/%s 127.0.0.1:%d;branch=%s;rport" % (
            self.IN, self.cport, sc.new_branch())
        upstream = "SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bKupstream1"
        data = self.make("OPTIONS", "sip:udp@example.net",
                         headers=[("Via", mine), ("Via", upstream)])
        resp = self.transact(data)
        got = self.forwarded(data)
        self.assertEqual(len(got), 1)
        vias = got[0].msg.vias()
        self.assertEqual(len(vias), 3, vias)
        self.assert_our_via(vias[0], "UDP")
        self.assertEqual(vias[2].raw, upstream)
        self.assertIsNotNone(resp)
        rv = resp.vias()
        self.assertEqual(len(rv), 2, rv)
        sent = sc.parse(data).vias()
        for a, b in zip(rv, sent):
            self.assertEqual((a.proto, a.host, a.port, a.branch),
                             (b.proto, b.host, b.port, b.branch))
        self.assertEqual(rv[1].raw, upstream)

    def test_forward_to_request_uri(self):
        uri = "sip:ruri@127.0.0.1:%d" % self.proxy.port("UAS")
        data = self.make("OPTIONS", uri)
        resp = self.transact(data)
        got = self.forwarded(data)
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0].proto, "udp")
        self.assertEqual(got[0].msg.uri, uri)
        self.assert_our_via(got[0].msg.top_via, "UDP")
        self.assertIsNotNone(resp)
        self.assertEqual(resp.status, 200)

    # -- local answers ---------------------------------------------------
    def _check_local(self, uri):
        data = self.make("OPTIONS", uri)
        req = sc.parse(data)
        resp = self.transact(data)
        self.assertIsNotNone(resp, "no local reply for %s" % uri)
        self.assertEqual((resp.status, resp.reason), (200, "Local OK"))
        self.assertTrue(resp.tag("to"), "local reply has no To tag")
        self.assertEqual(resp.tag("from"), req.tag("from"))
        self.assertEqual(resp.call_id, req.call_id)
        self.assertEqual(resp.cseq, req.cseq)
        rv = resp.vias()
        self.assertEqual(len(rv), 1, rv)
        self.assertEqual(rv[0].branch, req.top_via.branch)
        self.assertEqual(self.forwarded(data, 1, 0.3), [],
                         "a request to myself was forwarded")

    def test_myself_by_address_is_answered_locally(self):
        self._check_local("sip:someone@127.0.0.1:%d" % self.proxy.port("A"))

    def test_myself_by_alias_is_answered_locally(self):
        self._check_local("sip:someone@example.com")

    def test_ignored_request_gets_no_answer(self):
        data = self.make("OPTIONS", "sip:ignore@example.net")
        resp = self.transact(data, timeout=SILENCE)
        self.assertIsNone(resp, "an ignored request was answered")
        self.assertEqual(self.forwarded(data, 1, 0.2), [])
        # and the proxy still works
        self._check_local("sip:someone@example.com")

    def test_unrouted_request_gets_no_answer(self):
        """The route falls off its end for sip:nobody@: silently dropped."""
        data = self.make("MESSAGE", "sip:nobody@example.net", body="x")
        self.assertIsNone(self.transact(data, timeout=SILENCE))
        self.assertEqual(self.forwarded(data, 1, 0.2), [])


class StatelessUdpIn(Stateless, unittest.TestCase):
    IN = "UDP"


class StatelessTcpIn(Stateless, unittest.TestCase):
    IN = "TCP"

    def test_requests_pipelined_on_one_connection(self):
        """Three requests in one send; three replies on the connection."""
        reqs = [self.make("OPTIONS", "sip:udp@example.net") for _ in range(3)]
        self.c.send(b"".join(reqs))
        # the replies travel back through several UDP receivers: they may
        # come back in any order, so collect them and match by Call-ID
        want = {sc.parse(d).call_id for d in reqs}
        got = {}
        for _ in range(10):
            msg = self.c.recv(ANSWER)
            if msg is None:
                break
            if msg.call_id in want:
                got[msg.call_id] = msg
            if len(got) == len(want):
                break
        self.assertEqual(set(got), want, "missing replies")
        for msg in got.values():
            self.assertEqual(msg.status, 200)


CFG6 = """
debug = 3
log_stderror = yes
children = 2
tcp_children = 2
listen = udp:127.0.0.1:$PORT_A
listen = udp:[::1]:$PORT_A
listen = tcp:[::1]:$PORT_A
mpath = "$MODULES"

loadmodule "sl.so"

route {
    if (uri == myself) {
        sl_send_reply("200", "Local OK");
        exit;
    }
    if (uri =~ "^sip:tcp6@") {
        forward("tcp:[::1]:$PORT_UAS");
        exit;
    }
    forward("udp:[::1]:$PORT_UAS");
}
"""


class StatelessIPv6(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG6, needs=["ipv6"], label=cls.__name__)
        cls.nh = sc.NextHop(port=cls.proxy.port("UAS"), host="::1").start()
        cls.proxy.start(probe="A", peers=[cls.nh])

    @classmethod
    def tearDownClass(cls):
        cls.nh.stop()
        cls.proxy.stop()

    def check(self, client, send, out_proto):
        data = client.make_request("OPTIONS", "sip:%s@example.net"
                                   % ("tcp6" if out_proto == "TCP" else "x"))
        resp = send(data)
        got = self.nh.wait_call(sc.parse(data).call_id, 1, ANSWER)
        self.assertEqual(len(got), 1, "not forwarded over IPv6")
        self.assertEqual(got[0].proto, out_proto.lower())
        v = got[0].msg.top_via
        self.assertEqual(v.proto, out_proto)
        self.assertEqual(v.host, "[::1]")
        self.assertEqual(v.port, self.proxy.port("A"))
        self.assertTrue(v.branch.startswith("z9hG4bK"))
        self.assertIsNotNone(resp, "reply not relayed back")
        self.assertEqual(resp.status, 200)
        self.assertEqual(len(resp.vias()), 1)
        return got[0]

    def test_udp6_in_udp6_out(self):
        with sc.UdpSocket("::1") as u:
            self.check(u, lambda d: u.transact(d, ("::1",
                                                   self.proxy.port("A")),
                                               ANSWER), "UDP")

    def test_tcp6_in_tcp6_out(self):
        with sc.TcpClient("::1", self.proxy.port("A")) as c:
            self.check(c, lambda d: c.transact(d, ANSWER), "TCP")

    def test_udp4_in_udp6_out(self):
        """In on 127.0.0.1, out on the [::1] socket: our Via says [::1]."""
        with sc.UdpSocket("127.0.0.1") as u:
            r = self.check(u, lambda d: u.transact(
                d, ("127.0.0.1", self.proxy.port("A")), ANSWER), "UDP")
            cv = r.msg.vias()[1]
            self.assertEqual(cv.host, "127.0.0.1")

    def test_myself_ipv6(self):
        with sc.UdpSocket("::1") as u:
            resp, _ = u.send_request(("::1", self.proxy.port("A")), "OPTIONS",
                                     "sip:me@[::1]:%d" % self.proxy.port("A"),
                                     timeout=ANSWER)
            self.assertIsNotNone(resp)
            self.assertEqual((resp.status, resp.reason), (200, "Local OK"))
            self.assertEqual(self.nh.wait(1, 0.3,
                                          lambda r: r.msg.call_id ==
                                          resp.call_id), [])


if __name__ == "__main__":
    unittest.main()
