"""openserctl start | stop | restart against the real daemon, which
daemonizes and writes its pid file as an operator's system would run it."""

import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import harness                                          # noqa: E402
import sipclient as sc                                  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CTL = os.path.join(ROOT, "scripts", "openserctl")

CFG = """
debug = 2
children = 1
disable_tcp = yes
listen = udp:127.0.0.1:%d
mpath = "%s"
loadmodule "sl.so"
route { sl_send_reply("200", "OK"); }
"""


class OpenserctlDaemon(unittest.TestCase):
    def setUp(self):
        self.dir = harness.make_dir("openserctl_daemon")
        self.port = harness.free_port()
        self.cfg = os.path.join(self.dir, "openser.cfg")
        with open(self.cfg, "w") as f:
            f.write(CFG % (self.port, harness.modules_dir()))
        self.pid_file = os.path.join(self.dir, "openser.pid")
        self.env = dict(harness.daemon_env())
        self.env.update({"OPENSER_BIN": harness.binary(),
                         "OPENSER_CFG": self.cfg,
                         "PID_FILE": self.pid_file,
                         "STARTOPTIONS": "-m 64 -M 8"})
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.addCleanup(self.kill_leftover)

    def kill_leftover(self):
        pid = self.read_pid()
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def read_pid(self):
        try:
            with open(self.pid_file) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def ctl(self, *args):
        r = subprocess.run(["sh", CTL] + list(args), capture_output=True,
                           timeout=60, env=self.env, cwd=self.dir,
                           stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def answers(self, timeout=3.0):
        with sc.UdpSocket() as u:
            for _ in range(int(timeout / 0.5)):
                rsp, _ = u.send_request(("127.0.0.1", self.port), "OPTIONS",
                                        "sip:ping@127.0.0.1", timeout=0.5)
                if rsp is not None:
                    return rsp.status == 200
        return False

    def test_start_restart_stop(self):
        rc, out, err = self.ctl("start")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("openser started (pid", out)
        pid1 = self.read_pid()
        self.assertIsNotNone(pid1, "no pid file")
        self.assertTrue(self.answers(), "started daemon does not answer")

        rc, out, err = self.ctl("start")
        self.assertNotEqual(rc, 0)
        self.assertIn("already running", out + err)

        rc, out, err = self.ctl("restart")
        self.assertEqual(rc, 0, out + err)
        pid2 = self.read_pid()
        self.assertIsNotNone(pid2)
        self.assertNotEqual(pid1, pid2, "restart kept the old process")
        self.assertFalse(os.path.exists("/proc/%d" % pid1)
                         and open("/proc/%d/stat" % pid1).read().split()[2]
                         != "Z", "old process still running")
        self.assertTrue(self.answers(), "restarted daemon does not answer")

        rc, out, err = self.ctl("stop")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("openser stopped", out)
        for _ in range(50):
            if not os.path.exists("/proc/%d" % pid2):
                break
            time.sleep(0.1)
        self.assertFalse(os.path.exists("/proc/%d" % pid2))
        self.assertFalse(os.path.exists(self.pid_file),
                         "pid file left behind")

        rc, out, err = self.ctl("stop")
        self.assertNotEqual(rc, 0)
        self.assertIn("not running", out + err)


if __name__ == "__main__":
    unittest.main()
