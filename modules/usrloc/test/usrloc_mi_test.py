"""usrloc management commands through mi_fifo (skipped without it).

- a REGISTER shows in ul_dump and ul_show_contact
- ul_add adds a contact lookup() then uses; ul_rm_contact / ul_rm remove
- unknown table / AoR answer 404
"""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "test", "lib"))

import sipclient as sc                                  # noqa: E402
from harness import Proxy                               # noqa: E402

CFG = """
debug = 3
log_stderror = yes
children = 2
listen = udp:127.0.0.1:$PORT_A
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "mi_fifo.so"
modparam("mi_fifo", "fifo_name", "$DIR/fifo")
modparam("mi_fifo", "reply_dir", "$DIR/")

route {
    if (method == "REGISTER") {
        save("location");
        exit;
    }
    if (!lookup("location")) {
        sl_send_reply("404", "Not Found");
        exit;
    }
    forward();
}
"""


class UsrlocMi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Proxy(CFG, needs=["module:mi_fifo"], label=cls.__name__)
        cls.ua = sc.NextHop(port=0).start()
        cls.proxy.start(probe="A", peers=[cls.ua])
        cls.paddr = ("127.0.0.1", cls.proxy.port("A"))
        cls.dir = cls.proxy.dir

    @classmethod
    def tearDownClass(cls):
        cls.ua.stop()
        cls.proxy.stop()

    def mi(self, *args):
        """(status line, body lines) of one MI command."""
        name = "reply_%d_%d" % (os.getpid(), int(time.monotonic() * 1e6))
        path = os.path.join(self.dir, name)
        fifo = os.path.join(self.dir, "fifo")
        for _ in range(50):
            if os.path.exists(fifo):
                break
            time.sleep(0.1)
        os.mkfifo(path)
        data = b""
        try:
            req = ":%s:%s\n%s\n" % (args[0], name,
                                   "".join(a + "\n" for a in args[1:]))
            rfd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            try:
                with open(fifo, "w") as f:
                    f.write(req)
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    try:
                        d = os.read(rfd, 65536)
                    except BlockingIOError:
                        d = None
                    if d:
                        data += d
                        if data.endswith(b"\n\n"):
                            break
                    else:
                        time.sleep(0.05)
            finally:
                os.close(rfd)
        finally:
            os.unlink(path)
        lines = data.decode().split("\n")
        return lines[0], [ln for ln in lines[1:] if ln]

    def test_register_then_dump_and_rm(self):
        c = "sip:amy@127.0.0.1:%d" % self.ua.port
        with sc.UdpSocket() as u:
            r, _ = u.send_request(self.paddr, "REGISTER", "sip:127.0.0.1",
                                  to_uri="sip:amy@127.0.0.1",
                                  headers=[("Contact", "<%s>" % c),
                                           ("Expires", "300"),
                                           ("User-Agent", "mi-test")])
        self.assertEqual(r.status, 200)
        st, body = self.mi("ul_dump")
        self.assertEqual(st, "200 OK")
        text = "\n".join(body)
        self.assertIn("AOR:: amy", text)
        self.assertIn("Contact:: %s" % c, text)
        self.assertIn("User-agent:: mi-test", text)
        st, body = self.mi("ul_show_contact", "location", "amy")
        self.assertEqual(st, "200 OK")
        self.assertTrue(body[0].startswith("Contact:: <%s>;q=;expires=" % c),
                        body)
        st, _ = self.mi("ul_rm_contact", "location", "amy", c)
        self.assertEqual(st, "200 OK")
        st, _ = self.mi("ul_show_contact", "location", "amy")
        self.assertTrue(st.startswith("404"), st)

    def test_ul_add_then_lookup(self):
        c = "sip:ben@127.0.0.1:%d" % self.ua.port
        st, _ = self.mi("ul_add", "location", "ben", c, "0", "0.5")
        self.assertEqual(st, "200 OK")
        with sc.UdpSocket() as u:
            r, req = u.send_request(self.paddr, "OPTIONS",
                                    "sip:ben@127.0.0.1")
        self.assertEqual(r.status, 200)
        got = self.ua.wait_call(sc.parse(req).call_id)
        self.assertEqual(got[0].msg.uri, c)
        st, _ = self.mi("ul_rm", "location", "ben")
        self.assertEqual(st, "200 OK")
        st, _ = self.mi("ul_rm", "location", "ben")
        self.assertTrue(st.startswith("404"), st)

    def test_unknown_table(self):
        st, _ = self.mi("ul_show_contact", "nosuch", "x")
        self.assertEqual(st, "404 Table not found")


if __name__ == "__main__":
    unittest.main(verbosity=2)
