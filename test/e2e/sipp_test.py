"""SIPp UAC -> openser (stateless) -> SIPp UAS, over UDP and over TCP.

Scenarios (test/e2e/sipp/): OPTIONS, REGISTER, and a call (INVITE, 100,
180, 200, ACK, BYE, 200).  The proxy script forwards every request to the
UAS port, ACK and BYE included; replies come back through the proxy by Via.
Each run makes CALLS calls at RATE calls/s; sipp must exit 0 on both sides
and report CALLS successful calls.  sipp runs are bounded by -timeout and by
a subprocess timeout.  SIPp's TCP mode is -t t1 (one socket for all calls).
"""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import harness                                          # noqa: E402
from harness import Proxy                               # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCEN = os.path.join(HERE, "sipp")

CFG = """
debug = 2
log_stderror = yes
# one UDP receiver: with several, two replies sent back to back (100 and
# 180 of one INVITE) can overtake each other in a stateless proxy and SIPp
# aborts the call on the late one (documented UDP behaviour, not a bug)
children = 1
tcp_children = 2
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
mpath = "$MODULES"

route {
    if (proto == tcp) {
        forward("tcp:127.0.0.1:$PORT_UAS");
        exit;
    }
    forward("udp:127.0.0.1:$PORT_UAS");
}
"""

CALLS = 20
RATE = 50
SIPP_TIMEOUT = 30           # sipp -timeout (s)
PROC_TIMEOUT = 60           # subprocess bound (s)


def successful(text):
    """Cumulative 'Successful call' count from sipp's final screen."""
    m = re.findall(r"Successful call\s*\|\s*\d+\s*\|\s*(\d+)", text)
    return int(m[-1]) if m else None


def failed(text):
    m = re.findall(r"Failed call\s*\|\s*\d+\s*\|\s*(\d+)", text)
    return int(m[-1]) if m else None


class SippThroughProxy(unittest.TestCase):
    NEEDS = ["sipp"]

    def setUp(self):
        self.proxy = Proxy(CFG, needs=self.NEEDS,
                           label="sipp-" + self._testMethodName)
        self.proxy.start()
        self.addCleanup(self.proxy.stop)

    def sipp(self, args, name):
        out = os.path.join(self.proxy.dir, name + ".out")
        f = open(out, "wb")
        p = subprocess.Popen(["sipp"] + args, stdout=f,
                             stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, cwd=self.proxy.dir)
        return p, f, out

    def finish(self, p, f, timeout):
        try:
            rc = p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
            rc = "timeout"
        f.close()
        return rc

    def run_scenario(self, scen, transport):
        t = {"udp": "u1", "tcp": "t1"}[transport]
        uas_port = self.proxy.port("UAS")
        uac_port = harness.free_port()
        common = ["-i", "127.0.0.1", "-t", t, "-m", str(CALLS), "-nostdin",
                  "-timeout", "%ds" % SIPP_TIMEOUT, "-timeout_error",
                  "-trace_err"]
        uas, uas_f, uas_out = self.sipp(
            ["-sf", os.path.join(SCEN, "uas_%s.xml" % scen),
             "-p", str(uas_port)] + common, "uas")
        try:
            self.assertTrue(harness.wait_bound("127.0.0.1", uas_port,
                                               transport, 10),
                            "sipp UAS did not bind %d/%s" % (uas_port,
                                                              transport))
            uac, uac_f, uac_out = self.sipp(
                ["127.0.0.1:%d" % self.proxy.port("A"),
                 "-sf", os.path.join(SCEN, "uac_%s.xml" % scen),
                 "-p", str(uac_port), "-r", str(RATE)] + common, "uac")
            uac_rc = self.finish(uac, uac_f, PROC_TIMEOUT)
        finally:
            uas_rc = self.finish(uas, uas_f, 10)
        uac_text = open(uac_out, errors="replace").read()
        uas_text = open(uas_out, errors="replace").read()
        errs = ""
        for fn in sorted(os.listdir(self.proxy.dir)):
            if fn.endswith("_errors.log"):
                with open(os.path.join(self.proxy.dir, fn),
                          errors="replace") as ef:
                    errs += "--- %s ---\n%s\n" % (fn, ef.read()[-3000:])
        detail = ("\nUAC rc=%s successful=%s failed=%s\nUAS rc=%s "
                  "successful=%s failed=%s\n%s\nUAC tail:\n%s\n%s" % (
                      uac_rc, successful(uac_text), failed(uac_text), uas_rc,
                      successful(uas_text), failed(uas_text), errs,
                      "\n".join(uac_text.splitlines()[-12:]),
                      self.proxy.log_tail(25)))
        self.assertEqual(uac_rc, 0, "sipp UAC failed" + detail)
        self.assertEqual(successful(uac_text), CALLS, "UAC calls" + detail)
        self.assertEqual(uas_rc, 0, "sipp UAS failed" + detail)
        self.assertEqual(successful(uas_text), CALLS, "UAS calls" + detail)

    def test_options_udp(self):
        self.run_scenario("options", "udp")

    def test_options_tcp(self):
        self.run_scenario("options", "tcp")

    def test_register_udp(self):
        self.run_scenario("register", "udp")

    def test_register_tcp(self):
        self.run_scenario("register", "tcp")

    def test_call_udp(self):
        self.run_scenario("call", "udp")

    def test_call_tcp(self):
        self.run_scenario("call", "tcp")


if __name__ == "__main__":
    unittest.main()
