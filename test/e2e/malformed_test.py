"""Malformed input and stream framing.

- a request with a usable Via but a broken header gets 400 Bad Request
- unparsable garbage is dropped, and the next valid request is answered
- TCP: no Content-Length -> 400 and the connection is closed
- TCP: a message split over several sends is reassembled
- TCP: a 60 KB message is forwarded intact; > 64 KB is refused (closed)
- TCP: leading CRLFs are skipped; a CRLFCRLF ping is answered with CRLF
"""

import os
import socket
import struct
import sys
import time
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
mpath = "$MODULES"

loadmodule "sl.so"

route {
    if (uri =~ "^sip:big@") {
        forward("tcp:127.0.0.1:$PORT_UAS");
        exit;
    }
    sl_send_reply("200", "OK");
}
"""

ANSWER = 3.0
SILENCE = 1.0

GARBAGE = [
    b"\x00\x01\x02\x03garbage\xff\xfe",
    b"NOT SIP AT ALL\r\n\r\n",
    b"\r\n",
    b"INVITE",
    b"SIP/2.0\r\n\r\n",
    b"OPTIONS sip:x@y SIP/2.0\r\n\r\n",              # no Via at all
    b"OPTIONS sip:x@y SIP/2.0\r\nVia: nonsense\r\n\r\n",
    bytes(range(256)) * 4,
]


class Malformed(unittest.TestCase):
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

    def udp(self):
        u = sc.UdpSocket()
        self.addCleanup(u.close)
        return u

    def tcp(self):
        c = sc.TcpClient(*self.paddr)
        self.addCleanup(c.close)
        return c

    def assert_alive(self):
        """A normal OPTIONS over UDP and over TCP is answered 200."""
        with sc.UdpSocket() as u:
            resp, _ = u.send_request(self.paddr, "OPTIONS",
                                     "sip:alive@example.net", timeout=ANSWER)
            self.assertIsNotNone(resp, "proxy does not answer over UDP "
                                 "any more\n" + self.proxy.log_tail(20))
            self.assertEqual(resp.status, 200)
        with sc.TcpClient(*self.paddr) as c:
            resp, _ = c.send_request("OPTIONS", "sip:alive@example.net",
                                     timeout=ANSWER)
            self.assertIsNotNone(resp, "proxy does not answer over TCP "
                                 "any more\n" + self.proxy.log_tail(20))
            self.assertEqual(resp.status, 200)

    def bad_cseq_requests(self, make):
        yield "non-numeric CSeq", make("OPTIONS", "sip:x@example.net",
                                       headers={"CSeq": "abc OPTIONS"})
        yield "CSeq without method", make("OPTIONS", "sip:x@example.net",
                                          headers={"CSeq": "1"})

    def expect_400(self, what, data, recv):
        branch = sc.parse(data).top_via.branch
        deadline = time.monotonic() + ANSWER
        for _ in range(20):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            m = recv(left)
            if m is None:
                break
            if m.is_request or not m.vias():
                continue
            if m.top_via.branch == branch:
                self.assertEqual(m.status, 400, "%s: %s" % (what,
                                                           m.first_line))
                return m
        self.fail("%s: no 400 for %r" % (what, data[:300]))

    # -- 400 for malformed requests with a usable Via ----------------------
    def test_bad_header_gets_400_udp(self):
        u = self.udp()
        for what, data in self.bad_cseq_requests(u.make_request):
            with self.subTest(what):
                u.sendto(data, self.paddr)
                self.expect_400(what, data, lambda t: u.recv(t)[0])
        self.assert_alive()

    def test_bad_header_gets_400_tcp(self):
        # a new connection each: whether a 400 closes it is not the point
        for i in range(2):
            c = self.tcp()
            what, data = list(self.bad_cseq_requests(c.make_request))[i]
            with self.subTest(what):
                c.send(data)
                self.expect_400(what, data, c.recv)
        self.assert_alive()

    # -- garbage -------------------------------------------------------------
    def test_garbage_is_dropped_udp(self):
        """No usable Via: nothing to answer to; dropped (RFC 3261 18.2.1:
        a request without a usable Via cannot be answered)."""
        for g in GARBAGE:
            with self.subTest(garbage=g[:40]):
                with sc.UdpSocket() as u:
                    u.sendto(g, self.paddr)
                    raw, _ = u.recv_raw(SILENCE / 2)
                self.assertIsNone(raw, "garbage %r was answered: %r"
                                  % (g[:60], raw))
        self.assert_alive()

    def test_garbage_on_tcp_does_not_hurt(self):
        for g in GARBAGE:
            with self.subTest(g[:20]):
                c = sc.TcpClient(*self.paddr)
                try:
                    c.send(g + b"\r\n\r\n")
                    # the connection may be answered with 400 or closed;
                    # it must not produce a 2xx
                    data = c.recv_raw(0.5)
                    if data:
                        self.assertNotIn(b"SIP/2.0 200", data)
                except (ConnectionError, OSError):
                    pass
                finally:
                    c.close()
        self.assert_alive()

    # -- stream framing -----------------------------------------------------
    def test_tcp_no_content_length_gets_400_and_close(self):
        c = self.tcp()
        data = c.make_request("OPTIONS", "sip:x@example.net",
                              content_length=False)
        self.assertNotIn(b"Content-Length", data)
        c.send(data)
        resp = c.recv(ANSWER)
        self.assertIsNotNone(resp, "no 400 for a stream message without "
                             "Content-Length")
        self.assertEqual(resp.status, 400)
        self.assertEqual(resp.top_via.branch, sc.parse(data).top_via.branch)
        self.assertTrue(c.wait_closed(ANSWER), "connection not closed after "
                        "the 400")
        self.assert_alive()

    def test_tcp_message_split_over_five_sends(self):
        c = self.tcp()
        data = c.make_request("MESSAGE", "sip:x@example.net", body=b"y" * 500,
                              headers={"Content-Type": "text/plain"})
        c.send_chunks(data, n=5, delay=0.1)
        resp = c.wait_response(sc.parse(data), ANSWER)
        self.assertIsNotNone(resp, "no answer to a message sent in 5 pieces")
        self.assertEqual(resp.status, 200)

    def test_tcp_split_inside_header_name_and_crlf(self):
        """Cut points on awkward bytes: inside a header name, between CR and
        LF, between the blank line's CRLFs, one byte of body."""
        c = self.tcp()
        data = c.make_request("MESSAGE", "sip:x@example.net", body=b"abc")
        head_end = data.index(b"\r\n\r\n")
        cuts = sorted({data.index(b"Call-ID") + 3, data.index(b"\r\n") + 1,
                       head_end + 2, head_end + 5})
        sizes, prev = [], 0
        for cut in cuts:
            sizes.append(cut - prev)
            prev = cut
        c.send_chunks(data, sizes=sizes, delay=0.05)
        resp = c.wait_response(sc.parse(data), ANSWER)
        self.assertIsNotNone(resp)
        self.assertEqual(resp.status, 200)

    def test_tcp_two_messages_in_one_send_and_one_split(self):
        c = self.tcp()
        a = c.make_request("OPTIONS", "sip:a@example.net")
        b = c.make_request("OPTIONS", "sip:b@example.net")
        c.send(a + b[:40])
        time.sleep(0.1)
        c.send(b[40:])
        for d in (a, b):
            resp = c.wait_response(sc.parse(d), ANSWER)
            self.assertIsNotNone(resp)
            self.assertEqual(resp.status, 200)

    def test_tcp_60k_message_forwarded_intact(self):
        c = self.tcp()
        body = (b"0123456789abcdef" * 4096)[:60 * 1024 - 7] + b"THE-END"
        data = c.make_request("MESSAGE", "sip:big@example.net", body=body,
                              headers={"Content-Type": "text/plain"})
        self.assertLess(len(data), 65536)
        req = sc.parse(data)
        c.send_chunks(data, n=8, delay=0.02)
        got = self.nh.wait_call(req.call_id, 1, ANSWER * 2)
        self.assertEqual(len(got), 1, "60 KB message not forwarded")
        fwd = got[0].msg
        self.assertEqual(got[0].proto, "tcp")
        self.assertEqual(fwd.content_length, len(body))
        self.assertEqual(fwd.body, body, "body changed in transit")
        for h in ("from", "to", "call-id", "cseq", "content-type"):
            self.assertEqual(fwd.get(h), req.get(h), h)
        self.assertEqual(len(fwd.vias()), 2)
        resp = c.wait_response(req, ANSWER)
        self.assertIsNotNone(resp, "no reply to the 60 KB message")
        self.assertEqual(resp.status, 200)

    def test_tcp_over_64k_is_refused(self):
        c = self.tcp()
        body = b"z" * 70000
        data = c.make_request("MESSAGE", "sip:big@example.net", body=body)
        req = sc.parse(data)
        try:
            c.send_chunks(data, n=10, delay=0.02)
        except (ConnectionError, OSError):
            pass                      # closed while we were still sending
        closed = c.wait_closed(5.0)
        if c.buf.strip(b"\r\n"):
            r = sc.frame(c.buf)
            if r is not None:
                m = sc.parse(r[0])
                self.assertGreaterEqual(m.status, 400, m.first_line)
        self.assertTrue(closed, "connection not closed after > 64 KB")
        self.assertEqual(self.nh.wait_call(req.call_id, 1, 0.3), [],
                         "> 64 KB message was forwarded")
        self.assert_alive()

    def test_tcp_leading_crlfs_are_skipped(self):
        c = self.tcp()
        for lead in (b"\r\n", b"\r\n\r\n\r\n"):
            with self.subTest(lead=lead):
                data = c.make_request("OPTIONS", "sip:x@example.net")
                c.send(lead + data)
                resp = c.wait_response(sc.parse(data), ANSWER)
                self.assertIsNotNone(resp, "no answer after leading %r"
                                     % lead)
                self.assertEqual(resp.status, 200)

    def test_tcp_crlf_ping_gets_pong(self):
        c = self.tcp()
        c.send(b"\r\n\r\n")
        pong = c.recv_raw(ANSWER, nbytes=2)
        self.assertEqual(pong, b"\r\n", "CRLFCRLF ping not answered with "
                         "CRLF")
        # the connection is still usable
        resp, _ = c.send_request("OPTIONS", "sip:x@example.net",
                                 timeout=ANSWER)
        self.assertIsNotNone(resp)
        self.assertEqual(resp.status, 200)

    def test_tcp_client_closes_mid_message(self):
        c = sc.TcpClient(*self.paddr)
        data = c.make_request("MESSAGE", "sip:x@example.net", body=b"q" * 100)
        c.send(data[:len(data) // 2])
        c.close()
        s = socket.create_connection(self.paddr, timeout=2)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))     # close with RST
        s.sendall(data[:20])
        s.close()
        self.assert_alive()


if __name__ == "__main__":
    unittest.main()
