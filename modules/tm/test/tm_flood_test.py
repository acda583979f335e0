"""tm: a flood of INVITEs to a next hop that never answers must not
starve registrations (issue 10, item 4).

The proxy gets a small shm (-m 8).  One client sends INVITEs as fast as
it can to a black hole (a bound UDP socket nobody reads); every INVITE
becomes a transaction that lives until fr_timer.  Between bursts a phone
registers a new address of record (stateless save(), as the sample config
does: usrloc needs shm for every new contact).  Checked:

- a transaction with one branch costs under 3,000 bytes of shm (the
  shmem counters over the FIFO; it was about 5,500);
- once shm passes tm's shm_high_water, new INVITEs get 503 with
  Retry-After (counted), never a crash;
- every REGISTER sent during the flood is answered 200 (before the
  reserve, they got 500 once the transactions had filled shm);
- once the transactions time out, tm:inuse_transactions is back to 0,
  shm is back near where it started, and a new INVITE gets its 100
  Trying again.

No wall-clock assertions: the flood runs until enough refusals were seen
(bounded in count and time), every wait is a bounded poll."""

import os
import socket
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))
sys.path.insert(0, HERE)

import harness                                          # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Proxy                               # noqa: E402
from tm_test import got, recv_status                    # noqa: E402

CFG = """
debug = 2
log_stderror = yes
children = 2
tcp_children = 1
listen = udp:127.0.0.1:$PORT_A
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "mi_fifo.so"
modparam("mi_fifo", "fifo_name", "$DIR/fifo")
modparam("mi_fifo", "reply_dir", "$DIR/")
modparam("tm", "fr_timer", 6)
modparam("tm", "fr_inv_timer", 6)
modparam("tm", "wt_timer", 1)
modparam("tm", "retr_timer1", 100)
modparam("tm", "retr_timer2", 400)

route {
    if (method == "REGISTER") {
        save("location");
        exit;
    }
    if (method == "OPTIONS") {
        sl_send_reply("200", "OK");
        exit;
    }
    if (!t_relay()) {
        sl_reply_error();
    }
}
"""

SDP = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n")

MAX_INVITES = 30000     # bound of the flood
BURST = 100             # INVITEs between two REGISTERs
REFUSALS_WANTED = 400   # refusals seen before the flood stops
REGISTERS_AFTER = 15    # REGISTERs once the proxy refuses INVITEs


class TmFlood(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, label="tm_flood", args=["-m", "8", "-M", "8"])
        cls.hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        cls.hole.bind(("127.0.0.1", 0))
        cls.hole_port = cls.hole.getsockname()[1]
        try:
            cls.proxy.start(probe="A")
        except Exception:
            cls.hole.close()
            raise
        cls.addr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.hole.close()

    def stat(self, name):
        # the FIFO may not be there yet right after the start
        for _ in range(20):
            try:
                return harness.fifo_stat(self.proxy, name)
            except AssertionError:
                time.sleep(0.25)
        return harness.fifo_stat(self.proxy, name)

    def invite(self, u, i):
        return u.make_request(
            "INVITE", "sip:hole%d@127.0.0.1:%d" % (i, self.hole_port),
            headers=[("Contact", "<sip:caller@127.0.0.1:%d>" % u.port),
                     ("Content-Type", "application/sdp")], body=SDP)

    def register(self, u, i):
        aor = "phone%d" % i
        rsp, _ = u.send_request(
            self.addr, "REGISTER", "sip:127.0.0.1", timeout=10.0,
            to_uri="sip:%s@127.0.0.1" % aor, from_uri="sip:%s@127.0.0.1" % aor,
            headers=[("Contact", "<sip:%s@127.0.0.1:%d>" % (aor, u.port)),
                     ("Expires", "600")])
        return rsp.status if rsp is not None else None

    @staticmethod
    def drain(u, codes, wait=0.001):
        """Count the status codes of the replies queued on <u>."""
        for _ in range(100000):
            raw, _ = u.recv_raw(timeout=wait)
            if raw is None:
                return
            try:
                st = sc.parse(raw).status
            except sc.ParseError:
                continue
            codes[st] = codes.get(st, 0) + 1

    def test_1_bytes_per_transaction(self):
        """A transaction with one branch costs under 3,000 bytes."""
        n = 200
        used0 = self.stat("shmem:real_used_size")
        made0 = self.stat("tm:inuse_transactions")
        with sc.UdpSocket() as u:
            for i in range(n):
                data = self.invite(u, i)
                u.sendto(data, self.addr)
                self.assertIsNotNone(
                    u.wait_response(sc.parse(data), timeout=10.0,
                                    final=False),
                    "no 100 Trying to INVITE %d" % i)
        made = self.stat("tm:inuse_transactions") - made0
        used = self.stat("shmem:real_used_size") - used0
        self.assertGreater(made, n // 2)
        per = used / made
        print("\n  shm per transaction (one branch): %.0f bytes" % per,
              file=sys.stderr)
        self.assertLess(per, 3000, "a transaction costs %.0f bytes of shm"
                        % per)

    def test_2_flood_keeps_registrations(self):
        codes = {}
        regs = []
        regs_after = 0
        sent = 0
        size = self.stat("shmem:total_size")
        deadline = time.monotonic() + 240
        with sc.UdpSocket() as fl, sc.UdpSocket() as ph:
            fl.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
            while sent < MAX_INVITES and time.monotonic() < deadline:
                for _ in range(BURST):
                    fl.sendto(self.invite(fl, 100000 + sent), self.addr)
                    sent += 1
                    if sent % 25 == 0:
                        self.drain(fl, codes)
                self.drain(fl, codes, wait=0.01)
                refused = codes.get(503, 0) + codes.get(500, 0)
                regs.append(self.register(ph, len(regs)))
                if refused >= REFUSALS_WANTED:
                    regs_after += 1
                    if regs_after >= REGISTERS_AFTER:
                        break
            peak = self.stat("shmem:max_used_size")
            self.drain(fl, codes, wait=0.5)
        print("\n  flood: %d INVITEs sent, replies %s, peak shm %d of %d, "
              "REGISTERs %d (200: %d)"
              % (sent, sorted(codes.items()), peak, size, len(regs),
                 regs.count(200)), file=sys.stderr)
        self.assertTrue(self.proxy.running(), "the proxy died in the flood")
        self.assertGreaterEqual(regs_after, REGISTERS_AFTER,
                                "the flood never filled shm: %s" % codes)
        self.assertEqual(
            [(i, s) for i, s in enumerate(regs) if s != 200], [],
            "REGISTERs not answered 200 during the flood")
        self.assertGreater(codes.get(503, 0), 0, "no 503 to the flood")
        self.assertEqual(codes.get(500, 0), 0, "500s: tm ran out of shm")
        self.assertGreater(self.stat("tm:refused_transactions"), 0)

        # the transactions time out (fr_timer 6 s), shm comes back
        left = -1
        for _ in range(240):
            left = self.stat("tm:inuse_transactions")
            if left == 0:
                break
            time.sleep(0.5)
        self.assertEqual(left, 0, "%d transactions never freed" % left)
        self.assertLess(self.stat("shmem:real_used_size"), size // 2,
                        "shm did not come back")
        with sc.UdpSocket() as u:
            data = self.invite(u, 999999)
            u.sendto(data, self.addr)
            rsp = u.wait_response(sc.parse(data), timeout=10.0, final=False)
        self.assertIsNotNone(rsp, "no reply to an INVITE after the flood")
        self.assertEqual(rsp.status, 100)
        self.assertTrue(self.proxy.log_contains("over shm_high_water"))


CFG_STORED = """
debug = 3
log_stderror = yes
children = 2
tcp_children = 1
listen = udp:127.0.0.1:$PORT_A
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "textops.so"
modparam("tm", "fr_timer", 3)
modparam("tm", "fr_inv_timer", 3)
modparam("tm", "wt_timer", 1)

route {
    if (uri =~ "^sip:big@") {
        append_hf("X-Big: %s\\r\\n");
    }
    if (uri =~ "^sip:small@") {
        append_hf("X-Small: yes\\r\\n");
    }
    if (uri =~ "^sip:hole@") {
        t_relay("udp:127.0.0.1:$PORT_HOLE");
        exit;
    }
    t_on_failure("1");
    if (!t_relay()) {
        sl_reply_error();
    }
}

failure_route[1] {
    rewritehostport("127.0.0.1:$PORT_UAS2");
    t_relay();
}
""" % ("b" * 600)


def answer(status):
    def responder(rcv):
        m = rcv.msg
        if m is None or not m.is_request or m.method == "ACK":
            return None
        return sc.response(m, status, to_tag="nh" + sc.rand_token(6))
    return responder


class TmStoredRequest(unittest.TestCase):
    """The request kept in the cell (in place, or in a block of its own
    when the main-route edits outgrow the room) is what the failure
    route relays; the 100 Trying made again for a retransmission."""

    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG_STORED, label="tm_stored")
        cls.nh = sc.NextHop(port=cls.proxy.port("UAS"),
                            responder=answer(486)).start()
        cls.nh2 = sc.NextHop(port=cls.proxy.port("UAS2"),
                             responder=answer(200)).start()
        cls.hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        cls.hole.bind(("127.0.0.1", cls.proxy.port("HOLE")))
        try:
            cls.proxy.start(peers=[cls.nh, cls.nh2])
        except Exception:
            cls.hole.close()
            raise
        cls.addr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.nh.stop()
        cls.nh2.stop()
        cls.proxy.stop()
        cls.hole.close()

    def second_branch(self, user):
        with sc.UdpSocket() as u:
            data = u.make_request(
                "INVITE", "sip:%s@127.0.0.1:%d" % (user,
                                                   self.proxy.port("UAS")))
            u.sendto(data, self.addr)
            cid = sc.parse(data).call_id
            self.assertIsNotNone(recv_status(u, cid, 200, 10.0),
                                 "no 200 from the second next hop")
        inv = got(self.nh2, "INVITE", cid)
        self.assertEqual(len(inv), 1)
        return inv[0].msg

    def test_unedited_request_relayed_by_failure_route(self):
        m = self.second_branch("plain")
        self.assertFalse(m.has("X-Small") or m.has("X-Big"))

    def test_small_edit_kept_in_place(self):
        self.assertEqual(self.second_branch("small").get("X-Small"), "yes")

    def test_large_edit_kept_in_its_own_block(self):
        self.assertEqual(self.second_branch("big").get("X-Big"), "b" * 600)

    def test_retransmitted_invite_gets_100_again(self):
        with sc.UdpSocket() as u:
            data = u.make_request("INVITE", "sip:hole@127.0.0.1")
            cid = sc.parse(data).call_id
            u.sendto(data, self.addr)
            self.assertIsNotNone(recv_status(u, cid, 100, 10.0))
            u.sendto(data, self.addr)
            again = recv_status(u, cid, 100, 10.0)
            self.assertIsNotNone(again, "no 100 to the retransmission")
            self.assertEqual(again.top_via.branch, sc.parse(data)
                             .top_via.branch)
            self.assertEqual(again.cseq[0], sc.parse(data).cseq[0])


if __name__ == "__main__":
    unittest.main()
