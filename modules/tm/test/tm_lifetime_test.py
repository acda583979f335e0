"""tm: every transaction is freed once its time is up.

Hundreds of transactions spread over the table's buckets (non-INVITE
answered 200, INVITE answered 200 and ACKed, INVITE timed out with 408
and ACKed) must all be gone (tm:inuse_transactions back to 0, read over
the management FIFO) a few seconds after wt_timer.  This guards the
timer's bucket wake times: a bucket the sweep skipped by mistake would
keep its cells for ever."""

import os
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
from tm_test import Responder, ack_for, recv_status     # noqa: E402

CFG = """
debug = 2
log_stderror = yes
children = 2
tcp_children = 1
listen = udp:127.0.0.1:$PORT_A
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "mi_fifo.so"
modparam("mi_fifo", "fifo_name", "$DIR/fifo")
modparam("mi_fifo", "reply_dir", "$DIR/")
modparam("tm", "fr_timer", 1)
modparam("tm", "fr_inv_timer", 1)
modparam("tm", "wt_timer", 1)

route {
    if (!t_relay()) {
        sl_reply_error();
    }
}
"""

N_OPTIONS = 300
N_INVITE = 20
N_TIMEOUT = 5


class TmLifetime(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, label="tm_lifetime")
        cls.nh = sc.NextHop(port=cls.proxy.port("UAS"),
                            responder=Responder()).start()
        cls.proxy.start(peers=[cls.nh])
        cls.addr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.nh.stop()
        cls.proxy.stop()

    def stat(self, name):
        return harness.fifo_stat(self.proxy, "tm:" + name)

    def uri(self, user):
        return "sip:%s@127.0.0.1:%d" % (user, self.proxy.port("UAS"))

    def invite_and_ack(self, u, user, status):
        data = u.make_request("INVITE", self.uri(user))
        u.sendto(data, self.addr)
        rsp = recv_status(u, sc.parse(data).call_id, status, timeout=5.0)
        self.assertIsNotNone(rsp, "no %d to the INVITE to %s" % (status,
                                                                user))
        u.sendto(ack_for(data, rsp, u, branch=None if status >= 300
                         else "z9hG4bK" + sc.rand_token(10)), self.addr)

    def test_all_transactions_freed(self):
        with sc.UdpSocket() as u:
            for i in range(N_OPTIONS):
                data = u.make_request("OPTIONS", self.uri("ok-%d" % i))
                u.sendto(data, self.addr)
                self.assertIsNotNone(
                    recv_status(u, sc.parse(data).call_id, 200, 5.0),
                    "OPTIONS %d not answered" % i)
            for i in range(N_INVITE):
                self.invite_and_ack(u, "ok-inv-%d" % i, 200)
            for i in range(N_TIMEOUT):
                self.invite_and_ack(u, "silent-%d" % i, 408)
        made = self.stat("UAS_transactions")
        self.assertGreaterEqual(made, N_OPTIONS + N_INVITE + N_TIMEOUT)
        self.assertGreater(self.stat("inuse_transactions"), 0,
                           "wt_timer = 1 s: some are still waiting")
        deadline = time.monotonic() + 20
        left = -1
        while time.monotonic() < deadline:
            left = self.stat("inuse_transactions")
            if left == 0:
                break
            time.sleep(0.5)
        self.assertEqual(left, 0, "%d of %d transactions never freed"
                         % (left, made))


if __name__ == "__main__":
    unittest.main()
