"""openserdbctl and openserctl's subscriber commands on a SQLite file
(no daemon needed).

- create makes every table with its version; a second create is refused
- openserctl add stores ha1/ha1b (and the password unless
  STORE_PLAINTEXT_PW=0), refuses a duplicate; passwd changes the hashes;
  rm removes; names with quotes and semicolons are stored exactly
- backup then drop then restore gives the same rows back
"""

import hashlib
import os
import sqlite3
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import dbtest                                           # noqa: E402
from harness import make_dir                            # noqa: E402

CTL = os.path.join(dbtest.ROOT, "scripts", "openserctl")


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


class OpenserDbctlSqlite(unittest.TestCase):
    def setUp(self):
        self.dir = make_dir("dbctl")
        self.db = os.path.join(self.dir, "openser.db")
        self.env = {"DB_PATH": self.db}
        dbtest.dbctl(["create"], self.env)

    def ctl(self, *args, env=None):
        e = dict(os.environ, ETCDIR="/nonexistent", DB_PATH=self.db)
        e.update(env or {})
        return subprocess.run([CTL] + list(args), env=e, capture_output=True,
                              text=True, timeout=60)

    def rows(self, q):
        db = sqlite3.connect(self.db)
        try:
            return db.execute(q).fetchall()
        finally:
            db.close()

    def test_create_versions_and_refuse_twice(self):
        self.assertEqual(sorted(self.rows("SELECT * FROM version")),
                         [("location", 2), ("subscriber", 1), ("uri", 1)])
        r = dbtest.dbctl(["create"], self.env, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("exists", r.stderr)

    def test_add_passwd_rm(self):
        user, dom = "o'ne;x", "example.com"
        r = self.ctl("add", "%s@%s" % (user, dom), "pw'1", "a@b.c")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(
            self.rows("SELECT username, domain, password, ha1, ha1b, "
                      "email_address FROM subscriber"),
            [(user, dom, "pw'1", md5("%s:%s:pw'1" % (user, dom)),
              md5("%s@%s:%s:pw'1" % (user, dom, dom)), "a@b.c")])
        r = self.ctl("add", "%s@%s" % (user, dom), "x")
        self.assertEqual(r.returncode, 1)
        self.assertIn("exists", r.stderr)
        r = self.ctl("passwd", "%s@%s" % (user, dom), "new",
                     env={"STORE_PLAINTEXT_PW": "0"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.rows("SELECT password, ha1 FROM subscriber"),
                         [("", md5("%s:%s:new" % (user, dom)))])
        r = self.ctl("rm", user, env={"SIP_DOMAIN": dom})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.rows("SELECT * FROM subscriber"), [])

    def test_backup_drop_restore(self):
        self.assertEqual(self.ctl("add", "bob@example.com", "pw").returncode,
                         0)
        bak = os.path.join(self.dir, "backup.db")
        dbtest.dbctl(["backup", bak], self.env)
        dbtest.dbctl(["drop"], self.env)
        self.assertFalse(os.path.exists(self.db))
        dbtest.dbctl(["restore", bak], self.env)
        self.assertEqual(self.rows("SELECT username FROM subscriber"),
                         [("bob",)])


if __name__ == "__main__":
    unittest.main()
