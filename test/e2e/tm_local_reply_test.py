"""tm's own final reply to a request that carries a To tag.

When a relayed in-dialog request (To with a tag) gets no answer, tm's
timer sends 408 built from the stored request.  It read the To tag out
of that stored copy after freeing it (heap-use-after-free in the timer,
found by fuzz_pipeline; under ASan the timer process died and took the
server with it).  Now the 408 comes back with the request's To tag and
the server keeps answering."""

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
children = 1
disable_tcp = yes
listen = udp:127.0.0.1:$PORT_A
mpath = "$MODULES"

loadmodule "sl.so"
loadmodule "tm.so"
modparam("tm", "fr_timer", 1)
modparam("tm", "wt_timer", 1)

route {
    if (method == "OPTIONS") {
        sl_send_reply("200", "Alive");
        exit;
    }
    t_relay_to_udp("127.0.0.1", "$PORT_UAS");
}
"""

ANSWER = 15.0       # fr_timer is 1 s; the 408 must come well before this


class LocalReplyWithToTag(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, label=cls.__name__)
        # a next hop that never answers
        cls.nh = sc.NextHop(port=cls.proxy.port("UAS"),
                            responder=lambda rcv: None).start()
        cls.proxy.start(peers=[cls.nh])
        cls.paddr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.nh.stop()
        cls.proxy.stop()

    def setUp(self):
        self.c = sc.UdpSocket("127.0.0.1")
        self.addCleanup(self.c.close)

    def test_408_keeps_the_to_tag_and_server_goes_on(self):
        data = self.c.make_request("BYE", "sip:bob@127.0.0.1",
                                   to_tag="dialogtag42")
        resp = self.c.transact(data, self.paddr, ANSWER)
        self.assertIsNotNone(resp, "no final reply from tm's timer")
        self.assertEqual(resp.status, 408)
        self.assertEqual(resp.tag("to"), "dialogtag42")
        # relayed (and retransmitted over UDP until the timeout)
        self.assertGreaterEqual(len(self.nh.wait_call(
            sc.parse(data).call_id, 1, ANSWER)), 1,
            "the next hop did not get the BYE")
        alive, _ = self.c.send_request(self.paddr, "OPTIONS",
                                    "sip:127.0.0.1", timeout=ANSWER)
        self.assertIsNotNone(alive, "the server stopped answering")
        self.assertEqual(alive.status, 200)
        self.assertTrue(self.proxy.running())


if __name__ == "__main__":
    unittest.main()
