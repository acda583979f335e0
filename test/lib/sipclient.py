"""A small SIP client library for the end-to-end tests.

Standard library only.  What it offers:

  parse(data)            bytes -> Message (request or response)
  frame(buf)             split one message off a stream buffer (Content-Length)
  request(...)           build a request (auto Via/branch, Call-ID, tags, CSeq,
                         Max-Forwards, Content-Length)
  response(req, ...)     build a response to a parsed request
  parse_via(value)       one Via value -> Via(proto, host, port, params)
  UdpSocket              a bound UDP socket (IPv4 or IPv6) speaking Messages
  TcpClient              a TCP connection with Content-Length framing and
                         chunked sends
  NextHop                a tiny UAS / "next hop" on UDP and/or TCP that
                         records what it receives and answers 200 by default

TLS (see the section at the end):

  tls_context(...)       an ssl.SSLContext for a test client or server
  TlsClient              TcpClient over an ssl.SSLSocket (peer certificate,
                         version, cipher)
  TlsBioClient           TcpClient over ssl.SSLObject/MemoryBIO: the test
                         decides how bytes reach the wire (ClientHello in
                         pieces, one record per byte, server random)
  TlsNextHop             NextHop over TLS; records the client certificate
                         and every handshake (ok or not)

Every socket has a timeout and every loop is bounded in count and in time.
"""

import random
import re
import select
import socket
import ssl
import string
import threading
import time

# RFC 3261 7.3.3 and the later RFCs that add compact forms
COMPACT = {
    "a": "accept-contact",
    "b": "referred-by",
    "c": "content-type",
    "d": "request-disposition",
    "e": "content-encoding",
    "f": "from",
    "i": "call-id",
    "j": "reject-contact",
    "k": "supported",
    "l": "content-length",
    "m": "contact",
    "n": "identity-info",
    "o": "event",
    "r": "refer-to",
    "s": "subject",
    "t": "to",
    "u": "allow-events",
    "v": "via",
    "x": "session-expires",
    "y": "identity",
}

# headers whose comma-separated values are separate header field values
# (RFC 3261 7.3.1); others (Date, WWW-Authenticate, ...) must not be split
MULTI = {"via", "route", "record-route", "contact", "allow", "supported",
         "require", "proxy-require", "unsupported", "accept",
         "accept-encoding", "accept-language", "allow-events", "path",
         "service-route", "p-asserted-identity"}

MAGIC_COOKIE = "z9hG4bK"
DEFAULT_TIMEOUT = 5.0
MAX_MSG = 1 << 20          # stream reader refuses to buffer more than this


def canon(name):
    """Canonical lower-case long form of a header name."""
    n = name.strip().lower()
    return COMPACT.get(n, n)


def rand_token(n=10):
    alphabet = string.ascii_lowercase + string.digits
    return "".join(random.choice(alphabet) for _ in range(n))


def new_branch():
    return MAGIC_COOKIE + rand_token(16)


class ParseError(Exception):
    pass


# ---------------------------------------------------------------- parsing ---

def split_commas(value):
    """Split a header value on commas outside quotes and <...>."""
    out, cur, quote, angle, esc = [], [], False, 0, False
    for ch in value:
        if quote:
            cur.append(ch)
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                quote = False
            continue
        if ch == '"':
            quote = True
        elif ch == "<":
            angle += 1
        elif ch == ">" and angle:
            angle -= 1
        elif ch == "," and not angle:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    last = "".join(cur).strip()
    if last or out:
        out.append(last)
    return [v for v in out if v != ""]


class Via:
    """One Via value: 'SIP/2.0/UDP host:port;branch=...;rport'."""

    def __init__(self, value):
        self.raw = value.strip()
        m = re.match(r"\s*SIP\s*/\s*2\.0\s*/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+"
                     r"(\[[0-9A-Fa-f:.]+\]|[^\s:;]+)\s*(?::\s*(\d+))?\s*(.*)$",
                     self.raw, re.S)
        if not m:
            raise ParseError("bad Via: %r" % value)
        self.proto = m.group(1).upper()
        self.host = m.group(2)
        self.port = int(m.group(3)) if m.group(3) else None
        self.params = {}        # lower-case name -> value or None
        self.param_order = []
        rest = m.group(4).strip()
        for p in rest.split(";"):
            p = p.strip()
            if not p:
                continue
            if "=" in p:
                k, v = p.split("=", 1)
                k, v = k.strip().lower(), v.strip()
            else:
                k, v = p.lower(), None
            self.params[k] = v
            self.param_order.append(k)

    @property
    def branch(self):
        return self.params.get("branch")

    @property
    def received(self):
        return self.params.get("received")

    @property
    def rport(self):
        """None if absent, '' if present without a value, else the value."""
        if "rport" not in self.params:
            return None
        v = self.params["rport"]
        return "" if v is None else v

    def bare_host(self):
        return self.host.strip("[]")

    def reply_addr(self, default_port=5060):
        """Where RFC 3261 18.2.2 + RFC 3581 send a response (UDP)."""
        host = self.received or self.bare_host()
        rp = self.rport
        port = int(rp) if rp else (self.port or default_port)
        return host, port

    def __repr__(self):
        return "Via(%r)" % self.raw


def parse_via(value):
    return Via(value)


class Message:
    """A parsed SIP request or response."""

    def __init__(self):
        self.raw = b""
        self.first_line = ""
        self.is_request = False
        self.method = None
        self.uri = None
        self.version = None
        self.status = None
        self.reason = None
        self.headers = []          # [(name as written, value)] in order
        self.body = b""

    # -- header access: case-insensitive, compact forms folded ------------
    def get_all(self, name, split=None):
        """All values of a header, in order.  Multi-value headers (Via,
        Contact, Route, ...) are split on commas unless split=False."""
        key = canon(name)
        if split is None:
            split = key in MULTI
        out = []
        for n, v in self.headers:
            if canon(n) == key:
                out.extend(split_commas(v) if split else [v])
        return out

    def get(self, name, default=None):
        vals = self.get_all(name, split=False)
        if not vals:
            return default
        if canon(name) in MULTI:
            parts = split_commas(vals[0])
            return parts[0] if parts else default
        return vals[0]

    def has(self, name):
        key = canon(name)
        return any(canon(n) == key for n, _ in self.headers)

    def count(self, name):
        key = canon(name)
        return sum(1 for n, _ in self.headers if canon(n) == key)

    def __getitem__(self, name):
        v = self.get(name)
        if v is None:
            raise KeyError(name)
        return v

    def vias(self):
        return [Via(v) for v in self.get_all("via")]

    @property
    def top_via(self):
        vs = self.vias()
        return vs[0] if vs else None

    @property
    def call_id(self):
        return self.get("call-id")

    @property
    def cseq(self):
        """(number, METHOD) or None."""
        v = self.get("cseq")
        if v is None:
            return None
        m = re.match(r"\s*(\d+)\s+(\S+)\s*$", v)
        if not m:
            return None
        return int(m.group(1)), m.group(2)

    def tag(self, name):
        """The tag parameter of From or To, or None."""
        v = self.get(name)
        if v is None:
            return None
        # parameters after the closing '>' if any, else after the URI
        tail = v.rsplit(">", 1)[1] if ">" in v else v
        m = re.search(r";\s*tag\s*=\s*([^;\s,]+)", tail, re.I)
        return m.group(1) if m else None

    @property
    def content_length(self):
        v = self.get("content-length")
        if v is None:
            return None
        try:
            return int(v.strip())
        except ValueError:
            return None

    def __repr__(self):
        return "<Message %r, %d headers, %d body bytes>" % (
            self.first_line, len(self.headers), len(self.body))


def _split_head(data):
    """(head bytes, body bytes); tolerate bare LF line ends."""
    i = data.find(b"\r\n\r\n")
    j = data.find(b"\n\n")
    if i >= 0 and (j < 0 or i <= j + 1):
        return data[:i], data[i + 4:]
    if j >= 0:
        return data[:j], data[j + 2:]
    return data, b""


def parse(data, strict_length=False):
    """Parse one message from bytes (a UDP datagram or a framed stream
    message).  Leading CRLFs are skipped.  The body is everything after
    the blank line, cut to Content-Length if that is shorter."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    raw = data
    data = data.lstrip(b"\r\n")
    if not data:
        raise ParseError("empty message")
    head, body = _split_head(data)
    text = head.decode("utf-8", "surrogateescape")
    lines = re.split(r"\r?\n", text)
    msg = Message()
    msg.raw = raw
    msg.first_line = lines[0]
    parts = lines[0].split(" ", 2)
    if parts[0].startswith("SIP/"):
        if len(parts) < 2 or not parts[1].isdigit():
            raise ParseError("bad status line: %r" % lines[0])
        msg.version = parts[0]
        msg.status = int(parts[1])
        msg.reason = parts[2] if len(parts) > 2 else ""
    else:
        if len(parts) != 3:
            raise ParseError("bad request line: %r" % lines[0])
        msg.is_request = True
        msg.method, msg.uri, msg.version = parts
    # unfold continuation lines (RFC 3261 7.3.1)
    cur = None
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and cur is not None:
            cur[1] += " " + line.strip()
            continue
        if ":" not in line:
            raise ParseError("bad header line: %r" % line)
        name, value = line.split(":", 1)
        cur = [name.strip(), value.strip()]
        msg.headers.append(cur)
    msg.headers = [(n, v) for n, v in msg.headers]
    cl = msg.content_length
    if cl is not None:
        if strict_length and len(body) < cl:
            raise ParseError("body shorter than Content-Length")
        body = body[:cl]
    msg.body = body
    return msg


def frame(buf):
    """Split one message off a stream buffer.

    Returns (message bytes, rest) or None if more bytes are needed.  Leading
    CRLFs are skipped.  Raises ParseError if the head is complete but has no
    usable Content-Length (a stream message must have one)."""
    start = 0
    while start < len(buf) and buf[start:start + 1] in (b"\r", b"\n"):
        start += 1
    data = buf[start:]
    i = data.find(b"\r\n\r\n")
    if i < 0:
        return None
    head = data[:i].decode("utf-8", "surrogateescape")
    cl = None
    for line in re.split(r"\r?\n", head)[1:]:
        if ":" in line:
            n, v = line.split(":", 1)
            if canon(n) == "content-length":
                try:
                    cl = int(v.strip())
                except ValueError:
                    raise ParseError("bad Content-Length %r" % v)
    if cl is None:
        raise ParseError("no Content-Length in stream message")
    end = i + 4 + cl
    if len(data) < end:
        return None
    return data[:end], data[end:]


# --------------------------------------------------------------- building ---

def _hdr_items(headers):
    if headers is None:
        return []
    if isinstance(headers, dict):
        return list(headers.items())
    return list(headers)


def request(method, uri, headers=None, body=b"", *, transport="UDP",
            host="127.0.0.1", port=5060, branch=None, call_id=None,
            from_tag=None, to_tag=None, cseq=1, via=True, rport=True,
            max_forwards=70, content_length=True, from_uri=None,
            to_uri=None):
    """Build a request as bytes.

    headers: dict or list of (name, value); a name given there replaces the
    automatic header of that name (value None removes it).  via=False sends
    no automatic Via; content_length=False omits Content-Length;
    content_length=<int> writes that value whatever the body is."""
    if isinstance(body, str):
        body = body.encode()
    hs = _hdr_items(headers)
    given = {canon(n) for n, _ in hs}
    if ":" in host and not host.startswith("["):
        host = "[%s]" % host
    auto = []
    if via and "via" not in given:
        v = "SIP/2.0/%s %s:%d;branch=%s" % (transport.upper(), host, port,
                                           branch or new_branch())
        if rport:
            v += ";rport"
        auto.append(("Via", v))
    if "max-forwards" not in given and max_forwards is not None:
        auto.append(("Max-Forwards", str(max_forwards)))
    if "from" not in given:
        f = from_uri or "sip:tester@%s" % host
        auto.append(("From", "<%s>;tag=%s" % (f, from_tag or rand_token())))
    if "to" not in given:
        t = "<%s>" % (to_uri or uri)
        if to_tag:
            t += ";tag=" + to_tag
        auto.append(("To", t))
    if "call-id" not in given:
        auto.append(("Call-ID", call_id or rand_token(20) + "@test"))
    if "cseq" not in given:
        auto.append(("CSeq", "%d %s" % (cseq, method)))
    out = auto + [(n, v) for n, v in hs if v is not None]
    if content_length is True and "content-length" not in given:
        out.append(("Content-Length", str(len(body))))
    elif isinstance(content_length, int) and not isinstance(
            content_length, bool):
        out.append(("Content-Length", str(content_length)))
    lines = ["%s %s SIP/2.0" % (method, uri)]
    lines += ["%s: %s" % (n, v) for n, v in out]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def response(req, status, reason=None, headers=None, body=b"", to_tag=None,
             add_to_tag=True):
    """Build a response to a parsed request: Via (all), From, To (+tag),
    Call-ID and CSeq copied in order, then extra headers, Content-Length."""
    if isinstance(body, str):
        body = body.encode()
    reason = reason if reason is not None else REASONS.get(status, "Unknown")
    lines = ["SIP/2.0 %d %s" % (status, reason)]
    for n, v in req.headers:
        if canon(n) == "via":
            lines.append("Via: %s" % v)
    for h in ("from", "to", "call-id", "cseq"):
        v = req.get(h)
        if v is None:
            continue
        if h == "to" and add_to_tag and req.tag("to") is None and status > 100:
            v += ";tag=" + (to_tag or rand_token())
        lines.append("%s: %s" % ({"call-id": "Call-ID", "cseq": "CSeq"}.get(
            h, h.capitalize()), v))
    for n, v in _hdr_items(headers):
        lines.append("%s: %s" % (n, v))
    lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


REASONS = {100: "Trying", 180: "Ringing", 200: "OK", 400: "Bad Request",
           404: "Not Found", 408: "Request Timeout", 483: "Too Many Hops",
           486: "Busy Here", 500: "Server Internal Error"}


def matches(resp, req):
    """True if a parsed response belongs to a parsed request (Call-ID,
    CSeq and top Via branch)."""
    try:
        if resp.is_request or resp.call_id != req.call_id:
            return False
        if resp.cseq != req.cseq:
            return False
        rv, qv = resp.top_via, req.top_via
        if qv is not None and qv.branch:
            return rv is not None and rv.branch == qv.branch
        return True
    except ParseError:
        return False


# ---------------------------------------------------------------- sockets ---

def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def via_host(host):
    return "[%s]" % host if ":" in host else host


class UdpSocket:
    """A bound UDP socket.  recv() returns (Message or None, raw, addr)."""

    def __init__(self, host="127.0.0.1", port=0, timeout=DEFAULT_TIMEOUT):
        self.host = host
        self.sock = socket.socket(family_of(host), socket.SOCK_DGRAM)
        self.sock.settimeout(timeout)
        self.sock.bind((host, port))
        self.port = self.sock.getsockname()[1]
        self.timeout = timeout

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def sendto(self, data, addr):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendto(data, addr)

    def recv_raw(self, timeout=None):
        """(raw bytes, addr) or (None, None) on timeout."""
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        try:
            return self.sock.recvfrom(65536)
        except socket.timeout:
            return None, None

    def recv(self, timeout=None):
        raw, addr = self.recv_raw(timeout)
        if raw is None:
            return None, None, None
        try:
            return parse(raw), raw, addr
        except ParseError:
            return None, raw, addr

    def make_request(self, method, uri, **kw):
        kw.setdefault("transport", "UDP")
        kw.setdefault("host", via_host(self.host))
        kw.setdefault("port", self.port)
        return request(method, uri, **kw)

    def wait_response(self, req, timeout=None, final=True, max_msgs=100):
        """Wait for a response matching a parsed request; skips other
        datagrams and (if final) provisional responses.  None on timeout."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        for _ in range(max_msgs):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            msg, _, _ = self.recv(left)
            if msg is None:
                if time.monotonic() >= deadline:
                    break
                continue
            if matches(msg, req) and (not final or msg.status >= 200):
                return msg
        return None

    def transact(self, data, addr, timeout=None, final=True):
        """Send raw request bytes to addr, wait for the matching response."""
        if isinstance(data, str):
            data = data.encode()
        req = parse(data)
        self.sendto(data, addr)
        return self.wait_response(req, timeout, final)

    def send_request(self, addr, method, uri, timeout=None, final=True, **kw):
        """Build, send, and wait: returns (response or None, request bytes)."""
        data = self.make_request(method, uri, **kw)
        return self.transact(data, addr, timeout, final), data


_CLOSED_ERRORS = (ConnectionResetError, ConnectionAbortedError,
                  BrokenPipeError)


class TcpClient:
    """A TCP connection to a SIP peer, with stream framing.  A read that
    finds the connection gone sets self.closed; when the peer did not close
    cleanly the reason is kept in self.error."""

    # what recv() raises when the peer closed cleanly / lost the connection
    _CLEAN_CLOSE = ()
    _LOST = _CLOSED_ERRORS

    def __init__(self, host="127.0.0.1", port=5060, timeout=DEFAULT_TIMEOUT,
                 sock=None):
        if sock is None:
            sock = socket.create_connection((host, port), timeout=timeout)
        self.sock = sock
        self.sock.settimeout(timeout)
        self.timeout = timeout
        self.buf = b""
        self.closed = False
        self.error = None
        self.host = host
        lh, lp = self.sock.getsockname()[:2]
        self.local_host, self.local_port = lh, lp

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def send_chunks(self, data, n=5, delay=0.05, sizes=None):
        """Send data in n pieces (or pieces of the given sizes), sleeping
        delay seconds between them."""
        if isinstance(data, str):
            data = data.encode()
        if sizes is None:
            step = max(1, (len(data) + n - 1) // n)
            sizes = [step] * n
        off = 0
        for i, s in enumerate(sizes):
            if off >= len(data):
                break
            if i:
                time.sleep(delay)
            self.sock.sendall(data[off:off + s])
            off += s
        if off < len(data):
            time.sleep(delay)
            self.sock.sendall(data[off:])

    def _fill(self, deadline):
        """Read more bytes; False on timeout, sets closed on EOF/reset."""
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            d = self.sock.recv(65536)
        except socket.timeout:
            return False
        except self._CLEAN_CLOSE:
            self.closed = True
            return False
        except self._LOST as e:
            self.closed = True
            self.error = e
            return False
        if not d:
            self.closed = True
            return False
        self.buf += d
        if len(self.buf) > MAX_MSG:
            raise ParseError("peer sent more than %d bytes" % MAX_MSG)
        return True

    def recv_raw(self, timeout=None, nbytes=None):
        """Whatever arrives within timeout (up to nbytes if given)."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        for _ in range(10000):
            if nbytes is not None and len(self.buf) >= nbytes:
                break
            if not self._fill(deadline):
                break
            if nbytes is None:
                break
        out, self.buf = self.buf, b""
        return out

    def recv_frame(self, timeout=None):
        """The next framed message's bytes, or None (timeout or closed)."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        for _ in range(100000):
            r = frame(self.buf)
            if r is not None:
                msg, self.buf = r
                return msg
            if not self._fill(deadline):
                return None
        return None

    def recv(self, timeout=None):
        raw = self.recv_frame(timeout)
        return parse(raw) if raw is not None else None

    def make_request(self, method, uri, **kw):
        kw.setdefault("transport", "TCP")
        kw.setdefault("host", via_host(self.local_host))
        kw.setdefault("port", self.local_port)
        return request(method, uri, **kw)

    def wait_response(self, req, timeout=None, final=True, max_msgs=100):
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        for _ in range(max_msgs):
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            msg = self.recv(left)
            if msg is None:
                return None
            if matches(msg, req) and (not final or msg.status >= 200):
                return msg
        return None

    def transact(self, data, timeout=None, final=True):
        if isinstance(data, str):
            data = data.encode()
        req = parse(data)
        self.send(data)
        return self.wait_response(req, timeout, final)

    def send_request(self, method, uri, timeout=None, final=True, **kw):
        data = self.make_request(method, uri, **kw)
        return self.transact(data, timeout, final), data

    def wait_closed(self, timeout=None):
        """True if the peer closes (EOF or reset) within timeout; bytes that
        arrive meanwhile are kept in self.buf."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        for _ in range(100000):
            if self.closed:
                return True
            if time.monotonic() >= deadline:
                return False
            self._fill(deadline)
        return self.closed


class Received:
    """One message a NextHop received."""

    def __init__(self, raw, proto, peer, local, conn=None):
        self.raw = raw
        self.proto = proto          # "udp", "tcp" or "tls"
        self.peer = peer            # (ip, port)
        self.local = local
        self.conn = conn            # the TCP socket it came on
        self.tls = getattr(conn, "tls_info", None)  # TlsInfo over TLS
        self.time = time.monotonic()
        try:
            self.msg = parse(raw)
        except ParseError:
            self.msg = None

    def __repr__(self):
        return "<Received %s from %s: %r>" % (
            self.proto, self.peer, self.msg.first_line if self.msg else
            self.raw[:60])


def answer_200(rcv):
    """Default NextHop behaviour: 200 to every request except ACK."""
    m = rcv.msg
    if m is None or not m.is_request or m.method == "ACK":
        return None
    return response(m, 200, "OK", to_tag="nh" + rand_token(6))


class NextHop:
    """A tiny UAS listening on host:port over UDP and/or TCP.

    It records every message it receives (self.received, a list of
    Received) and answers what `responder(rcv)` returns (bytes, a list of
    bytes, or None).  UDP answers go to the top Via of the request
    (received/rport honoured) unless reply_to="source"; TCP answers go back
    on the connection the request came on."""

    stream_proto = "tcp"

    def __init__(self, port=0, host="127.0.0.1", udp=True, tcp=True,
                 responder=answer_200, reply_to="via"):
        self.host = host
        self.responder = responder
        self.reply_to = reply_to
        self.received = []
        self.errors = []
        self.cond = threading.Condition()
        self.stopping = False
        self.threads = []
        self.conns = []
        self.udp = self.tcp = None
        fam = family_of(host)
        # with port 0 the UDP port the kernel picks may be taken for TCP
        # (by any other program): pick again, a bounded number of times
        for attempt in range(20):
            try:
                self._bind(fam, host, port, udp, tcp)
                break
            except OSError:
                for s in (self.udp, self.tcp):
                    if s is not None:
                        s.close()
                self.udp = self.tcp = None
                if port != 0 or attempt == 19:
                    raise

    def _bind(self, fam, host, port, udp, tcp):
        if udp:
            self.udp = socket.socket(fam, socket.SOCK_DGRAM)
            self.udp.bind((host, port))
            self.udp.settimeout(0.2)
            port = self.udp.getsockname()[1]
        if tcp:
            self.tcp = socket.socket(fam, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.tcp.bind((host, port))
            self.tcp.listen(16)
            self.tcp.settimeout(0.2)
            port = self.tcp.getsockname()[1]
        self.port = port

    def __enter__(self):
        return self.start()

    def __exit__(self, *a):
        self.stop()

    def start(self):
        if self.udp:
            self._spawn(self._udp_loop)
        if self.tcp:
            self._spawn(self._accept_loop)
        return self

    def _spawn(self, fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        self.threads.append(t)
        t.start()

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join(2.0)
        for s in [self.udp, self.tcp] + self.conns:
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass

    def clear(self):
        with self.cond:
            self.received = []

    def _record(self, rcv):
        with self.cond:
            self.received.append(rcv)
            self.cond.notify_all()

    def _answers(self, rcv):
        try:
            out = self.responder(rcv)
        except Exception as e:      # a test bug: keep it for the test
            self.errors.append(repr(e))
            return []
        if out is None:
            return []
        return out if isinstance(out, list) else [out]

    def _udp_loop(self):
        while not self.stopping:
            try:
                raw, peer = self.udp.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            rcv = Received(raw, "udp", peer[:2], self.udp.getsockname()[:2])
            self._record(rcv)
            for ans in self._answers(rcv):
                dest = peer[:2]
                if self.reply_to == "via" and rcv.msg is not None \
                        and rcv.msg.is_request:
                    try:
                        dest = rcv.msg.top_via.reply_addr()
                    except (ParseError, AttributeError, ValueError):
                        pass
                try:
                    self.udp.sendto(ans, dest)
                except OSError as e:
                    self.errors.append("sendto %s: %s" % (dest, e))

    def _accept_loop(self):
        while not self.stopping:
            try:
                c, peer = self.tcp.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.conns.append(c)
            self._spawn(self._conn_loop, c, peer[:2])

    def _conn_loop(self, c, peer):
        c.settimeout(0.2)
        buf = b""
        local = c.getsockname()[:2]
        while not self.stopping:
            try:
                d = c.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not d:
                return
            buf += d
            for _ in range(1000):
                if buf.startswith(b"\r\n\r\n"):     # keepalive ping
                    buf = buf[4:]
                    try:
                        c.sendall(b"\r\n")
                    except OSError:
                        return
                    continue
                try:
                    r = frame(buf)
                except ParseError as e:
                    self.errors.append("tcp framing from %s: %s" % (peer, e))
                    c.close()
                    return
                if r is None:
                    break
                raw, buf = r
                rcv = Received(raw, self.stream_proto, peer, local, c)
                self._record(rcv)
                for ans in self._answers(rcv):
                    try:
                        c.sendall(ans)
                    except OSError as e:
                        self.errors.append("tcp send: %s" % e)

    def wait(self, count=1, timeout=DEFAULT_TIMEOUT, pred=None):
        """Wait until at least count received messages satisfy pred (all
        messages if None); returns the matching list (maybe shorter)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            for _ in range(10000):
                got = [r for r in self.received if pred is None or pred(r)]
                left = deadline - time.monotonic()
                if len(got) >= count or left <= 0:
                    return got
                self.cond.wait(min(left, 0.5))
        return [r for r in self.received if pred is None or pred(r)]

    def wait_call(self, call_id, count=1, timeout=DEFAULT_TIMEOUT):
        return self.wait(count, timeout,
                         lambda r: r.msg is not None and
                         r.msg.call_id == call_id)


def tcp_connect(host, port, timeout=DEFAULT_TIMEOUT):
    return TcpClient(host, port, timeout)


def wait_readable(sock, timeout):
    r, _, _ = select.select([sock], [], [], timeout)
    return bool(r)


# -------------------------------------------------------------------- TLS ---

TLS_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


def _tls_version(v):
    if v is None or isinstance(v, ssl.TLSVersion):
        return v
    return TLS_VERSIONS[str(v)]


def tls_context(server=False, ca=None, cert=None, key=None, verify=None,
                min_version=None, max_version=None, ciphers=None,
                legacy=False):
    """An ssl.SSLContext for a test peer.

    Client (server=False): verify=None means "verify if ca is given";
    host names are never checked (the proxy is addressed by IP).
    Server: verify=None means CERT_OPTIONAL if ca is given (a client
    certificate is requested and, if sent, verified against ca) else
    CERT_NONE; verify="required" means CERT_REQUIRED.
    cert/key: our certificate chain (files).  min/max_version: "1.0" ..
    "1.3" or ssl.TLSVersion.  legacy=True drops the security level to 0 so
    that the local OpenSSL still offers TLS 1.0/1.1 if it can."""
    if server:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if verify == "required":
            ctx.verify_mode = ssl.CERT_REQUIRED
        elif verify is None:
            ctx.verify_mode = ssl.CERT_OPTIONAL if ca else ssl.CERT_NONE
        else:
            ctx.verify_mode = ssl.CERT_OPTIONAL if verify else ssl.CERT_NONE
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        if verify is None:
            verify = ca is not None
        ctx.verify_mode = ssl.CERT_REQUIRED if verify else ssl.CERT_NONE
    if legacy:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    elif ciphers:
        ctx.set_ciphers(ciphers)
    if min_version is not None:
        ctx.minimum_version = _tls_version(min_version)
    if max_version is not None:
        ctx.maximum_version = _tls_version(max_version)
    if ca:
        ctx.load_verify_locations(cafile=ca)
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def can_offer(ctx):
    """True if this context really produces a ClientHello (OpenSSL may
    refuse to offer TLS 1.0/1.1 at all, whatever the settings)."""
    obj = ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO())
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        return True
    except ssl.SSLError:
        return False
    return True


class TlsInfo:
    """What one side learnt from a handshake."""

    def __init__(self, sslobj=None, peer=None, error=None):
        self.peer = peer
        self.error = error              # None if the handshake succeeded
        self.ok = error is None
        self.cert_der = None
        self.version = self.cipher = None
        self.time = time.monotonic()
        if sslobj is not None and error is None:
            try:
                self.cert_der = sslobj.getpeercert(binary_form=True)
            except (ValueError, ssl.SSLError):
                self.cert_der = None
            self.version = sslobj.version()
            c = sslobj.cipher()
            self.cipher = c[0] if c else None

    @property
    def cn(self):
        """Subject CN of the peer's certificate (None without one)."""
        if not self.cert_der:
            return None
        import certs
        return certs.cert_cn(self.cert_der)

    def __repr__(self):
        return "<TlsInfo %s %s cn=%r error=%r>" % (
            self.peer, self.version, self.cn if self.ok else None,
            self.error)


class _TlsPeerMixin:
    """Peer certificate helpers shared by the two TLS clients."""

    def _sslobj(self):
        raise NotImplementedError

    def peer_cert_der(self):
        try:
            return self._sslobj().getpeercert(binary_form=True)
        except (ValueError, ssl.SSLError, AttributeError):
            return None

    def peer_subject(self):
        der = self.peer_cert_der()
        if not der:
            return None
        import certs
        return certs.cert_subject(der)

    def peer_cn(self):
        import certs
        return certs.cert_cn(self.peer_cert_der())

    def version(self):
        return self._sslobj().version()

    def cipher(self):
        c = self._sslobj().cipher()
        return c[0] if c else None

    def make_request(self, method, uri, **kw):
        kw.setdefault("transport", "TLS")
        return TcpClient.make_request(self, method, uri, **kw)


class TlsClient(_TlsPeerMixin, TcpClient):
    """A TLS connection (ssl.SSLSocket) to a SIP peer, with the stream
    framing of TcpClient.  The handshake runs in the constructor and its
    failure raises (ssl.SSLError or OSError), like a refused connect.
    With TLS 1.3 a server that rejects our certificate says so only after
    the client's handshake is done: the first read then fails, which
    sets self.closed and keeps the reason in self.error.

    sock: an already connected plain socket to wrap (e.g. with a small
    SO_RCVBUF)."""

    _CLEAN_CLOSE = ssl.SSLZeroReturnError
    _LOST = (ssl.SSLError,) + _CLOSED_ERRORS

    def __init__(self, host="127.0.0.1", port=5061,
                 timeout=DEFAULT_TIMEOUT, context=None, ca=None, cert=None,
                 key=None, verify=None, min_version=None, max_version=None,
                 server_hostname=None, sock=None):
        ctx = context or tls_context(ca=ca, cert=cert, key=key,
                                     verify=verify, min_version=min_version,
                                     max_version=max_version)
        raw = sock or socket.create_connection((host, port), timeout=timeout)
        raw.settimeout(timeout)
        try:
            s = ctx.wrap_socket(raw, server_hostname=server_hostname)
        except BaseException:
            raw.close()
            raise
        self.error = None
        TcpClient.__init__(self, host, port, timeout, sock=s)

    def _sslobj(self):
        return self.sock


def tls_records(data):
    """[(content type, version, payload)] of the complete TLS records at
    the start of data."""
    out, off = [], 0
    for _ in range(100000):
        if len(data) - off < 5:
            break
        ctype, ver = data[off], int.from_bytes(data[off + 1:off + 3], "big")
        n = int.from_bytes(data[off + 3:off + 5], "big")
        if len(data) - off - 5 < n:
            break
        out.append((ctype, ver, data[off + 5:off + 5 + n]))
        off += 5 + n
    return out


def server_hello_random(data):
    """The 32-byte random of the ServerHello in raw server bytes (TLS 1.2
    and 1.3 alike: the ServerHello is the first plaintext handshake
    message), or None."""
    hs = b"".join(p for t, _, p in tls_records(data) if t == 22)
    off = 0
    for _ in range(100):
        if len(hs) - off < 4:
            return None
        mtype = hs[off]
        n = int.from_bytes(hs[off + 1:off + 4], "big")
        if mtype == 2:
            body = hs[off + 4:off + 4 + n]
            return body[2:34] if len(body) >= 34 else None
        off += 4 + n
    return None


class TlsBioClient(_TlsPeerMixin, TcpClient):
    """TLS through ssl.SSLObject and memory BIOs over a plain socket, so
    the test controls the wire:

        c = TlsBioClient(host, port, context)    # TCP connect only
        hello = c.client_hello()                 # bytes, not sent yet
        c.send_raw(hello, step=10, delay=0.01)   # ClientHello in pieces
        c.handshake()                            # finish it
        c.server_random                          # from the raw ServerHello
        c.send_records(data, size=1)             # one TLS record per byte
        c.send_request(...), c.recv(), c.wait_closed()   # as TcpClient

    Bytes read off the socket before the handshake completes are kept in
    self.handshake_bytes."""

    def __init__(self, host="127.0.0.1", port=5061, context=None,
                 timeout=DEFAULT_TIMEOUT, server_hostname=None,
                 handshake=False, rcvbuf=None):
        raw = socket.socket(family_of(host), socket.SOCK_STREAM)
        if rcvbuf:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.settimeout(timeout)
        try:
            raw.connect((host, port))
        except BaseException:
            raw.close()
            raise
        TcpClient.__init__(self, host, port, timeout, sock=raw)
        self.ctx = context or tls_context()
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = self.ctx.wrap_bio(self.incoming, self.outgoing,
                                     server_side=False,
                                     server_hostname=server_hostname)
        self.handshake_bytes = b""
        self.handshaken = False
        self.error = None
        if handshake:
            self.handshake()

    def _sslobj(self):
        return self.obj

    def send_raw(self, data, step=None, delay=0.0):
        """Send bytes as they are; in pieces of step bytes with delay
        seconds between them if step is given."""
        if step is None:
            self.sock.sendall(data)
            return
        for i in range(0, len(data), step):
            if i:
                time.sleep(delay)
            self.sock.sendall(data[i:i + step])

    def flush(self):
        out = self.outgoing.read()
        if out:
            self.sock.sendall(out)
        return len(out)

    def client_hello(self):
        """Start the handshake; return the ClientHello bytes unsent."""
        try:
            self.obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        return self.outgoing.read()

    def _read_sock(self, deadline):
        """Socket bytes into the incoming BIO; False on timeout/EOF."""
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            d = self.sock.recv(65536)
        except socket.timeout:
            return False
        except _CLOSED_ERRORS as e:
            self.closed = True
            self.error = e
            self.incoming.write_eof()
            return False
        if not d:
            self.closed = True
            self.incoming.write_eof()
            return False
        if not self.handshaken:
            self.handshake_bytes += d
        self.incoming.write(d)
        return True

    def handshake(self, timeout=None):
        """Drive the handshake to its end (sending whatever is pending,
        e.g. the ClientHello if client_hello() was not used).  Raises
        ssl.SSLError on a TLS failure, ConnectionError if the peer
        closes, socket.timeout when it takes longer than timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        for _ in range(10000):
            try:
                self.obj.do_handshake()
                self.flush()
                self.handshaken = True
                return self
            except ssl.SSLWantReadError:
                self.flush()
            if not self._read_sock(deadline):
                if self.closed:
                    try:
                        self.obj.do_handshake()
                    except ssl.SSLError:
                        pass
                    raise ConnectionError("peer closed during the TLS "
                                          "handshake")
                raise socket.timeout("TLS handshake not done in time")
        raise socket.timeout("TLS handshake: too many rounds")

    @property
    def server_random(self):
        return server_hello_random(self.handshake_bytes)

    def encrypt(self, data, size=None):
        """Encrypt data into records (one per size bytes) without sending:
        returns a list of record bytes."""
        if isinstance(data, str):
            data = data.encode()
        size = size or 16384
        recs = []
        for i in range(0, len(data), size):
            self.obj.write(data[i:i + size])
            recs.append(self.outgoing.read())
        return recs

    def send(self, data):
        for r in self.encrypt(data):
            self.sock.sendall(r)

    def send_chunks(self, data, n=5, delay=0.05, sizes=None):
        """Like TcpClient.send_chunks, one TLS record per piece."""
        if isinstance(data, str):
            data = data.encode()
        if sizes is None:
            step = max(1, (len(data) + n - 1) // n)
            sizes = [step] * n
        off = 0
        for i, s in enumerate(list(sizes) + [len(data)]):
            if off >= len(data):
                break
            if i:
                time.sleep(delay)
            self.send(data[off:off + s])
            off += s

    def send_records(self, data, size=1, delay=0.0, max_records=None):
        """Send data as records of size plaintext bytes, each in its own
        send (delay seconds apart).  Stops at the first send error (the
        peer closed): returns (records sent, error or None)."""
        recs = self.encrypt(data, size)
        if max_records is not None:
            recs = recs[:max_records]
        for i, r in enumerate(recs):
            if i and delay:
                time.sleep(delay)
            try:
                self.sock.sendall(r)
            except OSError as e:
                return i, e
        return len(recs), None

    def _fill(self, deadline):
        for _ in range(10000):
            try:
                d = self.obj.read(65536)
            except ssl.SSLWantReadError:
                if not self._read_sock(deadline):
                    if self.closed:
                        try:
                            d = self.obj.read(65536)
                        except ssl.SSLError as e:
                            if not isinstance(e, (ssl.SSLZeroReturnError,
                                                  ssl.SSLEOFError)):
                                self.error = e
                            return False
                        if d:
                            self.buf += d
                            return True
                    return False
                continue
            except ssl.SSLZeroReturnError:
                self.closed = True
                return False
            except ssl.SSLError as e:
                self.closed = True
                self.error = e
                return False
            if not d:
                self.closed = True
                return False
            self.buf += d
            if len(self.buf) > MAX_MSG:
                raise ParseError("peer sent more than %d bytes" % MAX_MSG)
            return True
        return False


class TlsNextHop(NextHop):
    """NextHop over TLS only (no UDP): each accepted connection is
    handshaken with context (see tls_context(server=True, ...)).  Every
    handshake, good or failed, is recorded in self.handshakes (TlsInfo);
    received messages carry rcv.tls (TlsInfo: cert_der, cn, version)."""

    stream_proto = "tls"

    def __init__(self, port=0, host="127.0.0.1", context=None,
                 responder=answer_200, handshake_timeout=5.0):
        if context is None:
            raise ValueError("TlsNextHop needs a server context")
        self.context = context
        self.handshakes = []
        self.handshake_timeout = handshake_timeout
        NextHop.__init__(self, port=port, host=host, udp=False, tcp=True,
                         responder=responder)

    def _conn_loop(self, c, peer):
        c.settimeout(self.handshake_timeout)
        try:
            s = self.context.wrap_socket(c, server_side=True)
        except (ssl.SSLError, OSError) as e:
            info = TlsInfo(peer=peer, error=e)
            with self.cond:
                self.handshakes.append(info)
                self.cond.notify_all()
            try:
                c.close()
            except OSError:
                pass
            return
        info = TlsInfo(s, peer=peer)
        s.tls_info = info
        self.conns.append(s)
        with self.cond:
            self.handshakes.append(info)
            self.cond.notify_all()
        NextHop._conn_loop(self, s, peer)

    def wait_handshakes(self, count=1, timeout=DEFAULT_TIMEOUT, pred=None):
        """Wait until count recorded handshakes satisfy pred (all if
        None); returns the matching list (maybe shorter)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            for _ in range(10000):
                got = [h for h in self.handshakes if pred is None or pred(h)]
                left = deadline - time.monotonic()
                if len(got) >= count or left <= 0:
                    return got
                self.cond.wait(min(left, 0.5))
        return [h for h in self.handshakes if pred is None or pred(h)]
