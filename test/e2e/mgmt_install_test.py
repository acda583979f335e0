"""make install / make uninstall into a DESTDIR, reusing the build under
test (OPENSER_BIN = build/<build>[-tls]/openser gives BUILD and TLS, so
nothing is rebuilt when it is up to date).

- the tree: sbin/openser, sbin/openserctl, lib/openser/modules/*.so,
  lib/openser/openserctl/openserctl.tls, etc/openser/openser.cfg,
  share/doc/openser/README.<module>, man pages; with TLS=1
  etc/openser/tls/{ca.conf,request.conf,user.conf,README}
- no private key or certificate anywhere in it
- the installed openserctl and openser.cfg name the installed paths
  (PREFIX), not /usr/local; openserctl runs (help, sh -n)
- a second install keeps an edited openser.cfg and puts the sample beside
- uninstall removes what install put there and keeps openser.cfg
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))

import harness                                          # noqa: E402

PREFIX = "/opt/openser-install-test"


def build_of(binary):
    """(BUILD, TLS) from .../build/<build>[-tls]/openser, or None."""
    m = re.search(r"/build/(release|debug|asan|fuzz)(-tls)?/openser$",
                  binary)
    if m is None:
        return None
    return m.group(1), "1" if m.group(2) else ""


class MakeInstall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        b = build_of(harness.binary())
        if b is None:
            raise unittest.SkipTest("OPENSER_BIN is not a build/<build>/"
                                    "openser of this tree")
        cls.build, cls.tls = b
        os.makedirs(harness.TMP_ROOT, exist_ok=True)
        cls.destdir = tempfile.mkdtemp(prefix="install-",
                                       dir=harness.TMP_ROOT)
        cls.root = cls.destdir + PREFIX

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.destdir, ignore_errors=True)

    def make(self, target):
        r = subprocess.run(
            ["make", "-C", ROOT, target, "BUILD=" + self.build,
             "TLS=" + self.tls, "DESTDIR=" + self.destdir,
             "PREFIX=" + PREFIX], capture_output=True, timeout=600,
            stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, "make %s:\n%s%s" % (
            target, r.stdout.decode()[-3000:], r.stderr.decode()[-3000:]))
        return r.stdout.decode()

    def files(self):
        out = []
        for d, _, fs in os.walk(self.root):
            out += [os.path.relpath(os.path.join(d, f), self.root)
                    for f in fs]
        return sorted(out)

    def read(self, rel):
        with open(os.path.join(self.root, rel), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def test_install_uninstall(self):
        self.make("install")
        files = self.files()
        for f in ("sbin/openser", "sbin/openserctl",
                  "lib/openser/modules/mi_fifo.so",
                  "lib/openser/openserctl/openserctl.tls",
                  "etc/openser/openser.cfg",
                  "share/doc/openser/README.mi_fifo",
                  "share/man/man8/openser.8", "share/man/man8/openserctl.8",
                  "share/man/man5/openser.cfg.5"):
            self.assertIn(f, files)
        mods = sorted(os.path.basename(p) for p in
                      os.listdir(harness.modules_dir()) if p.endswith(".so"))
        self.assertEqual(sorted(os.listdir(os.path.join(
            self.root, "lib/openser/modules"))), mods)
        tls_files = ["etc/openser/tls/" + t for t in
                     ("README", "ca.conf", "request.conf", "user.conf")]
        for t in tls_files:
            if self.tls:
                self.assertIn(t, files)
            else:
                self.assertNotIn(t, files)
        self.assertTrue(os.access(os.path.join(self.root, "sbin/openser"),
                                  os.X_OK))
        # no key material is shipped
        for f in files:
            self.assertFalse(f.endswith((".pem", ".key", ".crt", ".p12")),
                             f)
            if not f.endswith(".so") and not f.startswith("sbin/openser"):
                self.assertNotIn("PRIVATE KEY-----", self.read(f), f)
        # installed paths substituted
        ctl = self.read("sbin/openserctl")
        self.assertIn("ETCDIR_DEFAULT=%s/etc/openser\n" % PREFIX, ctl)
        self.assertIn("SBINDIR_DEFAULT=%s/sbin\n" % PREFIX, ctl)
        self.assertIn("LIBDIR_DEFAULT=%s/lib/openser/openserctl\n" % PREFIX,
                      ctl)
        self.assertNotIn("/usr/local", ctl)
        cfg = self.read("etc/openser/openser.cfg")
        self.assertIn('mpath = "%s/lib/openser/modules/"' % PREFIX, cfg)
        self.assertNotIn("/usr/local", cfg)
        self.assertIn("%s/etc/openser" % PREFIX,
                      self.read("share/man/man8/openser.8"))
        r = subprocess.run(["sh", "-n",
                            os.path.join(self.root, "sbin/openserctl")],
                           capture_output=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run(["sh", os.path.join(self.root, "sbin/openserctl"),
                            "help"], capture_output=True, timeout=10,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"%s/etc/openser/tls" % PREFIX.encode(), r.stdout)
        # the installed config is accepted by the installed binary's parser
        # (modules from this build: the PREFIX is not real)
        test_cfg = os.path.join(self.destdir, "check.cfg")
        with open(test_cfg, "w") as f:
            f.write(cfg.replace('%s/lib/openser/modules/' % PREFIX,
                                harness.modules_dir() + "/"))
        if not self.tls:
            r = subprocess.run([harness.binary(), "-c", "-f", test_cfg],
                               capture_output=True, timeout=30,
                               env=harness.daemon_env())
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        # an edited openser.cfg survives a second install
        path = os.path.join(self.root, "etc/openser/openser.cfg")
        with open(path, "a") as f:
            f.write("# edited by the operator\n")
        self.make("install")
        self.assertTrue(self.read("etc/openser/openser.cfg")
                        .endswith("# edited by the operator\n"))
        self.assertIn("etc/openser/openser.cfg.sample", self.files())

        # a certificate made there is kept by uninstall too
        if self.tls:
            mine = os.path.join(self.root, "etc/openser/tls/mine")
            os.makedirs(mine)
            with open(os.path.join(mine, "mine-cert.pem"), "w") as f:
                f.write("operator's\n")
        self.make("uninstall")
        left = self.files()
        want = ["etc/openser/openser.cfg"]
        if self.tls:
            want.append("etc/openser/tls/mine/mine-cert.pem")
        self.assertEqual(left, sorted(want))


if __name__ == "__main__":
    unittest.main(verbosity=2)
