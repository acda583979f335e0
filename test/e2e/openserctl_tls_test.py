"""openserctl tls rootCA / userCERT, non-interactive, and a daemon serving
TLS with what they made.

- rootCA: the 1.x tree (rootCA/cacert.pem, private/cakey.pem encrypted and
  0600, index.txt, serial, certs/), CA:TRUE + keyCertSign/cRLSign, SHA-256,
  RSA 3072; EC P-256 with --key ec
- userCERT: <name>/<name>-{privkey,cert_req,cert,calist}.pem, key 0600 and
  unencrypted, SAN DNS + sip: URI (IP for addresses), serverAuth +
  clientAuth, openssl verify OK; the three tls_* lines printed
- refuses to overwrite without -y (no terminal), overwrites with -y; the CA
  list gets the CA once; a wrong pass phrase, a missing CA, a missing
  openssl and bad arguments are clear errors
- (TLS build) the printed lines make a config openser accepts and serves
  TLS with, client certificates verified against the CA list; openserctl
  tls list / tls info show the connection and the certificate
"""

import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))

import harness                                          # noqa: E402
from harness import Proxy                               # noqa: E402

CTL = os.path.join(ROOT, "scripts", "openserctl")
PASS = "test pass phrase"


def ctl(*args, env=None, etcdir=None):
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("TLS_") or k == "OPENSERCTL_ASSUME_YES":
            del e[k]
    e["TLS_CA_PASS"] = PASS
    e["ETCDIR"] = etcdir or "/nonexistent/etc/openser"
    e.update(env or {})
    r = subprocess.run(["sh", CTL] + list(args), capture_output=True,
                       timeout=120, env=e, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def openssl(*args):
    r = subprocess.run(["openssl"] + list(args), capture_output=True,
                       timeout=30, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout.decode() + r.stderr.decode()


def text_of(cert):
    rc, out = openssl("x509", "-in", cert, "-noout", "-text")
    assert rc == 0, out
    return out


def cfg_lines(out):
    """The tls_* lines openserctl printed."""
    return [l for l in out.splitlines()
            if re.match(r'^tls_(certificate|private_key|ca_list) = "', l)]


class CtlCerts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="openserctl-tls-",
                                   dir=harness.TMP_ROOT
                                   if os.path.isdir(harness.TMP_ROOT)
                                   else None)
        cls.base = os.path.join(cls.tmp, "tls")
        rc, cls.ca_out, err = ctl("tls", "rootCA", "--subject",
                                  "/CN=Test SIP CA/O=openser tests",
                                  cls.base)
        assert rc == 0, err + cls.ca_out

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_root_ca(self):
        ca = os.path.join(self.base, "rootCA")
        for f in ("cacert.pem", "private/cakey.pem", "index.txt",
                  "serial"):
            self.assertTrue(os.path.isfile(os.path.join(ca, f)), f)
        self.assertTrue(os.path.isdir(os.path.join(ca, "certs")))
        for t in ("ca.conf", "request.conf", "user.conf"):
            self.assertTrue(os.path.isfile(os.path.join(self.base, t)))
        key = os.path.join(ca, "private", "cakey.pem")
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        with open(key) as f:
            self.assertIn("BEGIN ENCRYPTED PRIVATE KEY", f.read())
        t = text_of(os.path.join(ca, "cacert.pem"))
        self.assertRegex(t, r"Basic Constraints: critical\s+CA:TRUE")
        self.assertRegex(t, r"Key Usage: critical\s+Certificate Sign, "
                         r"CRL Sign")
        self.assertIn("sha256WithRSAEncryption", t)
        self.assertIn("(3072 bit)", t)
        self.assertIn("CN = Test SIP CA", t)
        self.assertIn("root CA ready (verified)", self.ca_out)
        self.assertEqual(len(cfg_lines(self.ca_out)), 3)
        # the key opens with the pass phrase only
        rc, _ = openssl("pkey", "-in", key, "-passin", "pass:" + PASS,
                        "-noout")
        self.assertEqual(rc, 0)
        rc, _ = openssl("pkey", "-in", key, "-passin", "pass:wrong",
                        "-noout")
        self.assertNotEqual(rc, 0)

    def make_user(self, name, *opts, env=None):
        rc, out, err = ctl("tls", "userCERT", *opts, name, self.base,
                           env=env)
        self.assertEqual(rc, 0, err + out)
        return out

    def test_user_cert(self):
        out = self.make_user("proxy1", "--san", "sip.example.net,127.0.0.1")
        d = os.path.join(self.base, "proxy1")
        files = {s: os.path.join(d, "proxy1-%s.pem" % s)
                 for s in ("privkey", "cert_req", "cert", "calist")}
        for f in files.values():
            self.assertTrue(os.path.isfile(f), f)
        self.assertEqual(stat.S_IMODE(os.stat(files["privkey"]).st_mode),
                         0o600)
        with open(files["privkey"]) as f:
            self.assertNotIn("ENCRYPTED", f.read())
        t = text_of(files["cert"])
        self.assertIn("DNS:sip.example.net", t)
        self.assertIn("URI:sip:sip.example.net", t)
        self.assertIn("IP Address:127.0.0.1", t)
        self.assertIn("URI:sip:127.0.0.1", t)
        self.assertRegex(t, r"Extended Key Usage:\s+TLS Web Server "
                         r"Authentication, TLS Web Client Authentication")
        self.assertRegex(t, r"Basic Constraints: critical\s+CA:FALSE")
        self.assertIn("sha256WithRSAEncryption", t)
        self.assertIn("CN = proxy1", t)
        rc, v = openssl("verify", "-CAfile", files["calist"], files["cert"])
        self.assertEqual(rc, 0, v)
        self.assertIn(": OK", v)
        self.assertEqual(cfg_lines(out), [
            'tls_certificate = "%s"' % files["cert"],
            'tls_private_key = "%s"' % files["privkey"],
            'tls_ca_list = "%s"' % files["calist"]])
        # a copy in the CA database
        self.assertTrue(os.listdir(os.path.join(self.base, "rootCA",
                                                "certs")))

    def test_ec_cert(self):
        self.make_user("ecproxy", "--key", "ec", "--cn", "ec.example.net")
        t = text_of(os.path.join(self.base, "ecproxy", "ecproxy-cert.pem"))
        self.assertIn("prime256v1", t)
        self.assertIn("CN = ec.example.net", t)
        self.assertIn("DNS:ecproxy", t)
        self.assertRegex(t, r"Key Usage: critical\s+Digital Signature\n")

    def test_no_overwrite_without_yes(self):
        self.make_user("keep1")
        d = os.path.join(self.base, "keep1")
        with open(os.path.join(d, "keep1-cert.pem")) as f:
            before = f.read()
        rc, out, err = ctl("tls", "userCERT", "keep1", self.base)
        self.assertEqual(rc, 1)
        self.assertIn("not confirmed", err)
        with open(os.path.join(d, "keep1-cert.pem")) as f:
            self.assertEqual(f.read(), before)
        self.make_user("keep1", "-y")
        with open(os.path.join(d, "keep1-cert.pem")) as f:
            self.assertNotEqual(f.read(), before)
        self.make_user("keep1", env={"OPENSERCTL_ASSUME_YES": "1"})
        with open(os.path.join(d, "keep1-calist.pem")) as f:
            self.assertEqual(f.read().count("BEGIN CERTIFICATE"), 1)
        # rootCA too
        rc, out, err = ctl("tls", "rootCA", self.base)
        self.assertEqual(rc, 1)
        self.assertIn("exists", err)

    def test_errors(self):
        rc, out, err = ctl("tls", "userCERT", "x1", self.base,
                           env={"TLS_CA_PASS": "wrong pass"})
        self.assertEqual(rc, 1)
        self.assertIn("did not sign", err)
        rc, out, err = ctl("tls", "userCERT", "x2",
                           os.path.join(self.tmp, "empty"))
        self.assertEqual(rc, 1)
        self.assertIn("no root CA", err)
        rc, out, err = ctl("tls", "userCERT")
        self.assertEqual(rc, 2)
        self.assertIn("missing user name", err)
        rc, out, err = ctl("tls", "userCERT", "../evil", self.base)
        self.assertEqual(rc, 2)
        rc, out, err = ctl("tls", "rootCA", "--key", "dsa", self.base)
        self.assertEqual(rc, 2)
        rc, out, err = ctl("tls", "frob")
        self.assertEqual(rc, 2)
        rc, out, err = ctl("tls", "userCERT", "x3", self.base,
                           env={"TLS_CA_PASS": ""})
        self.assertEqual(rc, 1)
        self.assertIn("no CA pass phrase", err)
        # pass phrase from a file
        pf = os.path.join(self.tmp, "pass")
        with open(pf, "w") as f:
            f.write(PASS + "\n")
        rc, out, err = ctl("tls", "userCERT", "--passfile", pf, "x4",
                           self.base, env={"TLS_CA_PASS": ""})
        self.assertEqual(rc, 0, err)

    def test_openssl_missing(self):
        bindir = os.path.join(self.tmp, "bin")
        os.makedirs(bindir, exist_ok=True)
        for d in ("/usr/local/bin", "/usr/bin", "/bin"):
            if not os.path.isdir(d):
                continue
            for n in os.listdir(d):
                p = os.path.join(bindir, n)
                if n != "openssl" and not os.path.lexists(p):
                    os.symlink(os.path.join(d, n), p)
        rc, out, err = ctl("tls", "rootCA", os.path.join(self.tmp, "x"),
                           env={"PATH": bindir})
        self.assertEqual(rc, 1)
        self.assertIn("openssl command is missing", err)


CFG = """
debug = 2
log_stderror = yes
children = 1
tcp_children = 2
listen = udp:127.0.0.1:$PORT_A
listen = tls:127.0.0.1:$PORT_T
tls_verify_client = 1
tls_require_client_certificate = 1
tls_verify_server = 1
mpath = "$MODULES"
loadmodule "mi_fifo.so"
modparam("mi_fifo", "fifo_name", "$DIR/fifo")
modparam("mi_fifo", "reply_dir", "$DIR/")
route {
    drop;
}
"""


class CtlCertsServe(unittest.TestCase):
    """The printed lines in a real config, on a TLS build."""

    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, needs=["tls"], label="openserctl_tls")
        base = os.path.join(cls.proxy.dir, "tls")
        rc, out, err = ctl("tls", "rootCA", "--key", "ec", base)
        assert rc == 0, err
        rc, out, err = ctl("tls", "userCERT", "--key", "ec", "--san",
                           "localhost,127.0.0.1", "server1", base)
        assert rc == 0, err
        lines = cfg_lines(out)
        assert len(lines) == 3, out
        rc, out, err = ctl("tls", "userCERT", "--key", "ec", "phone1", base)
        assert rc == 0, err
        cls.client = os.path.join(base, "phone1", "phone1-%s.pem")
        cls.calist = os.path.join(base, "server1", "server1-calist.pem")
        cls.proxy.cfg = cls.proxy.cfg.replace(
            "mpath", "\n".join(lines) + "\nmpath", 1)
        with open(cls.proxy.cfg_path, "w") as f:
            f.write(cls.proxy.cfg)
        cls.proxy.start()
        # the MI FIFO process is forked last: wait for its FIFO (bounded)
        fifo = os.path.join(cls.proxy.dir, "fifo")
        for _ in range(100):
            if os.path.exists(fifo):
                break
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    def ctl_fifo(self, *args):
        return ctl(*args, env={"OPENSER_FIFO":
                               os.path.join(self.proxy.dir, "fifo"),
                               "OPENSER_REPLY_DIR": self.proxy.dir})

    def test_config_check(self):
        r = subprocess.run([self.proxy.bin, "-c", "-f", self.proxy.cfg_path],
                           capture_output=True, timeout=30,
                           env=harness.daemon_env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"config file ok", r.stdout)

    def test_serves_tls_and_lists_it(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(self.calist)
        ctx.load_cert_chain(self.client % "cert", self.client % "privkey")
        ctx.check_hostname = True
        raw = socket.create_connection(("127.0.0.1", self.proxy.port("T")),
                                       timeout=5)
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            cert = s.getpeercert()
            cn = dict(x[0] for x in cert["subject"])["commonName"]
            self.assertEqual(cn, "server1")
            self.assertIn(("DNS", "localhost"), cert["subjectAltName"])
            local_port = s.getsockname()[1]
            s.sendall(b"\r\n\r\n")          # let the worker finish it
            deadline = time.monotonic() + 5
            while True:
                rc, out, err = self.ctl_fifo("tls", "list")
                self.assertEqual(rc, 0, err)
                if "peer subject: " in out or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            self.assertIn("peer: 127.0.0.1:%d" % local_port, out)
            self.assertIn("local: tls:127.0.0.1:%d" % self.proxy.port("T"),
                          out)
            self.assertIn("peer subject: /CN=phone1", out)
            self.assertRegex(out, r"version: TLSv1\.[23]")
            self.assertRegex(out, r"cipher: \S+")
            self.assertRegex(out, r"age: \d+ s")
            self.assertIn("Total:: 1 TLS connection", out)
        rc, out, err = self.ctl_fifo("tls", "info")
        self.assertEqual(rc, 0, err)
        self.assertIn("Domain:: default server", out)
        self.assertIn("subject: /CN=server1", out)
        self.assertIn("DNS:localhost", out)
        self.assertIn("URI:sip:localhost", out)
        self.assertIn("IP:127.0.0.1", out)
        self.assertRegex(out, r"expires: .* \(in \d+ days\)")
        rc, out, err = self.ctl_fifo("stats", "tls")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"tls:handshakes_ok = [1-9]")


if __name__ == "__main__":
    unittest.main(verbosity=2)
