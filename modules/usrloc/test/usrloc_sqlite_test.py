"""usrloc with a database, on SQLite files made by openserdbctl in a temp
dir (db_sqlite).

- db_mode 0 with no db_url loads (an OpenSER 1.x config line)
- db_mode 1: a phone registered before a restart is found by lookup()
  after it; its row is in the location table
- quotes, semicolons and NUL bytes in the AoR and contact are stored and
  read back exactly (MI ul_add -> table -> restart -> ul_show_contact), and
  a REGISTER for user o'ne;il is routed after a restart
- database locked by another writer (SQLite "down"): REGISTER answered
  500 with Retry-After, a known user is still routed from memory; the
  next REGISTER after the lock is gone is stored
- db_mode 2: a binding reaches the table by the timer (write-back)
- db_mode 3: two proxies share one table: registered through A, found
  by lookup() at B; removed through A, gone at B
- start-up: a missing database file and a table with the wrong schema
  version are refused with one line naming the db_url and the fix; after
  'openserdbctl migrate' the proxy starts
"""

import os
import re
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "test", "lib"))

import dbtest                                           # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import Proxy, make_dir                     # noqa: E402

NEEDS = ["module:mi_fifo", "module:db_sqlite"]


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


def rows(path, where=""):
    db = sqlite3.connect(path, timeout=5)
    db.text_factory = bytes
    try:
        return db.execute("SELECT username, contact, expires FROM location "
                          + where).fetchall()
    finally:
        db.close()


class SqliteWriteThrough(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = make_dir(cls.__name__)
        cls.db = os.path.join(cls.dir, "openser.db")
        url = dbtest.sqlite_create(cls.db)
        cls.cfg = dbtest.location_cfg(
            url, 1, extra='modparam("db_sqlite", "busy_timeout", 300)')
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
        r = register(self.proxy, "bob", c)
        self.assertEqual(r.status, 200, r.raw)
        self.assertEqual([x[:2] for x in rows(self.db, "WHERE username='bob'")],
                         [(b"bob", c.encode())])
        self.restart()
        self.assertTrue(self.proxy.log_contains("loaded"), self.proxy.log_tail())
        resp, req = options(self.proxy, "bob")
        self.assertEqual(resp.status, 200, self.proxy.log_tail())
        got = self.ua.wait_call(req.call_id)
        self.assertTrue(got, "the call did not reach the phone after the "
                        "restart\n" + self.proxy.log_tail())
        self.assertEqual(got[0].msg.uri, c)

    def test_quotes_semicolons_nul_exact(self):
        aor = "o'ne;il\"x"
        contact = b"sip:q'u;o\"te\x00nul@127.0.0.1:%d" % self.ua.port
        st, body = dbtest.mi(self.proxy.dir, "ul_add", "location", aor,
                             contact, "300", "0.5")
        self.assertEqual(st, "200 OK", body)
        got = rows(self.db, "WHERE username=CAST(x'%s' AS TEXT)"
                   % aor.encode().hex())
        self.assertEqual([(g[0], g[1]) for g in got],
                         [(aor.encode(), contact)], got)
        self.restart()
        st, body = dbtest.mi(self.proxy.dir, "ul_show_contact", "location",
                             aor)
        self.assertEqual(st, "200 OK", body)
        # (MI prints text: the contact shows up to its NUL)
        self.assertIn(b"<" + contact.split(b"\0")[0], body)
        # the loaded binding is the exact bytes: changing it through MI
        # updates that row (no second row), removing it removes the row
        st, body = dbtest.mi(self.proxy.dir, "ul_add", "location", aor,
                             contact, "300", "0.25")
        self.assertEqual(st, "200 OK", body)
        db = sqlite3.connect(self.db)
        db.text_factory = bytes
        got = db.execute("SELECT contact, q FROM location WHERE username="
                         "CAST(x'%s' AS TEXT)" % aor.encode().hex()).fetchall()
        db.close()
        self.assertEqual(got, [(contact, 0.25)])
        st, body = dbtest.mi(self.proxy.dir, "ul_rm_contact", "location", aor,
                             contact)
        self.assertEqual(st, "200 OK", body)
        self.assertEqual(rows(self.db, "WHERE username=CAST(x'%s' AS TEXT)"
                              % aor.encode().hex()), [])
        # the same characters through SIP: a REGISTER for o'ne;il
        c = "sip:o'ne;il@127.0.0.1:%d" % self.ua.port
        r = register(self.proxy, "o'ne;il", c)
        self.assertEqual(r.status, 200, r.raw)
        self.restart()
        resp, req = options(self.proxy, "o'ne;il")
        self.assertEqual(resp.status, 200, self.proxy.log_tail())
        self.assertTrue(self.ua.wait_call(req.call_id))

    def test_locked_database_500_retry_after_then_recovery(self):
        c = "sip:carol@127.0.0.1:%d" % self.ua.port
        self.assertEqual(register(self.proxy, "carol", c, call_id="lk-1",
                                  cseq=1).status, 200)
        lock = sqlite3.connect(self.db, timeout=5, isolation_level=None)
        try:
            lock.execute("BEGIN EXCLUSIVE")
            since = self.proxy.log_size()
            r = register(self.proxy, "carol", c, call_id="lk-1", cseq=2)
            self.assertEqual(r.status, 500, r.raw)
            self.assertRegex(r.get("retry-after") or "", r"^\d+$", r.raw)
            self.assertTrue(self.proxy.wait_log("db_url sqlite://", since=since))
            # a known user is still routed from memory
            resp, req = options(self.proxy, "carol")
            self.assertEqual(resp.status, 200)
            self.assertTrue(self.ua.wait_call(req.call_id))
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        r = register(self.proxy, "carol", c, call_id="lk-1", cseq=3)
        self.assertEqual(r.status, 200, r.raw)
        self.assertEqual(len(rows(self.db, "WHERE username='carol'")), 1)


class SqliteModes(unittest.TestCase):
    def setUp(self):
        self.dir = make_dir(type(self).__name__)
        self.db = os.path.join(self.dir, "openser.db")
        self.ua = sc.NextHop(port=0).start()
        self.addCleanup(self.ua.stop)

    def proxy(self, mode, url=None, label="p"):
        p = Proxy(dbtest.location_cfg(url or "sqlite://" + self.db, mode),
                  needs=NEEDS, label=label)
        return p

    def test_mode0_without_db_url_loads(self):
        cfg = dbtest.location_cfg("", 0).replace(
            'modparam("usrloc", "db_url", "")', "")
        p = Proxy(cfg, needs=NEEDS, label="mode0")
        p.start(probe="A")
        self.addCleanup(p.stop)
        c = "sip:dan@127.0.0.1:%d" % self.ua.port
        self.assertEqual(register(p, "dan", c).status, 200)

    def test_mode2_write_back(self):
        dbtest.sqlite_create(self.db)
        p = self.proxy(2)
        p.start(probe="A")
        self.addCleanup(p.stop)
        c = "sip:erin@127.0.0.1:%d" % self.ua.port
        self.assertEqual(register(p, "erin", c).status, 200)
        got = dbtest.wait_for(lambda: rows(self.db, "WHERE username='erin'"))
        self.assertEqual([g[1] for g in got or []], [c.encode()],
                         p.log_tail())

    def test_mode3_two_proxies_share_the_table(self):
        dbtest.sqlite_create(self.db)
        a = self.proxy(3, label="A")
        b = self.proxy(3, label="B")
        a.start(probe="A")
        self.addCleanup(a.stop)
        b.start(probe="A")
        self.addCleanup(b.stop)
        c = "sip:fred@127.0.0.1:%d" % self.ua.port
        self.assertEqual(register(a, "fred", c).status, 200)
        resp, req = options(b, "fred")
        self.assertEqual(resp.status, 200, b.log_tail())
        self.assertTrue(self.ua.wait_call(req.call_id))
        self.assertEqual(register(a, "fred", c, expires=0, cseq=2).status,
                         200)
        resp, _ = options(b, "fred")
        self.assertEqual(resp.status, 404)

    def test_missing_database_refused(self):
        p = self.proxy(1)
        p.start(wait=False)
        self.assertNotEqual(p.wait_exit(), 0)
        line = p.wait_log(r"db_url sqlite://%s.*openserdbctl create"
                          % re.escape(self.db), timeout=2)
        self.assertTrue(line, p.log_tail())

    def test_wrong_version_refused_then_migrated(self):
        dbtest.sqlite_create(self.db)
        db = sqlite3.connect(self.db)
        db.execute("ALTER TABLE location DROP COLUMN methods")
        db.execute("UPDATE version SET table_version=1 "
                   "WHERE table_name='location'")
        db.commit()
        db.close()
        p = self.proxy(1)
        p.start(wait=False)
        self.assertNotEqual(p.wait_exit(), 0)
        self.assertTrue(p.wait_log(r"schema version 1, this openser needs 2;"
                                   r" run 'openserdbctl migrate'", timeout=2),
                        p.log_tail())
        r = dbtest.dbctl(["migrate"], {"DB_PATH": self.db})
        self.assertIn("location: migrated to version 2", r.stdout)
        p2 = self.proxy(1, label="migrated")
        p2.start(probe="A")
        self.addCleanup(p2.stop)
        c = "sip:gus@127.0.0.1:%d" % self.ua.port
        self.assertEqual(register(p2, "gus", c).status, 200)


if __name__ == "__main__":
    unittest.main()
