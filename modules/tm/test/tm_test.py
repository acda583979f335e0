"""tm: stateful forwarding (RFC 3261 17 and 16).

A client (UDP, or TCP) sends requests to openser, which relays them with
t_relay() to Python next hops; the next hops answer according to the user
part of the R-URI:

  *silent*  nothing            *ring*    180 only (CANCEL: 200 + 487)
  *busy*    486                *unavail* 503
  otherwise 180 then 200

Checked: 100 Trying and relayed 180/200, UDP retransmissions with
retr_timer1 = 100 ms and none over TCP, fr_timer / fr_inv_timer expiry
(408 upstream, CANCEL downstream), CANCEL (200 + 487, CANCEL forwarded),
the hop-by-hop ACK of a non-2xx and the end-to-end ACK of a 2xx, parallel
forking with best-response selection, serial forking from failure_route,
t_reply / t_newtran, UDP in -> TCP out and TCP in -> UDP out."""

import os
import sys
import threading
import time
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
loadmodule "tm.so"
modparam("tm", "retr_timer1", 100)
modparam("tm", "retr_timer2", 400)
modparam("tm", "fr_timer", 2)
modparam("tm", "fr_inv_timer", 2)
modparam("tm", "wt_timer", 2)

route {
    if (uri =~ "^sip:local@") {
        t_reply("404", "Not Here");
        exit;
    }
    if (uri =~ "^sip:newtran@") {
        t_newtran();
        t_reply("480", "Later");
        exit;
    }
    if (uri =~ "^sip:totcp") {
        if (!t_relay("tcp:127.0.0.1:$PORT_UAS")) {
            sl_reply_error();
        }
        exit;
    }
    if (uri =~ "^sip:toudp") {
        if (!t_relay_to_udp("127.0.0.1", "$PORT_UAS")) {
            sl_reply_error();
        }
        exit;
    }
    if (uri =~ "^sip:fork") {
        append_branch("sip:ok-b2@127.0.0.1:$PORT_UAS2");
        append_branch("sip:ring-b3@127.0.0.1:$PORT_UAS");
    }
    if (uri =~ "^sip:unavail") {
        $avp(i:5) = "serial";
        t_on_failure("1");
    }
    if (uri =~ "^sip:hide180") {
        t_on_reply("1");
    }
    if (uri =~ "^sip:nowhere") {
        t_on_failure("2");
    }
    if (!t_relay()) {
        sl_reply_error();
    }
}

failure_route[1] {
    if (t_was_cancelled()) {
        exit;
    }
    rewritehostport("127.0.0.1:$PORT_UAS2");
    if ($avp(i:5) == "serial") {
        rewriteuser("ok-serial");
    } else {
        rewriteuser("ok-lost-avp");
    }
    t_relay();
}

onreply_route[1] {
    if (status == "180") {
        drop;
    }
}

failure_route[2] {
    t_reply("599", "Failure Route Was Here");
}
"""


class Responder:
    """The next hops' behaviour, by R-URI user; remembers INVITEs by
    branch so a CANCEL can be answered with 200 + 487."""

    def __init__(self):
        self.invites = {}
        self.lock = threading.Lock()

    def __call__(self, rcv):
        m = rcv.msg
        if m is None or not m.is_request or m.method == "ACK":
            return None
        user = m.uri.split(":", 1)[1].split("@", 1)[0]
        tag = "nh" + sc.rand_token(6)
        if m.method == "CANCEL":
            with self.lock:
                inv = self.invites.pop(m.top_via.branch, None)
            out = [sc.response(m, 200)]
            if inv is not None:
                out.append(sc.response(inv, 487, "Request Terminated",
                                       to_tag=tag))
            return out
        with self.lock:
            self.invites[m.top_via.branch] = m
        if "silent" in user:
            return None
        if "ring" in user:
            return sc.response(m, 180, "Ringing", to_tag=tag)
        if "busy" in user:
            return sc.response(m, 486, "Busy Here", to_tag=tag)
        if "unavail" in user:
            return sc.response(m, 503, "Service Unavailable", to_tag=tag)
        return [sc.response(m, 180, "Ringing", to_tag=tag),
                sc.response(m, 200, "OK", to_tag=tag)]


def got(nh, method, call_id, count=1, timeout=3.0):
    return nh.wait(count, timeout, lambda r: r.msg is not None
                   and r.msg.is_request and r.msg.method == method
                   and r.msg.call_id == call_id)


def recv_all(sock, call_id, timeout, max_msgs=50):
    """Every message for call_id that reaches a UdpSocket in timeout s."""
    out = []
    deadline = time.monotonic() + timeout
    for _ in range(max_msgs):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        m, _, _ = sock.recv(left)
        if m is not None and m.call_id == call_id:
            out.append(m)
    return out


def recv_status(sock, call_id, status, timeout=4.0, max_msgs=50):
    deadline = time.monotonic() + timeout
    for _ in range(max_msgs):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        m, _, _ = sock.recv(left)
        if m is not None and not m.is_request and m.call_id == call_id \
                and m.status == status:
            return m
    return None


def ack_for(req_raw, resp, sock, branch=None):
    """An ACK for the INVITE req_raw answered by resp: same branch for a
    non-2xx (17.1.1.3), a new one for a 2xx."""
    req = sc.parse(req_raw)
    return sock.make_request(
        "ACK", req.uri, call_id=req.call_id, from_tag=req.tag("from"),
        to_tag=resp.tag("to"), cseq=req.cseq[0],
        branch=branch or req.top_via.branch)


class TmUdp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, label="tm")
        cls.resp = Responder()
        cls.nh = sc.NextHop(port=cls.proxy.port("UAS"),
                            responder=cls.resp).start()
        cls.nh2 = sc.NextHop(port=cls.proxy.port("UAS2"),
                             responder=cls.resp).start()
        cls.proxy.start()
        cls.addr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.nh.stop()
        cls.nh2.stop()
        cls.proxy.stop()

    def uri(self, user, port_name="UAS"):
        return "sip:%s@127.0.0.1:%d" % (user, self.proxy.port(port_name))

    def invite(self, u, user, **kw):
        data = u.make_request("INVITE", self.uri(user), **kw)
        u.sendto(data, self.addr)
        return data, sc.parse(data).call_id

    def test_invite_100_180_200(self):
        with sc.UdpSocket() as u:
            data, cid = self.invite(u, "ok")
            msgs = recv_all(u, cid, 1.5)
        codes = [m.status for m in msgs]
        # the next hop sends 180 and 200 back to back; two receivers may
        # take them in either order, and a 180 after the 200 is dropped
        self.assertEqual(codes[0], 100, msgs)
        self.assertIn(200, codes, msgs)
        if 180 in codes:
            self.assertLess(codes.index(180), codes.index(200))
        for m in msgs:
            self.assertEqual(len(m.vias()), 1, "only the client's Via")
            self.assertEqual(m.top_via.branch,
                             sc.parse(data).top_via.branch)
        inv = got(self.nh, "INVITE", cid)
        self.assertEqual(len(inv), 1)
        top = inv[0].msg.top_via
        self.assertTrue(top.branch.startswith("z9hG4bK"))
        self.assertEqual(top.port, self.proxy.port("A"))

    def test_request_retransmission_absorbed(self):
        with sc.UdpSocket() as u:
            data = u.make_request("OPTIONS", self.uri("ok-opt"))
            cid = sc.parse(data).call_id
            u.sendto(data, self.addr)
            first = recv_status(u, cid, 200, 2.0)
            self.assertIsNotNone(first)
            u.sendto(data, self.addr)
            again = recv_status(u, cid, 200, 2.0)
        self.assertIsNotNone(again, "the 200 is resent to a retransmission")
        time.sleep(0.3)
        self.assertEqual(len(got(self.nh, "OPTIONS", cid, 2, 0.3)), 1,
                         "the retransmission is not forwarded again")

    def test_udp_retransmissions_then_408(self):
        with sc.UdpSocket() as u:
            data = u.make_request("OPTIONS", self.uri("silent-nonINVITE"))
            cid = sc.parse(data).call_id
            u.sendto(data, self.addr)
            copies = got(self.nh, "OPTIONS", cid, 4, 1.5)
            self.assertGreaterEqual(len(copies), 4,
                                    "T1 = 100 ms: 0, 0.1, 0.3, 0.7 s, ...")
            gaps = [b.time - a.time for a, b in zip(copies, copies[1:])]
            self.assertLess(gaps[0], gaps[1] + 0.05, gaps)
            r = recv_status(u, cid, 408, 4.0)
        self.assertIsNotNone(r, "fr_timer expiry: 408 to the caller")
        self.assertTrue(r.tag("to"))

    def test_fr_inv_timer_408_and_cancel(self):
        with sc.UdpSocket() as u:
            data, cid = self.invite(u, "ring-timeout")
            r = recv_status(u, cid, 180, 2.0)
            self.assertIsNotNone(r)
            r = recv_status(u, cid, 408, 5.0)
            self.assertIsNotNone(r, "fr_inv_timer: 408 to the caller")
            self.assertEqual(len(got(self.nh, "CANCEL", cid, 1, 2.0)), 1,
                             "the ringing branch is cancelled")
            u.sendto(ack_for(data, r, u), self.addr)
            time.sleep(0.5)
        self.assertEqual(got(self.nh, "ACK", cid, 1, 0.2), [],
                         "the ACK for our 408 stays here")

    def test_cancel(self):
        with sc.UdpSocket() as u:
            data, cid = self.invite(u, "ring-cancel")
            self.assertIsNotNone(recv_status(u, cid, 180, 2.0))
            req = sc.parse(data)
            cancel = u.make_request(
                "CANCEL", req.uri, call_id=cid, from_tag=req.tag("from"),
                cseq=req.cseq[0], branch=req.top_via.branch)
            u.sendto(cancel, self.addr)
            got200 = got487 = None
            deadline = time.monotonic() + 4
            while time.monotonic() < deadline and not (got200 and got487):
                m, _, _ = u.recv(deadline - time.monotonic())
                if m is None or m.is_request or m.call_id != cid:
                    continue
                if m.cseq[1] == "CANCEL" and m.status == 200:
                    got200 = m
                if m.cseq[1] == "INVITE" and m.status == 487:
                    got487 = m
            self.assertIsNotNone(got200, "200 for the CANCEL")
            self.assertIsNotNone(got487, "487 for the INVITE")
            u.sendto(ack_for(data, got487, u), self.addr)
        c = got(self.nh, "CANCEL", cid)
        self.assertEqual(len(c), 1)
        inv = got(self.nh, "INVITE", cid)[0].msg
        self.assertEqual(c[0].msg.top_via.branch, inv.top_via.branch,
                         "a CANCEL has the branch of its INVITE")
        self.assertEqual(c[0].msg.uri, inv.uri)
        acks = got(self.nh, "ACK", cid, 1, 2.0)
        self.assertEqual(len(acks), 1, "the proxy ACKs the 487 itself")

    def test_non2xx_ack_hop_by_hop(self):
        with sc.UdpSocket() as u:
            data, cid = self.invite(u, "busy")
            r = recv_status(u, cid, 486, 2.0)
            self.assertIsNotNone(r)
            acks = got(self.nh, "ACK", cid, 1, 2.0)
            self.assertEqual(len(acks), 1, "hop-by-hop ACK from the proxy")
            inv = got(self.nh, "INVITE", cid)[0].msg
            a = acks[0].msg
            self.assertEqual(a.top_via.branch, inv.top_via.branch)
            self.assertEqual(a.cseq, (inv.cseq[0], "ACK"))
            self.assertEqual(a.tag("to"), r.tag("to"))
            self.assertEqual(len(a.vias()), 1)
            u.sendto(ack_for(data, r, u), self.addr)
            time.sleep(0.5)
        self.assertEqual(len(got(self.nh, "ACK", cid, 2, 0.2)), 1,
                         "the caller's ACK is not forwarded")

    def test_non2xx_retransmitted_until_ack(self):
        with sc.UdpSocket() as u:
            data, cid = self.invite(u, "busy-noack")
            msgs = recv_all(u, cid, 1.2)
        n = sum(1 for m in msgs if m.status == 486)
        self.assertGreaterEqual(n, 3, "486 retransmitted (timer G): %r"
                                % msgs)

    def test_2xx_ack_end_to_end(self):
        with sc.UdpSocket() as u:
            data, cid = self.invite(u, "ok-ack")
            r = recv_status(u, cid, 200, 2.0)
            self.assertIsNotNone(r)
            u.sendto(ack_for(data, r, u, branch=sc.new_branch()), self.addr)
            acks = got(self.nh, "ACK", cid, 1, 2.0)
        self.assertEqual(len(acks), 1, "the 2xx ACK reaches the UAS")
        a = acks[0].msg
        self.assertEqual(len(a.vias()), 2, "forwarded: our Via + caller's")
        self.assertEqual(a.tag("to"), r.tag("to"))

    def test_parallel_forking(self):
        with sc.UdpSocket() as u:
            data, cid = self.invite(u, "fork-busy")
            msgs = recv_all(u, cid, 2.0)
        finals = [m.status for m in msgs if m.status >= 200]
        self.assertIn(200, finals, msgs)
        self.assertNotIn(486, finals, "best response wins")
        self.assertEqual(len(got(self.nh2, "INVITE", cid)), 1)
        self.assertEqual(len(got(self.nh, "INVITE", cid, 2)), 2)
        c = got(self.nh, "CANCEL", cid, 1, 2.0)
        self.assertEqual(len(c), 1, "the ringing branch is cancelled")
        self.assertTrue(c[0].msg.uri.startswith("sip:ring-b3@"))

    def test_serial_forking_failure_route(self):
        with sc.UdpSocket() as u:
            data, cid = self.invite(u, "unavail")
            r = recv_status(u, cid, 200, 3.0)
        self.assertIsNotNone(r, "the second hop's 200")
        second = got(self.nh2, "INVITE", cid)
        self.assertEqual(len(second), 1)
        self.assertTrue(second[0].msg.uri.startswith("sip:ok-serial@"),
                        "the failure route sees the request's AVPs")
        self.assertEqual(len(got(self.nh, "ACK", cid, 1, 2.0)), 1,
                         "the 503 is ACKed hop by hop")

    def test_onreply_route_drops_180(self):
        with sc.UdpSocket() as u:
            data, cid = self.invite(u, "hide180")
            msgs = recv_all(u, cid, 1.5)
        codes = [m.status for m in msgs]
        self.assertIn(100, codes)
        self.assertIn(200, codes)
        self.assertNotIn(180, codes, "dropped by onreply_route[1]")

    def test_failure_route_t_reply(self):
        with sc.UdpSocket() as u:
            data, cid = self.invite(u, "nowhere-busy")
            r = recv_status(u, cid, 599, 3.0)
        self.assertIsNotNone(r)
        self.assertEqual(r.reason, "Failure Route Was Here")

    def test_t_reply(self):
        with sc.UdpSocket() as u:
            data = u.make_request("MESSAGE", self.uri("local"))
            cid = sc.parse(data).call_id
            u.sendto(data, self.addr)
            r1 = recv_status(u, cid, 404, 2.0)
            u.sendto(data, self.addr)
            r2 = recv_status(u, cid, 404, 2.0)
        self.assertIsNotNone(r1)
        self.assertEqual(r1.reason, "Not Here")
        self.assertIsNotNone(r2, "a retransmission gets the same reply")
        self.assertEqual(r1.tag("to"), r2.tag("to"))

    def test_t_newtran_t_reply(self):
        with sc.UdpSocket() as u:
            r, _ = u.send_request(self.addr, "OPTIONS", self.uri("newtran"),
                                  timeout=2.0)
        self.assertIsNotNone(r)
        self.assertEqual(r.status, 480)

    def test_udp_in_tcp_out(self):
        with sc.UdpSocket() as u:
            data, cid = self.invite(u, "totcp-ok")
            msgs = recv_all(u, cid, 1.5)
            self.assertIn(200, [m.status for m in msgs])
            copies = got(self.nh, "INVITE", cid, 2, 1.0)
        self.assertEqual(len(copies), 1, "no retransmission over TCP")
        self.assertEqual(copies[0].proto, "tcp")
        self.assertEqual(copies[0].msg.top_via.proto, "TCP")

    def test_no_retransmission_over_tcp(self):
        with sc.UdpSocket() as u:
            data = u.make_request("OPTIONS", self.uri("totcp-silent"))
            cid = sc.parse(data).call_id
            u.sendto(data, self.addr)
            copies = got(self.nh, "OPTIONS", cid, 2, 1.5)
            r = recv_status(u, cid, 408, 4.0)
        self.assertEqual(len(copies), 1)
        self.assertIsNotNone(r, "fr_timer still runs over TCP")

    def test_tcp_in_udp_out(self):
        with sc.TcpClient("127.0.0.1", self.proxy.port("A")) as c:
            data = c.make_request("INVITE", "sip:toudp-ok@example.net")
            cid = sc.parse(data).call_id
            c.send(data)
            codes = []
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and 200 not in codes:
                m = c.recv(deadline - time.monotonic())
                if m is None:
                    break
                if m.call_id == cid:
                    codes.append(m.status)
        self.assertEqual(codes[:1], [100])
        self.assertIn(200, codes, "the reply goes back on the connection")
        inv = got(self.nh, "INVITE", cid)
        self.assertEqual(inv[0].proto, "udp")


if __name__ == "__main__":
    unittest.main()
