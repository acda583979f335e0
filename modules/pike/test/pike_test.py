"""pike: flood protection per source IP (issue 10, item 4).

The script answers every request 200 unless pike_check_req() is false,
in which case it drops it.  With reqs_density_per_unit 10 per 1 s unit
and remove_latency 3 s:

- a source (127.0.0.2) that sends bursts of 40 OPTIONS gets few of them
  answered, is listed by the MI command pike_list and counted in
  pike:blocked_sources, while another source (127.0.0.1), sending a few
  requests a second all along, gets every one answered;
- once the flooder calms down it is answered again after remove_latency,
  leaves pike_list, and the log says it was unblocked;
- the same over IPv6 (::1 flooding while 127.0.0.1 is served).

No wall-clock assertions: every wait is a bounded poll (count and
time)."""

import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))

import harness                                          # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Proxy                               # noqa: E402

CFG = """
debug = 3
log_stderror = yes
children = 2
tcp_children = 1
listen = udp:127.0.0.1:$PORT_A
%(v6)s
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "pike.so"
loadmodule "mi_fifo.so"
modparam("mi_fifo", "fifo_name", "$DIR/fifo")
modparam("mi_fifo", "reply_dir", "$DIR/")
modparam("pike", "sampling_time_unit", 1)
modparam("pike", "reqs_density_per_unit", 10)
modparam("pike", "remove_latency", 3)
modparam("pike", "max_sources", 64)

route {
    if (!pike_check_req()) {
        drop;
    }
    sl_send_reply("200", "OK");
}
"""

BURST = 40


class PikeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.v6 = harness.ipv6_ok()
        cfg = CFG % {"v6": "listen = udp:[::1]:$PORT_B" if cls.v6 else ""}
        cls.proxy = Proxy(cfg, label="pike")
        cls.proxy.start()
        cls.addr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    def fifo(self, *args):
        env = dict(harness.daemon_env(),
                   OPENSER_FIFO=os.path.join(self.proxy.dir, "fifo"),
                   OPENSER_REPLY_DIR=self.proxy.dir + "/")
        ctl = os.path.join(ROOT, "scripts", "openserctl")
        r = subprocess.run([ctl, "fifo"] + list(args), env=env,
                           capture_output=True, text=True, timeout=20)
        return r.stdout + r.stderr

    def stat(self, name):
        for _ in range(20):
            try:
                return harness.fifo_stat(self.proxy, name)
            except AssertionError:
                time.sleep(0.25)
        return harness.fifo_stat(self.proxy, name)

    def blocked(self):
        return [line.split()[0] for line in self.fifo("pike_list")
                .splitlines() if "rate=" in line]

    @staticmethod
    def burst(u, addr, n):
        """Send <n> OPTIONS at once; how many were answered."""
        for i in range(n):
            u.sendto(u.make_request("OPTIONS", "sip:flood%d@%s" % (
                i, sc.via_host(addr[0]))), addr)
        got = 0
        for _ in range(n):
            raw, _ = u.recv_raw(timeout=0.3)
            if raw is None:
                break
            got += 1
        return got

    def good_request(self, good):
        rsp, _ = good.send_request(self.addr, "OPTIONS",
                                   "sip:good@127.0.0.1", timeout=5.0)
        return rsp.status if rsp is not None else None

    def flood_and_unblock(self, bad_host, bad_addr, shown):
        with sc.UdpSocket(host=bad_host) as bad, \
                sc.UdpSocket(host="127.0.0.1") as good:
            sent = answered = 0
            good_codes = []
            listed = False
            # flood until pike_list shows the flooder (bounded)
            for _ in range(30):
                answered += self.burst(bad, bad_addr, BURST)
                sent += BURST
                good_codes.append(self.good_request(good))
                time.sleep(0.25)
                if len(good_codes) % 3 == 0 and shown in self.blocked():
                    listed = True
                    break
            self.assertTrue(listed, "pike_list never listed %s" % shown)
            self.assertLess(answered, sent // 2,
                            "%d of %d flood requests answered"
                            % (answered, sent))
            self.assertEqual([c for c in good_codes if c != 200], [],
                             "the other source was not served")
            self.assertGreaterEqual(self.stat("pike:blocked_sources"), 1)
            # calm: one request a second until answered again (bounded)
            back = None
            for _ in range(40):
                rsp, _ = bad.send_request(bad_addr, "OPTIONS",
                                          "sip:calm@%s" % sc.via_host(
                                              bad_addr[0]), timeout=1.0)
                if rsp is not None:
                    back = rsp.status
                    break
                good_codes.append(self.good_request(good))
            self.assertEqual(back, 200, "%s never unblocked" % shown)
            self.assertEqual([c for c in good_codes if c != 200], [])
        self.assertTrue(self.proxy.wait_log(
            r"pike: unblocking %s" % shown.replace(".", r"\."),
            timeout=10.0))
        self.assertTrue(self.proxy.log_contains("pike: blocking %s" % shown))
        self.assertNotIn(shown, self.blocked())

    def test_ipv4_flood_blocked_then_released(self):
        self.flood_and_unblock("127.0.0.2", self.addr, "127.0.0.2")
        self.assertGreater(self.stat("pike:refused_requests"), 0)
        self.assertGreaterEqual(self.stat("pike:blocks"), 1)

    def test_ipv6_flood_blocked_then_released(self):
        if not self.v6:
            self.skipTest("no IPv6 loopback")
        self.flood_and_unblock("::1", ("::1", self.proxy.port("B")), "::1")

    def test_pike_list_rejects_arguments(self):
        out = self.fifo("pike_list", "extra")
        self.assertIn("400", out)


if __name__ == "__main__":
    unittest.main()
