"""maxfwd: Max-Forwards added when absent, decremented, 483 at 0; textops
header edits and PV assignments/conditions seen at the next hop."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "test", "lib"))

import sipclient as sc                                  # noqa: E402
from harness import Proxy                               # noqa: E402

CFG = r"""
debug = 3
log_stderror = yes
children = 1
listen = udp:127.0.0.1:$PORT_A
mpath = "$MODULES"

loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "avpops.so"
modparam("maxfwd", "max_limit", 20)

route {
    $avp(i:1) = 0;
    $avp(i:1) = 1;
    if (!mf_process_maxfwd_header("10")) {
        sl_send_reply("483", "Too Many Hops");
        exit;
    }
    if ($rU == "txt") {
        append_hf("X-Src: $si:$sp/$pr\r\n");
        remove_hf("Subject");
        insert_hf("X-First: 1\r\n");
        replace("X-Old: a", "X-Old: b");
        subst("/^X-Sub: (.*)$/X-Subst: \1/");
        append_hf("X-Avp: $avp(i:1) $avp(s:none)\r\n");
        $avp(s:x) = $fd;
        if ($avp(s:x) == "example.com" && is_present_hf("f")) {
            $rU = "rewritten";
        }
    }
    if ($rU == "avp") {
        avp_write("$fU", "$avp(i:400)");
        avp_write("hello", "$avp(s:greet)");
        if (avp_check("$avp(i:400)", "eq/alice/i")) {
            avp_pushto("X-Greet", "$avp(s:greet)");
        }
        avp_copy("$avp(i:400)", "$avp(i:401)");
        avp_pushto("$ru/username", "$avp(i:401)");
        avp_delete("$avp(i:401)");
        if ($avp(i:401) == null) {
            append_hf("X-Deleted: yes\r\n");
        }
    }
    forward("udp:127.0.0.1:$PORT_UAS");
}
"""


class MaxfwdTextops(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # sr_module.c loads modules RTLD_GLOBAL: ASan sees every module's
        # `exports` as an ODR violation (reported to the core's owner)
        cls.old_asan = os.environ.get("ASAN_OPTIONS")
        os.environ["ASAN_OPTIONS"] = (cls.old_asan or "") + \
            ":detect_odr_violation=0"
        cls.proxy = Proxy(CFG, label=cls.__name__)
        cls.nh = sc.NextHop(port=cls.proxy.port("UAS")).start()
        cls.proxy.start(probe="A", peers=[cls.nh])
        cls.paddr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.nh.stop()
        cls.proxy.stop()
        if cls.old_asan is None:
            os.environ.pop("ASAN_OPTIONS", None)
        else:
            os.environ["ASAN_OPTIONS"] = cls.old_asan

    def setUp(self):
        self.c = sc.UdpSocket("127.0.0.1")
        self.addCleanup(self.c.close)

    def fwd(self, data):
        r = self.c.transact(data, self.paddr, 3.0)
        self.assertIsNotNone(r)
        got = self.nh.wait_call(sc.parse(data).call_id, 1, 3.0)
        self.assertTrue(got)
        return r, got[0].msg

    def test_maxfwd_decrement(self):
        _, m = self.fwd(self.c.make_request("OPTIONS", "sip:x@example.com",
                                            max_forwards=5))
        self.assertEqual(m.get("Max-Forwards"), "4")

    def test_maxfwd_cap(self):
        _, m = self.fwd(self.c.make_request("OPTIONS", "sip:x@example.com",
                                            max_forwards=70))
        self.assertEqual(m.get("Max-Forwards"), "20")

    def test_maxfwd_added(self):
        _, m = self.fwd(self.c.make_request(
            "OPTIONS", "sip:x@example.com",
            headers={"Max-Forwards": None}))
        self.assertEqual(m.get("Max-Forwards"), "10")

    def test_maxfwd_zero(self):
        r = self.c.transact(self.c.make_request(
            "OPTIONS", "sip:x@example.com", max_forwards=0), self.paddr, 3.0)
        self.assertEqual(r.status, 483)

    def test_textops_and_pv(self):
        req = self.c.make_request(
            "OPTIONS", "sip:txt@example.com",
            from_uri="sip:alice@example.com",
            headers=[("Subject", "bye"), ("X-Old", "a"), ("X-Sub", "v1")])
        _, m = self.fwd(req)
        self.assertEqual(m.get("X-Src"),
                         "127.0.0.1:%d/udp" % self.c.port)
        self.assertFalse(m.has("Subject"))
        self.assertEqual(m.get("X-First"), "1")
        self.assertEqual(m.get("X-Old"), "b")
        self.assertEqual(m.get("X-Subst"), "v1")
        self.assertEqual(m.get("X-Avp"), "1 <null>")
        self.assertTrue(m.first_line.split()[1].startswith(
            "sip:rewritten@"), m.first_line)

    def test_avpops(self):
        req = self.c.make_request("OPTIONS", "sip:avp@example.com",
                                  from_uri="sip:Alice@example.com")
        _, m = self.fwd(req)
        self.assertEqual(m.get("X-Greet"), "hello")
        self.assertEqual(m.get("X-Deleted"), "yes")
        self.assertTrue(m.first_line.split()[1].startswith("sip:Alice@"),
                        m.first_line)


if __name__ == "__main__":
    unittest.main()
