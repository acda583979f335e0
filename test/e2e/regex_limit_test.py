"""avp_check() with a regular expression taken from the message.

The pattern of avp_check(avp, "re/$var/") is compiled per request; one
with stacked repetitions ("a" and 25 '+', found by fuzz_pipeline) made
glibc's regcomp() take over 2 GB in the worker.  Such a pattern is now
refused as no match with a warning, the next request is answered, and
an ordinary pattern from the same header still matches."""

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
loadmodule "avpops.so"

route {
    avp_write("$ru", "$avp(s:ru)");
    if (avp_check("$avp(s:ru)", "re/$hdr(Subject)/i")) {
        sl_send_reply("200", "Match");
        exit;
    }
    sl_send_reply("404", "No Match");
}
"""

ANSWER = 10.0       # seconds to wait for a reply that must arrive
BLOWUP = "a" + "+" * 25


class RegexFromMessage(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, label=cls.__name__)
        cls.proxy.start()
        cls.paddr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    def setUp(self):
        self.c = sc.UdpSocket("127.0.0.1")
        self.addCleanup(self.c.close)

    def ask(self, subject):
        data = self.c.make_request("OPTIONS", "sip:alice@127.0.0.1",
                                   headers=[("Subject", subject)])
        resp = self.c.transact(data, self.paddr, ANSWER)
        self.assertIsNotNone(resp, "no reply for Subject %r" % subject)
        return resp.status

    def test_ordinary_pattern_matches(self):
        self.assertEqual(self.ask("^sip:ALICE@"), 200)
        self.assertEqual(self.ask("^sip:bob@"), 404)

    def test_blowup_pattern_refused_and_service_goes_on(self):
        since = len(self.proxy.log())
        self.assertEqual(self.ask(BLOWUP), 404)
        line = self.proxy.wait_log(r"avp_check: regular expression "
                                   r"'a\+{25}' .*too complex", since=since)
        self.assertIsNotNone(line, "no warning naming the pattern")
        self.assertEqual(self.ask("^sip:alice@"), 200)
        self.assertTrue(self.proxy.running())


if __name__ == "__main__":
    unittest.main()
