"""The management FIFO (mi_fifo) and the core MI commands, and openserctl
against the running daemon.

- the 1.x FIFO protocol from Python: which, version, uptime, ps, pwd, arg,
  get_statistics (all, a group, a name; shmem, pkmem, tcp groups),
  reset_statistics, debug (shown, set, refused)
- debug N reaches every process: a UDP receiver logs at DBG after
  "debug 4" was sent to the MI process
- unknown command -> 500; too many arguments -> 400; an empty reply name
  runs the command without an answer
- garbage (binary, lines without ":cmd:", an over-long line, a reply name
  with "/") is skipped and the next request is answered
- a client that never opens its reply FIFO does not block the next one
- openserctl fifo/ps/stats/version/uptime with OPENSER_FIFO, its errors
  (unknown command, no FIFO, wrong arguments, subscriber commands)
"""

import os
import socket
import stat
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))

from harness import Proxy                               # noqa: E402

CTL = os.path.join(ROOT, "scripts", "openserctl")

CFG = """
debug = 2
log_stderror = yes
children = 2
tcp_children = 1
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
mpath = "$MODULES"
loadmodule "mi_fifo.so"
modparam("mi_fifo", "fifo_name", "$DIR/fifo")
modparam("mi_fifo", "fifo_mode", 0600)
modparam("mi_fifo", "reply_dir", "$DIR/")

route {
    drop;
}
"""

_seq = [0]


def reply_name():
    _seq[0] += 1
    return "reply_%d_%d" % (os.getpid(), _seq[0])


class Fifo:
    """A 1.x FIFO client: request lines in, (status line, body lines) out."""

    def __init__(self, fifo, reply_dir):
        self.fifo = fifo
        self.reply_dir = reply_dir

    def send_raw(self, data):
        fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        try:
            view = memoryview(data)
            deadline = time.monotonic() + 5
            while view:
                try:
                    n = os.write(fd, view)
                    view = view[n:]
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise AssertionError("FIFO not drained in 5 s")
                    time.sleep(0.01)
        finally:
            os.close(fd)

    def read_reply(self, path, timeout=5.0):
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        data = b""
        got_writer = False
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:     # a writer, no data yet
                    got_writer = True
                    time.sleep(0.01)
                    continue
                if chunk:
                    data += chunk
                    got_writer = True
                elif got_writer:
                    break                   # the server closed: complete
                else:
                    time.sleep(0.01)        # nobody opened it yet
        finally:
            os.close(fd)
        return data

    def call(self, cmd, *args, timeout=5.0):
        name = reply_name()
        path = os.path.join(self.reply_dir, name)
        os.mkfifo(path, 0o600)
        try:
            req = ":%s:%s\n" % (cmd, name)
            req += "".join("%s\n" % a for a in args) + "\n"
            self.send_raw(req.encode())
            data = self.read_reply(path, timeout)
        finally:
            os.unlink(path)
        text = data.decode("utf-8", "replace")
        if not text:
            raise AssertionError("no reply to %s" % cmd)
        lines = text.split("\n")
        self.last_raw = text
        return lines[0], [l for l in lines[1:] if l != ""]


class MgmtFifo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, label="mgmt_fifo")
        cls.proxy.start()
        cls.fifo_path = os.path.join(cls.proxy.dir, "fifo")
        deadline = time.monotonic() + 10
        while not os.path.exists(cls.fifo_path):
            if time.monotonic() > deadline:
                cls.proxy.stop(check=False)
                raise AssertionError("mi_fifo did not create %s"
                                     % cls.fifo_path)
            time.sleep(0.05)
        cls.fifo = Fifo(cls.fifo_path, cls.proxy.dir)

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    def ok(self, cmd, *args):
        status, body = self.fifo.call(cmd, *args)
        self.assertEqual(status, "200 OK", "%s: %r" % (cmd,
                                                      self.fifo.last_raw))
        return body

    def stats(self, *args):
        out = {}
        for line in self.ok("get_statistics", *args):
            k, _, v = line.partition(" = ")
            out[k] = int(v)
        return out

    # -- core commands ----------------------------------------------------
    def test_fifo_mode(self):
        st = os.stat(self.fifo_path)
        self.assertTrue(stat.S_ISFIFO(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)

    def test_which(self):
        body = self.ok("which")
        for c in ("which", "ps", "uptime", "version", "pwd", "arg", "kill",
                  "debug", "get_statistics", "reset_statistics"):
            self.assertIn(c, body)

    def test_version_uptime_pwd_arg(self):
        self.assertRegex(self.ok("version")[0],
                         r"^Server:: openser \S+ \(\w+ build, (no )?TLS\)$")
        up = self.ok("uptime")
        self.assertTrue(up[0].startswith("Now:: "))
        self.assertTrue(up[1].startswith("Up since:: "))
        self.assertRegex(up[2], r"^Up time:: \d+ \[sec\]$")
        self.assertEqual(self.ok("pwd"), ["WD:: %s" % self.proxy.dir])
        args = self.ok("arg")
        self.assertIn(self.proxy.cfg_path, args)
        self.assertIn("-D", args)

    def test_ps(self):
        body = self.ok("ps")
        self.assertRegex(body[0], r"^Process::  ID=0 PID=%d Type=attendant$"
                         % self.proxy.proc.pid)
        text = "\n".join(body)
        for kind in ("udp receiver 0", "udp receiver 1", "tcp main",
                     "tcp worker 0", "timer", "module process"):
            self.assertIn(kind, text)

    def test_statistics(self):
        all_ = self.stats("all")
        for k in ("core:rcv_requests", "core:bad_msg", "shmem:total_size",
                  "shmem:used_size", "shmem:real_used_size",
                  "shmem:max_used_size", "shmem:free_size",
                  "shmem:fragments", "pkmem:total_size",
                  "tcp:open_connections", "tcp:accepted"):
            self.assertIn(k, all_)
        self.assertGreater(all_["shmem:total_size"], 60 << 20)
        self.assertEqual(all_["shmem:total_size"],
                         all_["shmem:real_used_size"]
                         + all_["shmem:free_size"])
        core = self.stats("core:")
        self.assertTrue(core and all(k.startswith("core:") for k in core))
        self.assertEqual(list(self.stats("rcv_requests")),
                         ["core:rcv_requests"])
        self.assertEqual(list(self.stats("core:bad_msg", "tcp:")),
                         ["core:bad_msg", "tcp:open_connections",
                          "tcp:accepted", "tcp:connected", "tcp:errors",
                          "tcp:refused", "tcp:partial_buffer_evictions",
                          "tcp:unfinished_per_ip_refused", "tcp:dropped_dead_worker",
                          "tcp:index_recovered"])
        status, _ = self.fifo.call("get_statistics", "nosuch:thing")
        self.assertEqual(status, "404 Statistics Not Found")
        status, _ = self.fifo.call("get_statistics")
        self.assertTrue(status.startswith("400 "), status)

    def test_statistics_count_and_reset(self):
        before = self.stats("core:rcv_requests")["core:rcv_requests"]
        port = self.proxy.port("A")
        msg = ("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKmgmt1\r\n"
               "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
               "Call-ID: mgmt-stats\r\nCSeq: 1 OPTIONS\r\n"
               "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for _ in range(3):
                s.sendto(msg.encode(), ("127.0.0.1", port))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            now = self.stats("core:rcv_requests")["core:rcv_requests"]
            if now >= before + 3:
                break
            time.sleep(0.05)
        self.assertGreaterEqual(now, before + 3)
        self.assertEqual(self.ok("reset_statistics", "core:rcv_requests"),
                         [])
        self.assertEqual(self.stats("core:rcv_requests")
                         ["core:rcv_requests"], 0)
        status, _ = self.fifo.call("reset_statistics", "nosuch")
        self.assertEqual(status, "404 Statistics Not Found")

    def test_debug_reaches_every_process(self):
        self.assertEqual(self.ok("debug"), ["DEBUG:: 2"])
        self.assertEqual(self.ok("debug", "4"), ["DEBUG:: 4"])
        try:
            since = self.proxy.log_size()
            # a reply with one Via is ours and dropped, logged at DBG by
            # the UDP receiver, a process other than the MI one
            rpl = ("SIP/2.0 200 OK\r\n"
                   "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKdbg\r\n"
                   "From: <sip:a@127.0.0.1>;tag=1\r\n"
                   "To: <sip:x@127.0.0.1>;tag=2\r\nCall-ID: mgmt-debug\r\n"
                   "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
                   % self.proxy.port("A"))
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(rpl.encode(), ("127.0.0.1", self.proxy.port("A")))
            line = self.proxy.wait_log(r"udp receiver \d+ \[\d+\] DBG: .*"
                                       r"has no second Via", since=since)
            self.assertIsNotNone(line, "no DBG line from a UDP receiver "
                                 "after debug 4")
        finally:
            self.assertEqual(self.ok("debug", "2"), ["DEBUG:: 2"])
        since = self.proxy.log_size()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(rpl.encode(), ("127.0.0.1", self.proxy.port("A")))
        time.sleep(0.3)
        self.assertNotIn("has no second Via", self.proxy.log_since(since))
        for bad in ("x", "9", "-9", "3x"):
            status, _ = self.fifo.call("debug", bad)
            self.assertEqual(status, "400 Bad debug level", bad)
        status, _ = self.fifo.call("debug", "1", "2")
        self.assertTrue(status.startswith("400 "), status)

    # -- protocol errors and robustness -------------------------------------
    def test_unknown_command(self):
        status, body = self.fifo.call("no_such_command")
        self.assertEqual(status, "500 unknown command")
        self.assertEqual(body, [])

    def test_too_many_arguments(self):
        status, _ = self.fifo.call("which", *[str(i) for i in range(17)])
        self.assertEqual(status, "400 Too many arguments")
        self.ok("which")

    def test_crlf_and_no_reply(self):
        name = reply_name()
        path = os.path.join(self.proxy.dir, name)
        os.mkfifo(path, 0o600)
        try:
            self.fifo.send_raw((":get_statistics:%s\r\ncore:\r\n\r\n"
                                % name).encode())
            text = self.fifo.read_reply(path).decode()
        finally:
            os.unlink(path)
        self.assertTrue(text.startswith("200 OK\ncore:"), text)
        # an empty reply name: run, answer nobody, keep going
        self.fifo.send_raw(b":uptime:\n\n")
        self.ok("uptime")

    def test_garbage_is_skipped(self):
        self.fifo.send_raw(os.urandom(20000) + b"\n\n")
        self.ok("which")
        self.fifo.send_raw(b"hello\nworld\n\n:::\n\n:ps\n\n")
        self.ok("which")
        self.fifo.send_raw(b"\xff\xfe\x00\x01:\n\n")
        self.ok("which")
        # an over-long line spoils its request, not the next one
        self.fifo.send_raw(b":which:x\n" + b"A" * 100000 + b"\n\n")
        self.ok("which")
        self.fifo.send_raw(b"B" * 100000 + b"\n\n")
        self.ok("version")
        # a reply path outside reply_dir is refused, nothing is written
        self.fifo.send_raw(b":ps:../escape\n\n:ps:/tmp/escape\n\n")
        self.ok("which")
        self.assertFalse(os.path.exists(os.path.join(
            os.path.dirname(self.proxy.dir), "escape")))
        self.assertTrue(self.proxy.running())

    def test_reply_fifo_never_opened(self):
        name = reply_name()
        path = os.path.join(self.proxy.dir, name)
        os.mkfifo(path, 0o600)
        try:
            t0 = time.monotonic()
            self.fifo.send_raw((":ps:%s\n\n" % name).encode())
            # the server gives up on it within its bounded retry
            self.ok("which")
            self.assertLess(time.monotonic() - t0, 4.0)
        finally:
            os.unlink(path)
        # a reply "fifo" that is a regular file is not written
        reg = os.path.join(self.proxy.dir, "regular_" + name)
        with open(reg, "w") as f:
            f.write("keep\n")
        self.fifo.send_raw((":ps:%s\n\n" % os.path.basename(reg)).encode())
        self.ok("which")
        with open(reg) as f:
            self.assertEqual(f.read(), "keep\n")

    # -- openserctl ---------------------------------------------------------
    def ctl(self, *args, fifo=None):
        env = dict(os.environ)
        env["OPENSER_FIFO"] = fifo or self.fifo_path
        env["OPENSER_REPLY_DIR"] = self.proxy.dir
        env["ETCDIR"] = os.path.join(self.proxy.dir, "etc")
        r = subprocess.run(["sh", CTL] + list(args), capture_output=True,
                           timeout=30, env=env, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def test_openserctl_commands(self):
        rc, out, err = self.ctl("ps")
        self.assertEqual(rc, 0, err)
        self.assertIn("Type=attendant", out)
        rc, out, err = self.ctl("version")
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("Server:: openser "), out)
        rc, out, err = self.ctl("uptime")
        self.assertEqual(rc, 0, err)
        self.assertIn("Up time::", out)
        rc, out, err = self.ctl("stats", "shmem")
        self.assertEqual(rc, 0, err)
        self.assertIn("shmem:total_size = ", out)
        self.assertNotIn("core:", out)
        rc, out, err = self.ctl("stats")
        self.assertEqual(rc, 0, err)
        self.assertIn("core:rcv_requests = ", out)
        self.assertIn("tcp:accepted = ", out)
        rc, out, err = self.ctl("fifo", "which")
        self.assertEqual(rc, 0, err)
        self.assertIn("get_statistics", out.split())
        rc, out, err = self.ctl("fifo", "debug")
        self.assertEqual((rc, out.strip()), (0, "DEBUG:: 2"))

    def test_openserctl_errors(self):
        rc, out, err = self.ctl("fifo", "no_such_command")
        self.assertEqual(rc, 1)
        self.assertIn("no_such_command: 500 unknown command", err)
        rc, out, err = self.ctl("ps", fifo=os.path.join(self.proxy.dir,
                                                        "missing"))
        self.assertEqual(rc, 1)
        self.assertIn("not running", err)
        notfifo = os.path.join(self.proxy.dir, "plainfile")
        open(notfifo, "w").close()
        rc, out, err = self.ctl("ps", fifo=notfifo)
        self.assertEqual(rc, 1)
        self.assertIn("is not a FIFO", err)
        rc, out, err = self.ctl("ps", "extra")
        self.assertEqual(rc, 2)
        self.assertIn("takes no arguments", err)
        rc, out, err = self.ctl("frobnicate")
        self.assertEqual(rc, 2)
        self.assertIn("unknown command", err)
        for c in ("add", "passwd"):
            rc, out, err = self.ctl(c, "alice")
            self.assertEqual(rc, 2)
            self.assertIn("%s <user[@domain]>" % c, err)
        rc, out, err = self.ctl("help")
        self.assertEqual(rc, 0)
        self.assertIn("tls userCERT", out)
        self.assertTrue(self.proxy.running())


if __name__ == "__main__":
    unittest.main(verbosity=2)
