"""usrloc on a real MariaDB server (db_mysql) that this module starts
itself (test/lib/mariadb.py: own datadir, socket and random port; the
openser user with a password made by 'openserdbctl create').  Without
mariadbd these tests FAIL, naming scripts/install-deps.sh.  Also the TLS
restart test on SQLite and on MariaDB.

- db_mode 1: registered, proxy restarted, the call reaches the phone
- db_mode 3, two proxies, one over TCP (password with ':' and '@') and
  one over the unix socket url: registered through A, found at B
- MariaDB killed while running (db_mode 1): REGISTER answered 500 with
  Retry-After, a known user still routed, the log names the db_url with
  the password hidden; the server back: REGISTER stored again and no
  binding lost
- quotes, semicolons and NUL bytes stored exactly (HEX() of the row)
- a wrong password at start-up: one line naming the db_url without the
  password; a wrong schema version refused with 'openserdbctl migrate'
- TLS (TLS=1 build): a phone registered over TLS, proxy restarted, a call
  entering over UDP reaches the phone over a new TLS connection (SQLite
  and MariaDB, db_mode 1)
"""

import os
import sqlite3  # noqa: F401  (the SQLite TLS case uses dbtest)
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "test", "lib"))

import certs                                            # noqa: E402
import dbtest                                           # noqa: E402
import mariadb                                          # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Proxy, make_dir                     # noqa: E402

NEEDS = ["module:mi_fifo", "module:db_mysql"]
DB = None


def setUpModule():
    global DB
    DB = mariadb.MariaDB("mariadb").start()


def tearDownModule():
    if DB is not None:
        DB.stop()


def register(proxy, aor, contact, expires=300, call_id=None, cseq=1):
    with sc.UdpSocket() as u:
        resp, _ = u.send_request(("127.0.0.1", proxy.port("A")), "REGISTER",
                                 "sip:127.0.0.1",
                                 to_uri="sip:%s@127.0.0.1" % aor,
                                 from_uri="sip:%s@127.0.0.1" % aor,
                                 headers=[("Contact", "<%s>" % contact),
                                          ("Expires", str(expires))],
                                 call_id=call_id, cseq=cseq)
    return resp


def options(proxy, aor):
    with sc.UdpSocket() as u:
        resp, req = u.send_request(("127.0.0.1", proxy.port("A")), "OPTIONS",
                                   "sip:%s@127.0.0.1" % aor)
    return resp, sc.parse(req)


def location(where):
    return DB.sql("SELECT HEX(username), HEX(contact) FROM location " + where,
                  database="openser").stdout.split()


class MariaDBWriteThrough(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        DB.create_openser()
        cls.cfg = dbtest.location_cfg(DB.url, 1, module="db_mysql.so",
                                      extra='modparam("db_mysql", '
                                      '"timeout_interval", 2)')
        cls.proxy = Proxy(cls.cfg, needs=NEEDS, label=cls.__name__)
        cls.ua = sc.NextHop(port=0).start()
        cls.proxy.start(probe="A", peers=[cls.ua])

    @classmethod
    def tearDownClass(cls):
        cls.ua.stop()
        cls.proxy.stop()

    def restart(self):
        cls = type(self)
        cls.proxy = dbtest.restart(cls.proxy, cls.cfg, NEEDS, cls.__name__)

    def test_restart_keeps_binding(self):
        c = "sip:bob@127.0.0.1:%d" % self.ua.port
        self.assertEqual(register(self.proxy, "bob", c).status, 200)
        self.assertEqual(location("WHERE username='bob'"),
                         [b"bob".hex().upper(), c.encode().hex().upper()])
        self.restart()
        resp, req = options(self.proxy, "bob")
        self.assertEqual(resp.status, 200, self.proxy.log_tail())
        got = self.ua.wait_call(req.call_id)
        self.assertTrue(got, self.proxy.log_tail())
        self.assertEqual(got[0].msg.uri, c)

    def test_quotes_semicolons_nul_exact(self):
        aor = "o'ne;il\"x\\"
        contact = b"sip:q'u;o\"te\\\x00nul@127.0.0.1:%d" % self.ua.port
        st, body = dbtest.mi(self.proxy.dir, "ul_add", "location", aor,
                             contact, "300", "1")
        self.assertEqual(st, "200 OK", body)
        self.assertEqual(location("WHERE username=0x%s"
                                  % aor.encode().hex()),
                         [aor.encode().hex().upper(),
                          contact.hex().upper()])

    def test_database_killed_500_then_recovery(self):
        c = "sip:carol@127.0.0.1:%d" % self.ua.port
        self.assertEqual(register(self.proxy, "carol", c, call_id="k-1",
                                  cseq=1).status, 200)
        since = self.proxy.log_size()
        DB.kill()
        try:
            r = register(self.proxy, "carol", c, call_id="k-1", cseq=2)
            self.assertEqual(r.status, 500, r.raw)
            self.assertRegex(r.get("retry-after") or "", r"^\d+$", r.raw)
            line = self.proxy.wait_log(r"db_url mysql://openser:\*\*\*@",
                                       since=since)
            self.assertTrue(line, self.proxy.log_tail())
            self.assertNotIn(mariadb.RW_PASS, self.proxy.log_since(since))
            resp, req = options(self.proxy, "carol")
            self.assertEqual(resp.status, 200)
            self.assertTrue(self.ua.wait_call(req.call_id))
        finally:
            DB.start()
        r = register(self.proxy, "carol", c, call_id="k-1", cseq=3)
        self.assertEqual(r.status, 200, r.raw.decode(errors="replace") + self.proxy.log_tail())
        self.assertEqual(len(location("WHERE username='carol'")), 2)
        self.assertTrue(self.proxy.log_contains("connected again")
                        or self.proxy.log_contains("carol"),
                        self.proxy.log_tail())


class MariaDBShared(unittest.TestCase):
    def setUp(self):
        DB.create_openser()
        self.ua = sc.NextHop(port=0).start()
        self.addCleanup(self.ua.stop)

    def test_mode3_two_proxies_tcp_and_socket_url(self):
        a = Proxy(dbtest.location_cfg(DB.url, 3, module="db_mysql.so"),
                  needs=NEEDS, label="A")
        b = Proxy(dbtest.location_cfg(DB.socket_url, 3,
                                      module="db_mysql.so"),
                  needs=NEEDS, label="B")
        a.start(probe="A")
        self.addCleanup(a.stop)
        b.start(probe="A")
        self.addCleanup(b.stop)
        c = "sip:fred@127.0.0.1:%d" % self.ua.port
        self.assertEqual(register(a, "fred", c).status, 200)
        resp, req = options(b, "fred")
        self.assertEqual(resp.status, 200, b.log_tail())
        self.assertTrue(self.ua.wait_call(req.call_id))
        # and back: removed through B, gone at A
        self.assertEqual(register(b, "fred", c, expires=0, cseq=2).status,
                         200)
        self.assertEqual(options(a, "fred")[0].status, 404)

    def test_wrong_password_refused_without_showing_it(self):
        url = DB.url.replace(mariadb.RW_PASS, "wrong:pw")
        p = Proxy(dbtest.location_cfg(url, 1, module="db_mysql.so"),
                  needs=NEEDS, label="badpw")
        p.start(wait=False)
        self.assertNotEqual(p.wait_exit(), 0)
        line = p.wait_log(r"db_url mysql://openser:\*\*\*@127\.0\.0\.1:%d/"
                          r"openser: cannot connect: .*Access denied"
                          % DB.port, timeout=2)
        self.assertTrue(line, p.log_tail())
        self.assertNotIn("wrong:pw", p.log())

    def test_wrong_version_refused(self):
        DB.sql("UPDATE version SET table_version=7 WHERE "
               "table_name='location'", database="openser")
        p = Proxy(dbtest.location_cfg(DB.url, 1, module="db_mysql.so"),
                  needs=NEEDS, label="badver")
        p.start(wait=False)
        self.assertNotEqual(p.wait_exit(), 0)
        self.assertTrue(p.wait_log(r"schema version 7, this openser needs 2;"
                                   r" run 'openserdbctl migrate'", timeout=2),
                        p.log_tail())


class TlsRestart:
    """Register over TLS, restart, a call over UDP reaches the phone."""

    DBMODULE = None

    def dburl(self):
        raise NotImplementedError

    def test_tls_phone_found_after_restart(self):
        url = self.dburl()
        cfg = dbtest.location_cfg(url, 1, module=self.DBMODULE, tls=True)
        p = Proxy(cfg, needs=NEEDS + ["tls"], label="tls")
        d = p.dir
        ca = certs.make_ca(d, "openser test CA", file_prefix="ca")
        certs.make_cert(ca, "proxy.test", d, san_ip=["127.0.0.1"],
                        file_prefix="server")
        ph = certs.make_cert(ca, "phone.test", d, san_ip=["127.0.0.1"],
                             file_prefix="phone")
        phone = sc.TlsNextHop(port=0, context=sc.tls_context(
            server=True, ca=ca.cert, cert=ph.cert, key=ph.key)).start()
        self.addCleanup(phone.stop)
        p.start(probe="A", probe_tls="T")
        contact = "sip:alice@127.0.0.1:%d;transport=tls" % phone.port
        with sc.TlsClient("127.0.0.1", p.port("T"), ca=ca.cert) as c:
            rsp, _ = c.send_request(
                "REGISTER", "sip:127.0.0.1;transport=tls",
                to_uri="sip:alice@127.0.0.1", from_uri="sip:alice@127.0.0.1",
                headers=[("Contact", "<%s>" % contact), ("Expires", "300")])
            self.assertEqual(rsp.status, 200, p.log_tail())
        # keep the certificates for the new proxy: same dir files
        keep = {}
        for f in ("ca.pem", "server-cert.pem", "server-key.pem"):
            with open(os.path.join(d, f), "rb") as fh:
                keep[f] = fh.read()
        p.stop()
        p2 = Proxy(cfg, needs=NEEDS + ["tls"], ports=p.ports, label="tls2")
        for f, data in keep.items():
            fd = os.open(os.path.join(p2.dir, f),
                         os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        p2.start(probe="A")
        self.addCleanup(p2.stop)
        resp, req = options(p2, "alice")
        self.assertEqual(resp.status, 200, p2.log_tail())
        got = phone.wait_call(req.call_id)
        self.assertTrue(got, "the call did not reach the TLS phone after "
                        "the restart\n" + p2.log_tail())
        self.assertEqual(got[0].proto, "tls")
        self.assertEqual(got[0].tls.cn, "proxy.test")


class TlsRestartMariaDB(TlsRestart, unittest.TestCase):
    DBMODULE = "db_mysql.so"

    def dburl(self):
        DB.create_openser()
        return DB.url


class TlsRestartSqlite(TlsRestart, unittest.TestCase):
    DBMODULE = "db_sqlite.so"

    def dburl(self):
        return dbtest.sqlite_create(os.path.join(make_dir("tlsdb"),
                                                 "openser.db"))


if __name__ == "__main__":
    unittest.main()
