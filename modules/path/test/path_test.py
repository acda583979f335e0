"""path (RFC 3327): an edge proxy adds Path with add_path(), the registrar
(use_path, usrloc db_mode 1 on SQLite) stores it; a request to the AoR
at the registrar goes back through the edge to the phone, also after the
registrar restarts (the Path is read back from the location table).
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "test", "lib"))

import dbtest                                           # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Ports, Proxy, make_dir              # noqa: E402

EDGE = """
debug = 3
log_stderror = yes
children = 1
listen = udp:127.0.0.1:$PORT_E
mpath = "$MODULES"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "path.so"
route {
    if (loose_route()) {
        forward();
        exit;
    }
    if (method == "REGISTER") {
        add_path("edge");
        forward("udp:127.0.0.1:$PORT_A");
        exit;
    }
    # a request the registrar sent back along the Path: its Route (us,
    # out of dialog) is removed by loose_route(); the R-URI is the phone
    if (!(uri == myself)) {
        forward();
        exit;
    }
    sl_send_reply("404", "Not here");
}
"""

NEEDS = ["module:db_sqlite", "module:path", "module:rr", "module:mi_fifo"]


class PathThroughEdge(unittest.TestCase):
    def test_call_goes_through_the_edge_after_restart(self):
        ports = Ports()
        db = os.path.join(make_dir("pathdb"), "openser.db")
        cfg = dbtest.location_cfg(dbtest.sqlite_create(db), 1, extra=
                                  'modparam("registrar", "use_path", 1)')
        reg = Proxy(cfg, needs=NEEDS, ports=ports, label="registrar")
        edge = Proxy(EDGE, needs=NEEDS, ports=ports, label="edge")
        phone = sc.NextHop(port=0).start()
        self.addCleanup(phone.stop)
        reg.start(probe="A")
        edge.start()
        self.addCleanup(edge.stop)
        contact = "sip:alice@127.0.0.1:%d" % phone.port
        with sc.UdpSocket() as u:
            r, _ = u.send_request(("127.0.0.1", ports("E")), "REGISTER",
                                  "sip:127.0.0.1",
                                  to_uri="sip:alice@127.0.0.1",
                                  headers=[("Contact", "<%s>" % contact),
                                           ("Expires", "300")])
        self.assertIsNotNone(r, edge.log_tail() + reg.log_tail())
        self.assertEqual(r.status, 200, reg.log_tail())
        self.assertIn("sip:edge@127.0.0.1:%d;lr" % ports("E"),
                      r.get("path") or "", r.raw)
        reg.stop()
        reg = Proxy(cfg, needs=NEEDS, ports=ports, label="registrar2")
        reg.start(probe="A")
        self.addCleanup(reg.stop)
        with sc.UdpSocket() as u:
            resp, req = u.send_request(("127.0.0.1", ports("A")), "OPTIONS",
                                       "sip:alice@127.0.0.1")
        self.assertEqual(resp.status, 200, resp.raw.decode(errors="replace") + reg.log_tail() + edge.log_tail())
        got = phone.wait_call(sc.parse(req).call_id)
        self.assertTrue(got, reg.log_tail() + edge.log_tail())
        vias = got[0].msg.vias()
        # registrar, then edge: the request went through the edge
        self.assertEqual([int(v.port) for v in vias[:2]],
                         [ports("E"), ports("A")], got[0].raw)
        self.assertEqual(got[0].msg.uri, contact)


if __name__ == "__main__":
    unittest.main()
