"""The TLS test library itself (certs.py, the TLS parts of sipclient.py)
against Python ssl servers: no openser binary needed.

- certs: CA and certificates verify with `openssl verify`, keys are 0600,
  expired certificates are expired, CN extraction
- TlsClient <-> TlsNextHop: both sides see each other's certificate, a
  request is answered on the same connection, 40 KB each way
- a server that requires a certificate refuses a client without one; with
  TLS 1.3 the refusal shows on the client's first read
- TlsBioClient: ClientHello in 10-byte pieces, the ServerHello random,
  one record per byte
"""

import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import certs                                            # noqa: E402
import harness                                          # noqa: E402
import sipclient as sc                                  # noqa: E402


def big_answer(size):
    def responder(rcv):
        m = rcv.msg
        if m is None or not m.is_request or m.method == "ACK":
            return None
        return sc.response(m, 200, "OK", body=b"b" * size,
                           headers=[("Content-Type", "text/plain")])
    return responder


class TlsLib(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = harness.make_dir("tls-lib")
        d = cls.dir
        cls.ca = certs.make_ca(d, "Lib CA", file_prefix="ca")
        cls.other = certs.make_ca(d, "Other CA", file_prefix="other-ca")
        cls.srv = certs.make_cert(cls.ca, "lib-server", d,
                                  san_ip=["127.0.0.1"])
        cls.cli = certs.make_cert(cls.ca, "lib-client", d)
        cls.stranger = certs.make_cert(cls.other, "stranger", d)
        cls.old = certs.make_cert(cls.ca, "old", d, expired=True,
                                  key_type="rsa")

    @classmethod
    def tearDownClass(cls):
        if os.environ.get("OPENSER_KEEP") != "1":
            shutil.rmtree(cls.dir, ignore_errors=True)

    def server(self, verify=None, ca=True, responder=sc.answer_200, **kw):
        ctx = sc.tls_context(server=True, ca=self.ca.cert if ca else None,
                             cert=self.srv.cert, key=self.srv.key,
                             verify=verify, **kw)
        nh = sc.TlsNextHop(context=ctx, responder=responder).start()
        self.addCleanup(nh.stop)
        return nh

    # -- certs -------------------------------------------------------------
    def test_certs(self):
        r = subprocess.run(["openssl", "verify", "-CAfile", self.ca.cert,
                            self.srv.cert, self.cli.cert],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = subprocess.run(["openssl", "verify", "-CAfile", self.ca.cert,
                            self.old.cert], capture_output=True, text=True,
                           timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("expired", r.stdout + r.stderr)
        r = subprocess.run(["openssl", "verify", "-CAfile", self.ca.cert,
                            self.stranger.cert], capture_output=True,
                           text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        for c in (self.srv, self.cli, self.old, self.stranger):
            self.assertEqual(os.stat(c.key).st_mode & 0o777, 0o600, c.key)
            self.assertTrue(certs.cert_key_matches(c.cert, c.key))
        self.assertEqual(os.stat(self.ca.key).st_mode & 0o777, 0o600)
        self.assertEqual(certs.cert_cn(self.srv.cert), "lib-server")
        with open(self.cli.cert, "rb") as f:
            self.assertEqual(certs.cert_cn(f.read()), "lib-client")
        self.assertIn("2020", certs.cert_dates(self.old.cert)[1])
        self.assertFalse(certs.cert_key_matches(self.srv.cert, self.cli.key))

    # -- TlsClient / TlsNextHop --------------------------------------------
    def test_request_both_certificates_seen(self):
        nh = self.server()
        with sc.TlsClient("127.0.0.1", nh.port, ca=self.ca.cert,
                          cert=self.cli.cert, key=self.cli.key) as c:
            self.assertEqual(c.peer_cn(), "lib-server")
            self.assertIn("CN=lib-server", c.peer_subject())
            rsp, _ = c.send_request("OPTIONS", "sip:x@127.0.0.1")
            self.assertIsNotNone(rsp)
            self.assertEqual(rsp.status, 200)
            self.assertEqual(rsp.top_via.proto, "TLS")
        got = nh.wait(1)
        self.assertEqual(got[0].proto, "tls")
        self.assertEqual(got[0].tls.cn, "lib-client")
        self.assertEqual(nh.handshakes[0].cn, "lib-client")

    def test_no_verify_still_reads_the_server_cn(self):
        nh = self.server(ca=False)
        with sc.TlsClient("127.0.0.1", nh.port) as c:
            self.assertEqual(c.peer_cn(), "lib-server")
            rsp, _ = c.send_request("OPTIONS", "sip:x@127.0.0.1")
            self.assertEqual(rsp.status, 200)
        self.assertIsNone(nh.wait(1)[0].tls.cn)

    def test_40k_each_way(self):
        nh = self.server(responder=big_answer(40000))
        with sc.TlsClient("127.0.0.1", nh.port) as c:
            rsp, _ = c.send_request("MESSAGE", "sip:x@127.0.0.1",
                                    body=b"a" * 40000, timeout=10)
            self.assertIsNotNone(rsp)
            self.assertEqual(len(rsp.body), 40000)
        self.assertEqual(len(nh.wait(1)[0].msg.body), 40000)

    def test_required_certificate_missing_tls13(self):
        nh = self.server(verify="required", max_version="1.3")
        try:
            c = sc.TlsClient("127.0.0.1", nh.port, min_version="1.3")
        except (ssl.SSLError, OSError):
            self.fail("TLS 1.3 client handshake should complete")
        with c:
            send_error = None
            try:
                rsp, _ = c.send_request("OPTIONS", "sip:x@127.0.0.1",
                                        timeout=3)
            except (ssl.SSLError, OSError) as e:
                # the server's alert and close may beat our write
                rsp, send_error = None, e
            self.assertIsNone(rsp)
            if send_error is None:
                self.assertTrue(c.closed)
                self.assertIsNotNone(c.error)
        h = nh.wait_handshakes(1)
        self.assertFalse(h[0].ok)

    def test_required_certificate_missing_tls12(self):
        nh = self.server(verify="required")
        with self.assertRaises((ssl.SSLError, OSError)):
            sc.TlsClient("127.0.0.1", nh.port, max_version="1.2")

    def test_untrusted_client_refused(self):
        nh = self.server()
        with self.assertRaises((ssl.SSLError, OSError)):
            sc.TlsClient("127.0.0.1", nh.port, max_version="1.2",
                         cert=self.stranger.cert, key=self.stranger.key)
        self.assertFalse(nh.wait_handshakes(1)[0].ok)

    # -- TlsBioClient ------------------------------------------------------
    def test_bio_hello_in_pieces_and_random(self):
        nh = self.server(ca=False)
        randoms = []
        for version in ("1.2", "1.3"):
            c = sc.TlsBioClient("127.0.0.1", nh.port, sc.tls_context(
                min_version=version, max_version=version))
            self.addCleanup(c.close)
            hello = c.client_hello()
            self.assertEqual(hello[0], 22, "a handshake record")
            self.assertEqual(hello[5], 1, "a ClientHello")
            c.send_raw(hello, step=10, delay=0.005)
            c.handshake()
            self.assertEqual(c.version(), "TLSv1." + version[-1])
            self.assertEqual(c.peer_cn(), "lib-server")
            r = c.server_random
            self.assertIsNotNone(r)
            self.assertEqual(len(r), 32)
            randoms.append(r)
            rsp, _ = c.send_request("OPTIONS", "sip:x@127.0.0.1")
            self.assertEqual(rsp.status, 200)
        self.assertNotEqual(randoms[0], randoms[1])

    def test_bio_one_record_per_byte(self):
        nh = self.server(ca=False)
        c = sc.TlsBioClient("127.0.0.1", nh.port, handshake=True)
        self.addCleanup(c.close)
        data = c.make_request("OPTIONS", "sip:x@127.0.0.1")
        recs = c.encrypt(data[:10], size=1)
        self.assertEqual(len(recs), 10)
        self.assertTrue(all(r[0] == 23 for r in recs))
        for r in recs:
            c.send_raw(r)
        rest = data[10:]
        n, err = c.send_records(rest, size=1, delay=0)
        self.assertEqual((n, err), (len(rest), None))
        rsp = c.wait_response(sc.parse(data))
        self.assertEqual(rsp.status, 200)

    def test_legacy_offer_detection(self):
        # either answer is fine; it must not raise
        for v in ("1.0", "1.1"):
            ctx = sc.tls_context(min_version=v, max_version=v, legacy=True)
            self.assertIn(sc.can_offer(ctx), (True, False))
        self.assertTrue(sc.can_offer(sc.tls_context(min_version="1.3")))


if __name__ == "__main__":
    unittest.main()
