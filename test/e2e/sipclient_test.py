"""The test library itself: sipclient parsing/building on literal messages,
and the harness helpers that need no openser binary."""

import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import harness                                          # noqa: E402
import sipclient as sc                                  # noqa: E402

INVITE = (
    b"INVITE sip:bob@example.com SIP/2.0\r\n"
    b"v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK111;received=192.0.2.7;"
    b"rport=5062, SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bK222\r\n"
    b"Via: SIP/2.0/UDP a.example.org;branch=z9hG4bK333;rport\r\n"
    b"Max-Forwards: 70\r\n"
    b"f: \"Alice, the 1st\" <sip:alice@example.com>;tag=abc\r\n"
    b"t: <sip:bob@example.com>\r\n"
    b"i: 1234@host\r\n"
    b"CSeq: 7 INVITE\r\n"
    b"m: <sip:alice@10.0.0.1>;expires=60, <sip:a2@10.0.0.2>\r\n"
    b"Subject: folded\r\n"
    b"  across lines\r\n"
    b"Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n"
    b"c: application/sdp\r\n"
    b"l: 5\r\n"
    b"\r\n"
    b"v=0\r\nEXTRA"
)

RESPONSE = (
    b"SIP/2.0 180 Ringing now\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK111\r\n"
    b"From: <sip:alice@example.com>;tag=abc\r\n"
    b"To: <sip:bob@example.com>;tag=xyz\r\n"
    b"Call-ID: 1234@host\r\n"
    b"CSeq: 7 INVITE\r\n"
    b"Content-Length: 0\r\n\r\n"
)


class Parse(unittest.TestCase):
    def test_request_line_and_compact_headers(self):
        m = sc.parse(INVITE)
        self.assertTrue(m.is_request)
        self.assertEqual((m.method, m.uri, m.version),
                         ("INVITE", "sip:bob@example.com", "SIP/2.0"))
        self.assertEqual(m.call_id, "1234@host")
        self.assertEqual(m.get("CALL-ID"), "1234@host")
        self.assertEqual(m.get("i"), "1234@host")
        self.assertEqual(m.cseq, (7, "INVITE"))
        self.assertEqual(m.content_length, 5)
        self.assertEqual(m.body, b"v=0\r\n")
        self.assertEqual(m.tag("from"), "abc")
        self.assertIsNone(m.tag("to"))
        self.assertEqual(m.get("subject"), "folded across lines")
        self.assertEqual(m.get("date"), "Sat, 13 Nov 2010 23:29:00 GMT")

    def test_multi_valued_via_and_contact(self):
        m = sc.parse(INVITE)
        self.assertEqual(m.count("via"), 2)
        vias = m.vias()
        self.assertEqual(len(vias), 3)
        self.assertEqual(vias[0].proto, "UDP")
        self.assertEqual((vias[0].host, vias[0].port), ("10.0.0.1", 5060))
        self.assertEqual(vias[0].branch, "z9hG4bK111")
        self.assertEqual(vias[0].received, "192.0.2.7")
        self.assertEqual(vias[0].rport, "5062")
        self.assertEqual(vias[0].reply_addr(), ("192.0.2.7", 5062))
        self.assertEqual(vias[1].proto, "TCP")
        self.assertEqual(vias[1].host, "[2001:db8::1]")
        self.assertEqual(vias[1].bare_host(), "2001:db8::1")
        self.assertEqual(vias[1].port, 5070)
        self.assertIsNone(vias[1].rport)
        self.assertEqual(vias[2].rport, "")
        self.assertIsNone(vias[2].port)
        self.assertEqual(vias[2].reply_addr(), ("a.example.org", 5060))
        self.assertEqual(len(m.get_all("contact")), 2)
        # quoted comma in From is not a separator
        self.assertEqual(len(m.get_all("from", split=True)), 1)
        # Date is not split on its comma
        self.assertEqual(len(m.get_all("date")), 1)

    def test_response(self):
        m = sc.parse(RESPONSE)
        self.assertFalse(m.is_request)
        self.assertEqual((m.status, m.reason), (180, "Ringing now"))
        self.assertEqual(m.tag("to"), "xyz")
        self.assertEqual(m.body, b"")

    def test_leading_crlf_and_bare_lf(self):
        m = sc.parse(b"\r\n\r\nOPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h"
                     b";branch=z9hG4bKx\nContent-Length: 2\n\nhi")
        self.assertEqual(m.method, "OPTIONS")
        self.assertEqual(m.body, b"hi")
        self.assertEqual(m.top_via.branch, "z9hG4bKx")

    def test_garbage(self):
        for bad in (b"", b"\r\n", b"hello", b"SIP/2.0 abc Bad\r\n\r\n",
                    b"OPTIONS sip:x SIP/2.0\r\nNoColonHere\r\n\r\n"):
            with self.assertRaises(sc.ParseError, msg=bad):
                sc.parse(bad)
        with self.assertRaises(sc.ParseError):
            sc.Via("garbage")

    def test_via_odd_spacing(self):
        v = sc.Via("SIP / 2.0 / tcp  host.example.com : 5070 ; branch = "
                   "z9hG4bKa ; rport")
        self.assertEqual((v.proto, v.host, v.port), ("TCP",
                                                     "host.example.com", 5070))
        self.assertEqual(v.branch, "z9hG4bKa")
        self.assertEqual(v.rport, "")


class Frame(unittest.TestCase):
    def test_frames_back_to_back(self):
        buf = b"\r\n" + RESPONSE + RESPONSE[:30]
        msg, rest = sc.frame(buf)
        self.assertEqual(msg, RESPONSE)
        self.assertEqual(rest, RESPONSE[:30])
        self.assertIsNone(sc.frame(rest))

    def test_body_incomplete(self):
        self.assertIsNone(sc.frame(INVITE[:-8]))
        msg, rest = sc.frame(INVITE)
        self.assertEqual(msg, INVITE[:-5])
        self.assertEqual(rest, b"EXTRA")

    def test_no_content_length(self):
        with self.assertRaises(sc.ParseError):
            sc.frame(b"OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n")


class Build(unittest.TestCase):
    def test_request_defaults(self):
        raw = sc.request("OPTIONS", "sip:x@example.com", host="127.0.0.1",
                         port=5555, body="abc",
                         headers=[("Accept", "application/sdp")])
        m = sc.parse(raw)
        self.assertEqual(m.method, "OPTIONS")
        v = m.top_via
        self.assertEqual((v.proto, v.host, v.port), ("UDP", "127.0.0.1",
                                                     5555))
        self.assertTrue(v.branch.startswith("z9hG4bK"))
        self.assertEqual(v.rport, "")
        self.assertEqual(m.cseq, (1, "OPTIONS"))
        self.assertIsNotNone(m.tag("from"))
        self.assertEqual(m.content_length, 3)
        self.assertEqual(m.body, b"abc")
        self.assertEqual(m.get("accept"), "application/sdp")
        self.assertEqual(m.get("max-forwards"), "70")

    def test_request_overrides(self):
        raw = sc.request("INVITE", "sip:x@h", host="::1", port=1,
                         headers={"CSeq": "abc INVITE", "Max-Forwards":
                                  None}, content_length=False)
        m = sc.parse(raw)
        self.assertEqual(m.top_via.host, "[::1]")
        self.assertEqual(m.get("cseq"), "abc INVITE")
        self.assertIsNone(m.cseq)
        self.assertFalse(m.has("max-forwards"))
        self.assertFalse(m.has("content-length"))
        raw = sc.request("INVITE", "sip:x@h", content_length=99)
        self.assertEqual(sc.parse(raw).get("content-length"), "99")

    def test_response_copies_and_tags(self):
        req = sc.parse(INVITE)
        r = sc.parse(sc.response(req, 200, to_tag="t1"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.reason, "OK")
        self.assertEqual([v.raw for v in r.vias()],
                         [v.raw for v in req.vias()])
        self.assertEqual(r.tag("to"), "t1")
        self.assertEqual(r.tag("from"), "abc")
        self.assertEqual(r.call_id, req.call_id)
        self.assertEqual(r.cseq, req.cseq)
        self.assertTrue(sc.matches(r, req))
        other = sc.parse(sc.request("INVITE", "sip:x@h", call_id="1234@host",
                                    cseq=7))
        self.assertFalse(sc.matches(r, other))


class Sockets(unittest.TestCase):
    """The client and NextHop talk to each other over loopback."""

    def test_udp_nexthop_roundtrip(self):
        with sc.NextHop(udp=True, tcp=True) as nh, sc.UdpSocket() as u:
            resp, raw = u.send_request(("127.0.0.1", nh.port), "OPTIONS",
                                       "sip:x@127.0.0.1", timeout=3)
            self.assertIsNotNone(resp)
            self.assertEqual(resp.status, 200)
            self.assertTrue(resp.tag("to").startswith("nh"))
            got = nh.wait(1, 2)
            self.assertEqual(got[0].raw, raw)
            self.assertEqual(got[0].proto, "udp")

    def test_tcp_nexthop_chunks_and_ping(self):
        with sc.NextHop() as nh, sc.TcpClient("127.0.0.1", nh.port) as c:
            data = c.make_request("MESSAGE", "sip:x@127.0.0.1",
                                  body=b"x" * 3000)
            req = sc.parse(data)
            c.send_chunks(data, n=5, delay=0.02)
            resp = c.wait_response(req, 3)
            self.assertEqual(resp.status, 200)
            self.assertEqual(nh.wait(1, 2)[0].msg.body, b"x" * 3000)
            c.send(b"\r\n\r\n")
            self.assertEqual(c.recv_raw(2, nbytes=2), b"\r\n")

    def test_tcp_wait_closed(self):
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        srv.settimeout(2)

        def closer():
            s, _ = srv.accept()
            s.sendall(b"bye")
            time.sleep(0.1)
            s.close()
        t = threading.Thread(target=closer, daemon=True)
        t.start()
        with sc.TcpClient("127.0.0.1", srv.getsockname()[1], timeout=2) as c:
            self.assertTrue(c.wait_closed(2))
            self.assertEqual(c.buf, b"bye")
        t.join(2)
        srv.close()

    @unittest.skipUnless(harness.ipv6_ok(), "needs ipv6: ::1 not bindable")
    def test_udp_ipv6(self):
        with sc.NextHop(host="::1") as nh, sc.UdpSocket("::1") as u:
            resp, _ = u.send_request(("::1", nh.port), "OPTIONS",
                                     "sip:x@[::1]", timeout=3)
            self.assertEqual(resp.status, 200)
            self.assertEqual(nh.received[0].msg.top_via.host, "[::1]")


class Harness(unittest.TestCase):
    def test_substitute_and_listens(self):
        ports = harness.Ports()
        cfg = harness.substitute(
            'listen = udp:127.0.0.1:$PORT_A\nlisten = tcp:127.0.0.1:$PORT_A\n'
            'listen = udp:[::1]:$PORT_B6\nlisten=127.0.0.1:$PORT_C\n'
            'mpath = "$MODULES"\nx = "$DIR/x"\n', ports, "/tmp/d")
        a, b, c = ports("A"), ports("B6"), ports("C")
        self.assertEqual(len({a, b, c}), 3)
        self.assertIn("udp:127.0.0.1:%d" % a, cfg)
        self.assertIn("/tmp/d/x", cfg)
        self.assertNotIn("$", cfg)
        self.assertEqual(harness.listens(cfg), [
            ("udp", "127.0.0.1", a), ("tcp", "127.0.0.1", a),
            ("udp", "::1", b), ("udp", "127.0.0.1", c),
            ("tcp", "127.0.0.1", c)])

    def test_scan_log(self):
        log = ("INFO: fine\nCRIT: bad\nERROR: BUGGY is ok\nBUG: x\n"
               "==1==ERROR: AddressSanitizer: heap\n"
               "a.c:3:5: runtime error: shift\n")
        self.assertEqual(len(harness.scan_log(log)), 4)

    def test_free_port_is_free(self):
        p = harness.free_port()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", p))
        s.close()
        self.assertNotEqual(p, harness.free_port())


if __name__ == "__main__":
    unittest.main()
