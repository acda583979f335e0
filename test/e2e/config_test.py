"""The daemon as an operator meets it: -c, -V, bind failures, SIGTERM."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import harness                                          # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import ROOT, Proxy, check_config, check_config_file  # noqa: E402

GOOD = """
# a comment
debug = 3
log_stderror = yes
children = 2
tcp_children = 2
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
alias = "example.com"
tcp_connection_lifetime = 5
tcp_max_connections = 100
mpath = "$MODULES"

loadmodule "sl.so"

route {
    if (method == "OPTIONS" && (uri == myself || src_ip == 127.0.0.1)) {
        sl_send_reply("200", "OK");
        exit;
    }
    if (!(proto == tcp) && uri =~ "^sip:x@") {
        setflag(1);
    }
    if (isflagset(1)) {
        route(1);
    }
    drop;
}

route[1] {
    log(1, "route 1\\n");
    forward("udp:127.0.0.1:$PORT_B");
}
"""

# each: (name, config text, the lines the error may name)
BAD = [
    ("unknown global", "debug = 3\nno_such_option = 1\n", (2,)),
    ("missing semicolon", "debug = 3\nroute {\n    drop\n}\n", (3, 4)),
    ("unbalanced brace", "debug = 3\nroute {\n    drop;\n", (3, 4)),
    ("unknown action", "route {\n    no_such_function(\"x\");\n}\n",
     (2,)),
    ("missing module", "debug = 3\nloadmodule \"no_such_module.so\"\n"
     "route {\n    drop;\n}\n", (2,)),
    ("bad listen", "listen = udp:127.0.0.1:99999\nroute {\n    drop;\n}\n",
     (1,)),
]

VERSION = open(os.path.join(ROOT, "VERSION")).read().strip()


class ConfigCheck(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(harness.binary()):
            self.fail("openser binary not found: %s" % harness.binary())

    def test_good_config_ok(self):
        rc, out, err = check_config(GOOD, label="cfg-good")
        self.assertEqual(rc, 0, "stdout:\n%s\nstderr:\n%s" % (out, err))
        self.assertIn("config file ok", out + err)
        self.assertEqual(harness.scan_log(out + err), [])

    def test_bad_configs_exit_1_with_location(self):
        for name, text, lines in BAD:
            with self.subTest(name):
                rc, out, err, path = check_config_file(text, label="cfg-bad")
                self.assertEqual(rc, 1, "%s: rc %s\nstdout:\n%s\nstderr:\n%s"
                                 % (name, rc, out, err))
                self.assertNotIn("config file ok", out + err)
                locs = re.findall(r"(\S*openser\.cfg):(\d+):(\d+):",
                                  out + err)
                self.assertTrue(locs, "%s: no file:line:col in:\n%s%s"
                                % (name, out, err))
                self.assertTrue(any(os.path.basename(f) == "openser.cfg"
                                    for f, _, _ in locs))
                self.assertTrue(any(int(l) in lines for _, l, _ in locs),
                                "%s: want line %s in %s" % (name, lines,
                                                            locs))
                self.assertEqual(harness.scan_log(out + err), [],
                                 "%s: sanitizer or BUG output" % name)

    def test_missing_config_file(self):
        r = harness.run_openser(["-c", "-f", "/nonexistent/openser.cfg"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("/nonexistent/openser.cfg", r.stdout + r.stderr)

    def test_version(self):
        r = harness.run_openser(["-V"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(VERSION, r.stdout + r.stderr)
        self.assertRegex(r.stdout + r.stderr, r"(?i)openser")


class Daemon(unittest.TestCase):
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
    sl_send_reply("200", "OK");
}
"""

    def test_sigterm_exits_0_within_5s(self):
        p = Proxy(self.CFG, label="sigterm")
        p.start()
        # make it busy first: a TCP connection left open, a UDP request
        c = sc.TcpClient("127.0.0.1", p.port("A"))
        try:
            resp, _ = c.send_request("OPTIONS", "sip:x@example.net",
                                     timeout=3)
            self.assertIsNotNone(resp)
            self.assertEqual(resp.status, 200)
            t0 = time.monotonic()
            p.stop()              # raises on exit != 0, > 5 s or bad log
            self.assertEqual(p.exit_code, 0)
            self.assertLess(time.monotonic() - t0, harness.STOP_TIMEOUT)
        finally:
            c.close()
            if p.running():
                p.kill()

    def bind_failure(self, kind):
        port = harness.free_port()
        fam = socket.AF_INET
        s = socket.socket(fam, socket.SOCK_DGRAM if kind == "udp"
                          else socket.SOCK_STREAM)
        s.bind(("127.0.0.1", port))
        if kind == "tcp":
            s.listen(1)
        try:
            cfg = ("debug = 3\nlog_stderror = yes\nchildren = 1\n"
                   "tcp_children = 1\nlisten = %s:127.0.0.1:%d\n"
                   "route {\n    drop;\n}\n" % (kind, port))
            p = Proxy(cfg, label="bind-" + kind)
            p.start(wait=False)
            try:
                rc = p.proc.wait(10)
            except subprocess.TimeoutExpired:
                rc = None
            log = p.log()
            if rc is None:
                p.kill()
            p.logf.close()
            self.assertIsNotNone(rc, "openser kept running although "
                                 "127.0.0.1:%d/%s is taken" % (port, kind))
            self.assertNotEqual(rc, 0)
            self.assertIn("127.0.0.1:%d" % port, log,
                          "the error does not name the socket:\n" + log)
            self.assertEqual(harness.scan_log(log), [], log)
            shutil.rmtree(p.dir, ignore_errors=True)
        finally:
            s.close()

    def test_bind_failure_udp(self):
        self.bind_failure("udp")

    def test_bind_failure_tcp(self):
        self.bind_failure("tcp")


if __name__ == "__main__":
    unittest.main()
