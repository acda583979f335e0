"""rr end to end (stateless forward()).

- record_route() adds one Record-Route naming the incoming socket, with
  ;lr and ;ftag=<From tag>; record_route("params") appends the params;
  enable_full_lr is off by default
- UDP in, TCP out (enable_double_rr=1): two Record-Routes, the top one for
  the outgoing TCP socket (;transport=tcp), the next for the UDP one
- loose_route() on an in-dialog request removes our Route (one, or both of
  a double RR) and forwards to the next Route, which stays in the request
- strict-router compatibility: our RR URI in the R-URI, the last Route
  becomes the R-URI
- a preloaded Route naming only us: loose_route() is false and the Route
  is removed
"""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "test", "lib"))

import sipclient as sc                                  # noqa: E402
from harness import Proxy                               # noqa: E402

CFG = """
debug = 3
log_stderror = yes
children = 2
tcp_children = 2
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "rr.so"

route {
    if (loose_route()) {
        forward();
        exit;
    }
    if (uri =~ "^sip:tcpout@") {
        record_route();
        forward("tcp:127.0.0.1:$PORT_NH");
        exit;
    }
    if (uri =~ "^sip:params@") {
        record_route(";foo=bar");
        forward("udp:127.0.0.1:$PORT_NH");
        exit;
    }
    if (uri =~ "^sip:preset@") {
        record_route_preset("192.0.2.7:5080");
        forward("udp:127.0.0.1:$PORT_NH");
        exit;
    }
    if (uri =~ "^sip:norr@") {
        forward("udp:127.0.0.1:$PORT_NH");
        exit;
    }
    record_route();
    forward("udp:127.0.0.1:$PORT_NH");
}
"""


class RecordRoute(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, label=cls.__name__)
        cls.nh = sc.NextHop(port=cls.proxy.port("NH")).start()
        cls.proxy.start(probe="A", peers=[cls.nh])
        cls.pport = cls.proxy.port("A")
        cls.paddr = ("127.0.0.1", cls.pport)

    @classmethod
    def tearDownClass(cls):
        cls.nh.stop()
        cls.proxy.stop()

    def send(self, method, uri, **kw):
        """Send over UDP; returns (what the next hop got, parsed request)."""
        with sc.UdpSocket() as u:
            data = u.make_request(method, uri, **kw)
            req = sc.parse(data)
            resp = u.transact(data, self.paddr)
        self.assertIsNotNone(resp, "no answer to %s %s" % (method, uri))
        got = self.nh.wait_call(req.call_id)
        self.assertEqual(len(got), 1, "next hop got %r" % got)
        return got[0], req

    def test_record_route_lr_ftag(self):
        got, req = self.send("INVITE", "sip:bob@example.net",
                             from_tag="ft123")
        rrs = got.msg.get_all("record-route")
        self.assertEqual(rrs, ["<sip:127.0.0.1:%d;lr;ftag=ft123>"
                               % self.pport])
        # before our Via: inserted at the first header
        self.assertEqual(got.proto, "udp")

    def test_record_route_params(self):
        got, _ = self.send("INVITE", "sip:params@example.net",
                           from_tag="x1")
        self.assertEqual(got.msg.get_all("record-route"),
                         ["<sip:127.0.0.1:%d;lr;ftag=x1;foo=bar>"
                          % self.pport])

    def test_record_route_preset(self):
        got, _ = self.send("INVITE", "sip:preset@example.net",
                           from_tag="p1")
        self.assertEqual(got.msg.get_all("record-route"),
                         ["<sip:192.0.2.7:5080;ftag=p1;lr>"])

    def test_double_rr_udp_in_tcp_out(self):
        got, _ = self.send("INVITE", "sip:tcpout@example.net",
                           from_tag="d1")
        self.assertEqual(got.proto, "tcp")
        rrs = got.msg.get_all("record-route")
        self.assertEqual(rrs, [
            "<sip:127.0.0.1:%d;transport=tcp;lr;ftag=d1>" % self.pport,
            "<sip:127.0.0.1:%d;lr;ftag=d1>" % self.pport])

    def test_single_rr_when_same_socket(self):
        got, _ = self.send("INVITE", "sip:carol@example.net", from_tag="s1")
        self.assertEqual(len(got.msg.get_all("record-route")), 1)

    def test_loose_route_to_next_route(self):
        nh = "sip:127.0.0.1:%d;lr;x=1" % self.proxy.port("NH")
        got, _ = self.send(
            "BYE", "sip:bob@192.0.2.99:5060", to_tag="tt1",
            headers=[("Route", "<sip:127.0.0.1:%d;lr;ftag=a>, <%s>"
                      % (self.pport, nh))])
        self.assertEqual(got.msg.get_all("route"), ["<%s>" % nh])
        self.assertEqual(got.msg.uri, "sip:bob@192.0.2.99:5060")
        self.assertFalse(got.msg.has("record-route"))

    def test_loose_route_removes_double_rr(self):
        ruri = "sip:bob@127.0.0.1:%d" % self.proxy.port("NH")
        got, _ = self.send(
            "BYE", ruri, to_tag="tt2",
            headers=[("Route", "<sip:127.0.0.1:%d;transport=tcp;lr>"
                      % self.pport),
                     ("Route", "<sip:127.0.0.1:%d;lr>" % self.pport)])
        self.assertFalse(got.msg.has("route"), got.raw)
        self.assertEqual(got.msg.uri, ruri)

    def test_strict_router_compat(self):
        target = "sip:bob@127.0.0.1:%d" % self.proxy.port("NH")
        got, _ = self.send(
            "BYE", "sip:127.0.0.1:%d;lr" % self.pport, to_tag="tt3",
            headers=[("Route", "<%s>" % target)])
        self.assertEqual(got.msg.uri, target)
        self.assertFalse(got.msg.has("route"), got.raw)

    def test_preloaded_route_to_us(self):
        got, _ = self.send(
            "OPTIONS", "sip:norr@127.0.0.1:%d" % self.proxy.port("NH"),
            headers=[("Route", "<sip:127.0.0.1:%d;lr>" % self.pport)])
        self.assertFalse(got.msg.has("route"), got.raw)
        self.assertFalse(got.msg.has("record-route"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
