"""A real MariaDB server for tests, started and stopped by the test itself.

    db = MariaDB(label).start()      # own datadir, socket and random port
    db.create_openser()              # openserdbctl create: db + user
    db.url                           # mysql://openser:...@127.0.0.1:PORT/openser
    db.socket_url                    # mysql://openser:...@unix(SOCK)/openser
    db.kill(); db.start()            # SIGKILL, then the same server again
    db.stop()                        # SIGTERM by PID (bounded), then SIGKILL

mariadb-install-db makes the datadir (root with an empty password, no
grant tables skipped: the openser user is a real account with a
password).  When mariadbd is not installed the start FAILS with a message
naming scripts/install-deps.sh: the MariaDB tests never skip silently.
Keep one server per test class or module: the datadir takes seconds.
"""

import os
import shutil
import signal
import subprocess
import time

from harness import free_port, make_dir

import dbtest

START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
RW_USER = "openser"
RW_PASS = "s3cr:t@pw"     # ':' and '@' on purpose: the url parser's job


def _which(*names):
    for n in names:
        p = shutil.which(n) or (os.path.exists("/usr/sbin/" + n)
                                and "/usr/sbin/" + n)
        if p:
            return p
    return None


class MariaDB:
    def __init__(self, label="mariadb"):
        self.mariadbd = _which("mariadbd", "mysqld")
        self.install_db = _which("mariadb-install-db", "mysql_install_db")
        self.client = _which("mariadb", "mysql")
        if not (self.mariadbd and self.install_db and self.client):
            raise AssertionError(
                "MariaDB is not installed (mariadbd, mariadb-install-db, "
                "mariadb): run scripts/install-deps.sh")
        self.dir = make_dir(label)
        self.datadir = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "mysqld.sock")
        self.pidfile = os.path.join(self.dir, "mysqld.pid")
        self.errlog = os.path.join(self.dir, "mysqld.err")
        self.port = free_port()
        self.proc = None
        self.installed = False

    @property
    def url(self):
        return "mysql://%s:%s@127.0.0.1:%d/openser" % (RW_USER, RW_PASS,
                                                       self.port)

    @property
    def socket_url(self):
        return "mysql://%s:%s@unix(%s)/openser" % (RW_USER, RW_PASS,
                                                   self.socket)

    def log_tail(self, n=30):
        try:
            with open(self.errlog, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def _install(self):
        r = subprocess.run(
            [self.install_db, "--no-defaults", "--datadir=" + self.datadir,
             "--user=root", "--auth-root-authentication-method=normal",
             "--skip-test-db"], capture_output=True, text=True,
            timeout=START_TIMEOUT)
        if r.returncode != 0:
            raise AssertionError("mariadb-install-db failed: %s %s"
                                 % (r.stdout[-2000:], r.stderr[-2000:]))
        self.installed = True

    def start(self):
        if not self.installed:
            self._install()
        log = open(os.path.join(self.dir, "mysqld.out"), "ab")
        self.proc = subprocess.Popen(
            [self.mariadbd, "--no-defaults", "--datadir=" + self.datadir,
             "--socket=" + self.socket, "--port=%d" % self.port,
             "--bind-address=127.0.0.1", "--user=root",
             "--pid-file=" + self.pidfile, "--log-error=" + self.errlog,
             "--skip-log-bin", "--skip-name-resolve",
             "--innodb-buffer-pool-size=16M", "--max-connections=200"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        for _ in range(int(START_TIMEOUT / 0.1) + 1):
            if self.proc.poll() is not None:
                raise AssertionError("mariadbd exited with %s\n%s"
                                     % (self.proc.returncode,
                                        self.log_tail()))
            if self.sql("SELECT 1", check=False).returncode == 0:
                return self
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.kill()
        raise AssertionError("mariadbd not up within %ss\n%s"
                             % (START_TIMEOUT, self.log_tail()))

    def sql(self, query, database=None, check=True):
        """Run <query> as root over the socket; CompletedProcess."""
        args = [self.client, "--no-defaults", "-uroot",
                "--socket=" + self.socket, "--batch", "--skip-column-names",
                "-e", query]
        if database:
            args.insert(4, "--database=" + database)
        r = subprocess.run(args, capture_output=True, text=True, timeout=30)
        if check and r.returncode != 0:
            raise AssertionError("mariadb %r: %s" % (query, r.stderr))
        return r

    def dbctl_env(self):
        return {"DBENGINE": "MYSQL", "DBSOCKET": self.socket,
                "DBROOTUSER": "root", "DBROOTPW": "", "DBNAME": "openser",
                "DBRWUSER": RW_USER, "DBRWPW": RW_PASS}

    def create_openser(self):
        """The openser database and user, made by openserdbctl create."""
        self.sql("DROP DATABASE IF EXISTS openser")
        dbtest.dbctl(["create"], self.dbctl_env())

    def kill(self):
        """SIGKILL the server (a crash); start() brings it back."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        self.proc = None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)
