"""registrar + usrloc end to end (stateless forward() after lookup).

- REGISTER over UDP: 200 OK lists the binding with its expires; an OPTIONS
  to the AoR reaches the contact
- max_expires clamps, below min_expires is 423 with Min-Expires
- "*" with Expires: 0 removes every binding
- an older CSeq for the same Call-ID is refused (400)
- two contacts with q: R-URI to the highest q
- an unknown AoR: lookup() is false and the script answers 404
- the usrloc timer removes an expired contact
- REGISTER over TCP with a Contact naming another port and no transport:
  a later request to the AoR comes back over that TCP connection, and the
  connection is not idle-closed while the registration lives
"""

import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "test", "lib"))

import sipclient as sc                                  # noqa: E402
from harness import Proxy                               # noqa: E402

CFG = """
debug = 4
log_stderror = yes
children = 2
tcp_children = 2
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
tcp_connection_lifetime = 2
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "timer_interval", 1)
modparam("registrar", "min_expires", 2)
modparam("registrar", "max_expires", 120)

route {
    if (method == "REGISTER") {
        save("location");
        exit;
    }
    if (uri =~ "^sip:check@") {
        if (registered("location")) {
            sl_send_reply("200", "Registered");
        } else {
            sl_send_reply("404", "Not Registered");
        }
        exit;
    }
    if (!lookup("location")) {
        sl_send_reply("404", "Not Found");
        exit;
    }
    forward();
}
"""


def contacts(resp):
    """{uri: params string} of a 200 OK's Contact values."""
    out = {}
    for v in resp.get_all("contact"):
        m = re.match(r"\s*<([^>]*)>(.*)$", v)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def expires_of(params):
    m = re.search(r";expires=(\d+)", params)
    return int(m.group(1)) if m else None


class Registrar(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, label=cls.__name__)
        cls.ua = sc.NextHop(port=0).start()
        cls.ua2 = sc.NextHop(port=0).start()
        cls.proxy.start(probe="A", peers=[cls.ua, cls.ua2])
        cls.paddr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.ua.stop()
        cls.ua2.stop()
        cls.proxy.stop()

    def register(self, aor, contact, expires=None, call_id=None, cseq=1,
                 headers=None):
        hs = [("Contact", contact)] if contact is not None else []
        if expires is not None:
            hs.append(("Expires", str(expires)))
        hs += headers or []
        with sc.UdpSocket() as u:
            resp, _ = u.send_request(self.paddr, "REGISTER",
                                     "sip:127.0.0.1",
                                     to_uri="sip:%s@127.0.0.1" % aor,
                                     from_uri="sip:%s@127.0.0.1" % aor,
                                     headers=hs, call_id=call_id, cseq=cseq)
        self.assertIsNotNone(resp, "no reply to REGISTER for %s" % aor)
        return resp

    def options(self, aor):
        with sc.UdpSocket() as u:
            resp, req = u.send_request(self.paddr, "OPTIONS",
                                       "sip:%s@127.0.0.1" % aor)
        return resp, sc.parse(req)

    def test_register_udp_then_options(self):
        c = "sip:alice@127.0.0.1:%d" % self.ua.port
        resp = self.register("alice", "<%s>" % c, expires=100)
        self.assertEqual(resp.status, 200, resp.first_line)
        got = contacts(resp)
        self.assertIn(c, got)
        self.assertTrue(95 <= expires_of(got[c]) <= 100, got)
        resp, req = self.options("alice")
        self.assertEqual(resp.status, 200, resp.first_line)
        rcv = self.ua.wait_call(req.call_id)
        self.assertEqual(len(rcv), 1)
        self.assertEqual(rcv[0].msg.uri, c)

    def test_max_expires_clamped_and_min_expires_423(self):
        c = "sip:bob@127.0.0.1:%d" % self.ua.port
        resp = self.register("bob", "<%s>;expires=7200" % c)
        self.assertEqual(resp.status, 200)
        self.assertEqual(expires_of(contacts(resp)[c]), 120)
        resp = self.register("bob2", "<%s>" % c, expires=1)
        self.assertEqual(resp.status, 423, resp.first_line)
        self.assertEqual(resp.get("min-expires").strip(), "2")

    def test_star_removes_all(self):
        cid = sc.rand_token(12)
        for i, ua in enumerate((self.ua, self.ua2)):
            r = self.register("carol", "<sip:carol@127.0.0.1:%d>" % ua.port,
                              expires=60, call_id=cid, cseq=i + 1)
            self.assertEqual(r.status, 200)
        self.assertEqual(len(contacts(r)), 2)
        r = self.register("carol", "*", expires=0, call_id=cid, cseq=10)
        self.assertEqual(r.status, 200, r.first_line)
        self.assertEqual(contacts(r), {})
        resp, _ = self.options("carol")
        self.assertEqual(resp.status, 404)

    def test_star_needs_expires_zero(self):
        r = self.register("carol2", "*", expires=60)
        self.assertEqual(r.status, 400)

    def test_older_cseq_refused(self):
        cid = sc.rand_token(12)
        c = "<sip:dave@127.0.0.1:%d>" % self.ua.port
        self.assertEqual(self.register("dave", c, 60, cid, 5).status, 200)
        r = self.register("dave", c, 60, cid, 4)
        self.assertEqual(r.status, 400, r.first_line)
        self.assertEqual(self.register("dave", c, 60, cid, 6).status, 200)

    def test_q_highest_wins(self):
        lo = "sip:erin@127.0.0.1:%d" % self.ua.port
        hi = "sip:erin@127.0.0.1:%d" % self.ua2.port
        r = self.register("erin", "<%s>;q=0.2, <%s>;q=0.9" % (lo, hi),
                          expires=60)
        self.assertEqual(r.status, 200)
        got = contacts(r)
        self.assertIn(";q=0.9", got[hi])
        self.assertIn(";q=0.2", got[lo])
        resp, req = self.options("erin")
        self.assertEqual(resp.status, 200)
        rcv = self.ua2.wait_call(req.call_id)
        self.assertEqual(len(rcv), 1)
        self.assertEqual(rcv[0].msg.uri, hi)
        self.assertEqual(self.ua.wait_call(req.call_id, timeout=0.5), [])

    def test_unknown_aor_404(self):
        resp, _ = self.options("nobody")
        self.assertEqual(resp.status, 404)

    def test_query_without_contact(self):
        c = "sip:frank@127.0.0.1:%d" % self.ua.port
        self.assertEqual(self.register("frank", "<%s>" % c, 60).status, 200)
        r = self.register("frank", None)
        self.assertEqual(r.status, 200)
        self.assertIn(c, contacts(r))

    def test_expiry_by_timer(self):
        c = "sip:gina@127.0.0.1:%d" % self.ua.port
        since = self.proxy.log_size()
        r = self.register("gina", "<%s>" % c, expires=2)
        self.assertEqual(r.status, 200)
        resp, _ = self.options("gina")
        self.assertEqual(resp.status, 200)
        self.proxy.wait_log(r"usrloc location: gina: contact .* expired",
                            timeout=6, since=since)
        resp, _ = self.options("gina")
        self.assertEqual(resp.status, 404)

    def test_registered(self):
        c = "sip:check@127.0.0.1:%d" % self.ua.port
        with sc.UdpSocket() as u:
            resp, _ = u.send_request(self.paddr, "OPTIONS",
                                     "sip:check@127.0.0.1")
        self.assertEqual(resp.status, 404)
        self.assertEqual(self.register("check", "<%s>" % c, 60).status, 200)
        with sc.UdpSocket() as u:
            resp, _ = u.send_request(self.paddr, "OPTIONS",
                                     "sip:check@127.0.0.1")
        self.assertEqual(resp.status, 200)

    def test_tcp_contact_reached_over_its_connection(self):
        """Seed 004: the Contact names a port nobody listens on and no
        transport; the request must come back over the registering TCP
        connection, which outlives tcp_connection_lifetime (2 s)."""
        with sc.TcpClient("127.0.0.1", self.proxy.port("A")) as t:
            req = t.make_request("REGISTER", "sip:127.0.0.1",
                                 to_uri="sip:mx@127.0.0.1",
                                 from_uri="sip:mx@127.0.0.1",
                                 headers=[("Contact",
                                           "<sip:mx@127.0.0.1:16000>"),
                                          ("Expires", "60")])
            resp = t.transact(req)
            self.assertIsNotNone(resp)
            self.assertEqual(resp.status, 200)
            time.sleep(4)
            self.assertFalse(t.closed)
            with sc.UdpSocket() as u:
                data = u.make_request("INVITE", "sip:mx@127.0.0.1")
                u.sendto(data, self.paddr)
                got = t.recv(timeout=5)
                self.assertIsNotNone(got, "INVITE did not arrive over the "
                                     "registered TCP connection")
                self.assertEqual(got.method, "INVITE")
                self.assertEqual(got.uri, "sip:mx@127.0.0.1:16000")
                self.assertEqual(got.call_id, sc.parse(data).call_id)
                # answer it: the 200 goes back to the UDP caller
                t.send(sc.response(got, 200))
                r = u.wait_response(sc.parse(data))
                self.assertIsNotNone(r)
                self.assertEqual(r.status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
