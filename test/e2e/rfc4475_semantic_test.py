"""RFC 4475 section 3.3 requests the core must refuse with a given code.

The files of test/corpus/rfc4475/semantic are sent over UDP, TCP and (TLS
build) TLS to a proxy whose script answers everything it sees with
sl_send_reply("200", "OK"); so a 200 means the request reached the script
when it should have been refused before it:

- unkscm (3.3.2): unknown Request-URI scheme -> 416 Unsupported URI Scheme
- novelsc (3.3.3): registered but atypical scheme -> 416 (404 acceptable)
- bext01 (3.3.5): unknown Proxy-Require options -> 420 Bad Extension with
  an Unsupported header naming each of them
- multi01 (3.3.8): Call-ID/CSeq/From/To/Max-Forwards repeated -> 400
- mcl01 (3.3.9): two Content-Length values -> 400

and around them: an ACK is never answered (unknown scheme, unknown
Proxy-Require, repeated header), a reply with a repeated Content-Length is
not answered either, tel: and sips: Request-URIs still reach the script,
and the proxy keeps answering after every message.

Over UDP the top Via gets ";rport" (RFC 3581), so that the answer comes
back to the test's port instead of the Via's port 5060.
"""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))

import certs                                            # noqa: E402
import sipclient as sc                                  # noqa: E402
from harness import ROOT, Proxy                         # noqa: E402

CORPUS = os.path.join(ROOT, "test", "corpus", "rfc4475", "semantic")

CFG = """
debug = 3
log_stderror = yes
children = 2
tcp_children = 2
listen = udp:127.0.0.1:$PORT_A
listen = tcp:127.0.0.1:$PORT_A
%(tls)s
mpath = "$MODULES"

loadmodule "sl.so"

route {
    force_rport;
    sl_send_reply("200", "OK");
}
"""

TLS_CFG = """
listen = tls:127.0.0.1:$PORT_T
tls_certificate = "$DIR/server-cert.pem"
tls_private_key = "$DIR/server-key.pem"
tls_ca_list = "$DIR/ca.pem"
tls_verify_client = 0
tls_require_client_certificate = 0
"""

ANSWER = 3.0        # wait for an answer that must come
SILENCE = 1.0       # wait when no answer is the right outcome

EXPECT = {
    "unkscm": ({416}, "RFC 4475 3.3.2: 416 Unsupported URI Scheme"),
    "novelsc": ({416, 404}, "RFC 4475 3.3.3: 416 (or 404)"),
    "bext01": ({420}, "RFC 4475 3.3.5: 420 Bad Extension"),
    "multi01": ({400}, "RFC 4475 3.3.8: repeated single-value headers"),
    "mcl01": ({400}, "RFC 4475 3.3.9: two Content-Length values"),
}


def load(name):
    with open(os.path.join(CORPUS, name + ".sip"), "rb") as f:
        return f.read()


def with_rport(data):
    """The message with ';rport' appended to its first Via line."""
    return re.sub(rb"(?im)^(via:[^\r\n]*)", lambda m: m.group(1) + b";rport",
                  data, count=1)


def as_ack(data):
    """The request turned into an ACK (method and CSeq method)."""
    data = re.sub(rb"^[A-Z]+ ", b"ACK ", data, count=1)
    return re.sub(rb"(?im)^(cseq:\s*\d+\s+)[A-Za-z]+", rb"\1ACK", data)


def status_of(raw):
    if raw is None:
        return None
    m = re.match(rb"\s*SIP/2\.0\s+(\d{3})\b", raw)
    return int(m.group(1)) if m else "unparsable:%r" % raw[:60]


class Semantic(unittest.TestCase):
    TRANSPORT = None        # set by the subclasses
    NEEDS = []

    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(CORPUS):
            raise unittest.SkipTest("corpus missing: %s" % CORPUS)
        tls = cls.TRANSPORT == "TLS"
        cls.proxy = Proxy(CFG % {"tls": TLS_CFG if tls else ""},
                          needs=cls.NEEDS, label=cls.__name__)
        if tls:
            d = cls.proxy.dir
            cls.ca = certs.make_ca(d, "openser test CA", file_prefix="ca")
            certs.make_cert(cls.ca, "proxy.test", d, san_ip=["127.0.0.1"],
                            file_prefix="server")
            cls.proxy.start(probe="A", probe_tls="T")
            cls.addr = ("127.0.0.1", cls.proxy.port("T"))
        else:
            cls.proxy.start(probe="A")
            cls.addr = ("127.0.0.1", cls.proxy.port("A"))

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    # -- one message -------------------------------------------------------
    def stream(self):
        if self.TRANSPORT == "TLS":
            return sc.TlsClient(*self.addr, ca=self.ca.cert)
        return sc.TcpClient(*self.addr)

    def send(self, data, wait):
        """Send <data> on a new socket/connection; the raw answer or None."""
        if self.TRANSPORT == "UDP":
            with sc.UdpSocket() as u:
                u.sendto(with_rport(data), self.addr)
                raw, _ = u.recv_raw(wait)
                return raw
        with self.stream() as c:
            try:
                c.send(data)
            except OSError:
                return None
            try:
                raw = c.recv_frame(wait)
            except sc.ParseError:
                raw = c.buf
            if raw is None and c.buf.strip(b"\r\n"):
                raw = c.buf
            return raw

    def alive(self):
        if self.TRANSPORT == "UDP":
            with sc.UdpSocket() as u:
                resp, _ = u.send_request(self.addr, "OPTIONS",
                                         "sip:alive@example.net",
                                         timeout=ANSWER)
        else:
            with self.stream() as c:
                resp, _ = c.send_request("OPTIONS", "sip:alive@example.net",
                                         timeout=ANSWER)
        return resp is not None and resp.status == 200

    def check(self, data, allowed, why, wait=ANSWER):
        off = self.proxy.log_size()
        raw = self.send(data, wait)
        outcome = status_of(raw)
        self.assertIn(outcome, allowed, "%s over %s: got %s, want one of %s"
                      "\nsent: %r\ngot: %r\nlog:\n%s" % (
                          why, self.TRANSPORT, outcome, sorted(map(str,
                                                                   allowed)),
                          data[:200], (raw or b"")[:400],
                          self.proxy.log_since(off)[-2000:]))
        self.assertTrue(self.alive(), "no answer after %s over %s\nlog:\n%s"
                        % (why, self.TRANSPORT,
                           self.proxy.log_since(off)[-3000:]))
        return raw

    # -- the corpus --------------------------------------------------------
    def test_unkscm_416(self):
        raw = self.check(load("unkscm"), *EXPECT["unkscm"])
        self.assertIn(b"Unsupported URI Scheme", raw.split(b"\r\n", 1)[0])

    def test_novelsc_416(self):
        self.check(load("novelsc"), *EXPECT["novelsc"])

    def test_bext01_420_with_unsupported(self):
        raw = self.check(load("bext01"), *EXPECT["bext01"])
        msg = sc.parse(raw)
        uns = ",".join(msg.get_all("Unsupported"))
        tags = sorted(t.strip() for t in uns.split(",") if t.strip())
        self.assertEqual(tags, ["noProxiesSupportThis",
                                "norDoAnyProxiesSupportThis"], raw)
        # Require is for the UAS, not for us: not listed
        self.assertNotIn(b"nothingSupportsThis", raw)

    def test_multi01_400(self):
        self.check(load("multi01"), *EXPECT["multi01"])

    def test_mcl01_400(self):
        self.check(load("mcl01"), *EXPECT["mcl01"])

    def test_repeated_max_forwards_400(self):
        data = load("unkscm").replace(
            b"nobodyKnowsThisScheme:totallyopaquecontent",
            b"sip:user@example.com").replace(
            b"Max-Forwards: 3\r\n", b"Max-Forwards: 3\r\nMax-Forwards: 70\r\n")
        self.check(data, {400}, "two Max-Forwards headers")

    def test_repeated_content_length_same_value_400(self):
        data = load("unkscm").replace(
            b"nobodyKnowsThisScheme:totallyopaquecontent",
            b"sip:user@example.com").replace(
            b"Content-Length: 0\r\n", b"Content-Length: 0\r\nl: 0\r\n")
        self.check(data, {400}, "Content-Length given twice")

    # -- what must still work, what must stay silent -------------------------
    def test_tel_and_sips_reach_the_script(self):
        base = load("unkscm")
        for uri in (b"tel:+1-201-555-0123", b"sips:user@example.com"):
            data = base.replace(
                b"nobodyKnowsThisScheme:totallyopaquecontent", uri)
            self.check(data, {200}, "Request-URI %s" % uri.decode())

    def test_known_proxy_require_free_request_reaches_script(self):
        data = re.sub(rb"(?m)^Proxy-Require:[^\r\n]*\r\n", b"",
                      load("bext01"))
        self.check(data, {200}, "bext01 without Proxy-Require")

    def test_ack_never_answered(self):
        for name in ("unkscm", "bext01", "multi01"):
            self.check(as_ack(load(name)), {None}, "ACK form of %s" % name,
                       wait=SILENCE)

    def test_reply_with_repeated_header_not_answered(self):
        data = (b"SIP/2.0 200 OK\r\n"
                b"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKdupcl\r\n"
                b"To: <sip:a@example.com>;tag=1\r\n"
                b"From: <sip:b@example.com>;tag=2\r\n"
                b"Call-ID: dupcl.reply\r\n"
                b"CSeq: 1 OPTIONS\r\n"
                b"Content-Length: 0\r\n"
                b"Content-Length: 0\r\n\r\n")
        self.check(data, {None}, "a reply with two Content-Length",
                   wait=SILENCE)


class SemanticUdp(Semantic):
    TRANSPORT = "UDP"


class SemanticTcp(Semantic):
    TRANSPORT = "TCP"


class SemanticTls(Semantic):
    TRANSPORT = "TLS"
    NEEDS = ["tls"]


del Semantic        # the base class is not run by itself


if __name__ == "__main__":
    unittest.main()
