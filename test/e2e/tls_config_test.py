"""TLS configuration errors (needs a TLS=1 build).

`openser -c` (syntax and values; exit 1 with file:line:col):
- tls_method = SSLv3 is refused
- tls_verify_client = 2 is refused or means on, never off
- a server-only parameter (tls_verify_client) in a tls_client_domain block
- an unknown tls_ parameter

Start-up (the daemon exits non-zero, naming the domain and the file):
- a missing certificate file
- a private key that does not match the certificate
- verification on without a CA list ("tls_ca_list" named), for a server
  domain and, through the tls_verify_server default, for the client side
- an RSA 1024 key, and a certificate signed with SHA-1, refused at
  OpenSSL's security level (the message says so)
- a private key others can read (mode 0644)
and the same configuration with good files starts (the control).
"""

import os
import re
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import certs                                            # noqa: E402
import harness                                          # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Proxy, check_config_file            # noqa: E402

HEAD = """debug = 3
log_stderror = yes
children = 1
tcp_children = 1
listen = udp:127.0.0.1:$PORT_A
listen = tls:127.0.0.1:$PORT_T
mpath = "$MODULES"
loadmodule "sl.so"
"""

ROUTE = """
route {
    sl_send_reply("200", "OK");
}
"""

# globals that make a complete, good TLS setup; {d} is the cert directory
GOOD_GLOBALS = """tls_certificate = "{d}/server-cert.pem"
tls_private_key = "{d}/server-key.pem"
tls_ca_list = "{d}/ca.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
tls_verify_server = 1
"""

# (name, text after HEAD (line 9 on), line of the error, message regex)
BAD_SYNTAX = [
    ("SSLv3", "tls_method = SSLv3\n", 9, r"SSLv3"),
    ("server parameter in a client block",
     "tls_client_domain[127.0.0.1:$PORT_X] {\n"
     "    tls_verify_server = 1\n"
     "    tls_verify_client = 1\n"
     "}\n", 11, r"tls_verify_client"),
    ("unknown tls_ parameter", "tls_no_such_thing = 1\n", 9,
     r"tls_no_such_thing"),
]


class TlsConfigCheck(unittest.TestCase):
    def setUp(self):
        harness.require(["tls"])

    def test_bad_values_exit_1_with_location(self):
        for name, text, line, rx in BAD_SYNTAX:
            with self.subTest(name):
                rc, out, err, path = check_config_file(
                    HEAD + text + ROUTE, label="tls-cfg-bad")
                self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
                both = out + err
                self.assertEqual(rc, 1, "%s: rc %s\n%s" % (name, rc, both))
                self.assertNotIn("config file ok", both)
                locs = re.findall(r"(\S*openser\.cfg):(\d+):(\d+): (.*)",
                                  both)
                hit = [m for f, l, c, m in locs if int(l) == line]
                self.assertTrue(hit, "%s: no error at line %d in:\n%s"
                                % (name, line, both))
                self.assertTrue(any(re.search(rx, m) for m in hit),
                                "%s: error at line %d does not match %r:\n%s"
                                % (name, line, rx, both))
                self.assertEqual(harness.scan_log(both), [], name)

    def test_verify_client_2(self):
        """Numbers are booleans throughout the config (non-zero = on, as in
        OpenSER 1.x), so tls_verify_client = 2 may be refused (with its
        location) or taken as on; it must never mean off."""
        text = HEAD + "tls_verify_client = 2\n" + ROUTE
        rc, out, err, path = check_config_file(text, args=["-v"],
                                               label="tls-cfg-2")
        self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
        both = out + err
        if rc == 1:
            self.assertRegex(both, r"openser\.cfg:9:\d+: .*tls_verify_client")
            return
        self.assertEqual(rc, 0, both)
        shown = re.findall(r"tls_verify_client\s*=\s*(\S+)", both)
        self.assertTrue(shown, "-c -v does not show tls_verify_client:\n"
                        + both)
        self.assertNotIn(shown[0].lower(), ("0", "no", "off", "false"),
                         both)

    def test_good_globals_ok(self):
        rc, out, err, path = check_config_file(
            HEAD + GOOD_GLOBALS.replace("{d}", "/nonexistent") + ROUTE,
            label="tls-cfg-good")
        self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("config file ok", out + err)


class TlsStartupErrors(unittest.TestCase):
    """Each case runs the daemon on a config whose TLS files are wrong."""

    @classmethod
    def setUpClass(cls):
        harness.require(["tls"])
        cls.dir = harness.make_dir("tls-startup-certs")
        d = cls.dir
        ca = certs.make_ca(d, "openser test CA", file_prefix="ca")
        ip = ["127.0.0.1"]
        certs.make_cert(ca, "proxy.test", d, san_ip=ip, file_prefix="server")
        certs.make_cert(ca, "other.test", d, san_ip=ip, file_prefix="other")
        certs.make_cert(ca, "weak.test", d, san_ip=ip, key_type="rsa",
                        bits=1024, file_prefix="rsa1024")
        certs.make_cert(ca, "sha1.test", d, san_ip=ip, digest="sha1",
                        file_prefix="sha1")
        certs.make_cert(ca, "open.test", d, san_ip=ip, file_prefix="open")
        os.chmod(os.path.join(d, "open-key.pem"), 0o644)

    @classmethod
    def tearDownClass(cls):
        if os.environ.get("OPENSER_KEEP") != "1":
            shutil.rmtree(cls.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def run_bad(self, tls_text, must_name, reason_rx=None):
        """Start the daemon with HEAD + tls_text; it must exit non-zero
        within 15 s, and its output must name each of must_name (the
        domain, the file, the parameter) and match reason_rx."""
        p = Proxy(HEAD + tls_text.replace("{d}", self.dir) + ROUTE,
                  label="tls-startup")
        p.start(wait=False)
        rc = p.wait_exit(15)
        log = p.log()
        p.stop(check=False)
        text = tls_text.replace("{d}", self.dir).replace(
            "$PORT_T", str(p.port("T")))
        self.assertIsNotNone(rc, "the daemon started with:\n%s\nlog:\n%s"
                             % (text, log[-3000:]))
        self.assertNotEqual(rc, 0, "exit 0 with:\n%s\nlog:\n%s"
                            % (text, log[-3000:]))
        for n in must_name:
            n = n.replace("$PORT_T", str(p.port("T")))
            self.assertIn(n, log, "the log does not name %r\nconfig:\n%s"
                          "\nlog:\n%s" % (n, text, log[-3000:]))
        if reason_rx:
            self.assertRegex(log, reason_rx)
        bad = [l for l in log.splitlines()
               if re.search(r"Sanitizer|runtime error|\bBUG\b", l)]
        self.assertEqual(bad, [], "sanitizer/BUG output")
        return log

    def test_control_good_files_start(self):
        p = Proxy(HEAD + GOOD_GLOBALS.replace("{d}", self.dir) + ROUTE,
                  needs=["tls"], label="tls-startup-good")
        try:
            p.start(probe="A", probe_tls="T")
        finally:
            p.stop()

    def test_missing_certificate(self):
        self.run_bad(GOOD_GLOBALS + """
tls_server_domain[127.0.0.1:$PORT_T] {
    tls_certificate = "{d}/no-such-cert.pem"
}
""", ["127.0.0.1:$PORT_T", self.path("no-such-cert.pem")])

    def test_missing_certificate_default_domain(self):
        self.run_bad(GOOD_GLOBALS.replace("server-cert.pem",
                                          "no-such-cert.pem"),
                     ["default server", self.path("no-such-cert.pem")])

    def test_key_does_not_match(self):
        self.run_bad(GOOD_GLOBALS + """
tls_server_domain[127.0.0.1:$PORT_T] {
    tls_certificate = "{d}/server-cert.pem"
    tls_private_key = "{d}/other-key.pem"
}
""", ["127.0.0.1:$PORT_T", self.path("other-key.pem")],
            r"(?i)match|mismatch")

    def test_verify_client_without_ca_list(self):
        self.run_bad("""tls_certificate = "{d}/server-cert.pem"
tls_private_key = "{d}/server-key.pem"
tls_verify_server = 0
tls_server_domain[127.0.0.1:$PORT_T] {
    tls_verify_client = 1
    tls_require_client_certificate = 1
}
""", ["127.0.0.1:$PORT_T", "tls_ca_list"])

    def test_verify_server_default_without_ca_list(self):
        # tls_verify_server defaults to 1: the default client domain
        # cannot verify anything without a CA list
        self.run_bad("""tls_certificate = "{d}/server-cert.pem"
tls_private_key = "{d}/server-key.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
""", ["default client", "tls_ca_list"])

    def test_rsa1024_key_refused(self):
        self.run_bad(GOOD_GLOBALS + """
tls_server_domain[127.0.0.1:$PORT_T] {
    tls_certificate = "{d}/rsa1024-cert.pem"
    tls_private_key = "{d}/rsa1024-key.pem"
}
""", ["127.0.0.1:$PORT_T", self.path("rsa1024-cert.pem")],
            r"(?i)security level")

    def test_sha1_certificate_refused(self):
        self.run_bad(GOOD_GLOBALS + """
tls_server_domain[127.0.0.1:$PORT_T] {
    tls_certificate = "{d}/sha1-cert.pem"
    tls_private_key = "{d}/sha1-key.pem"
}
""", ["127.0.0.1:$PORT_T", self.path("sha1-cert.pem")],
            r"(?i)security level")

    def test_key_readable_by_others_refused(self):
        self.run_bad(GOOD_GLOBALS + """
tls_server_domain[127.0.0.1:$PORT_T] {
    tls_certificate = "{d}/open-cert.pem"
    tls_private_key = "{d}/open-key.pem"
}
""", ["127.0.0.1:$PORT_T", self.path("open-key.pem")],
            r"(?i)other users|readable|mode 644")


if __name__ == "__main__":
    unittest.main()
