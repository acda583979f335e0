#!/usr/bin/env python3
"""Write seeds for fuzz_tcp_owner (format in test/fuzz/fuzz_tcp_owner.c)
into test/corpus/tcp_owner.  Run from the top of the tree."""
import os

OPT = (b"OPTIONS sip:p@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
       b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
INV = (b"INVITE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK2\r\n"
       b"CSeq: 1 INVITE\r\nContent-Length: 4\r\n\r\nv=0\n")
LOOP = 0xff


def write(peer, data):
    out = b""
    while data:
        out += bytes([peer, min(len(data), 256) - 1]) + data[:256]
        data = data[256:]
    return out


def seed(name, prog, script):
    # the handler script is the second half of the input: pad the program
    prog += bytes([LOOP]) * max(0, len(script) - len(prog))
    script += bytes([3]) * (len(prog) - len(script))   # 3: do nothing
    with open(os.path.join("test/corpus/tcp_owner", name), "wb") as f:
        f.write(prog + script)


seed("one_msg_reply", write(0, OPT) + bytes([LOOP, 7]), bytes([0]))
seed("two_msgs_one_segment", write(0, OPT + INV) + bytes([LOOP]), bytes([0, 1]))
# the issue 10 item 1 pattern: OPTIONS + INVITE in one segment, the client
# closes before the proxy reads, so the reply to the first fails
seed("close_before_reply", write(0, OPT + INV) + bytes([4, LOOP]),
     bytes([0, 1]))
seed("byte_by_byte", b"".join(write(1, OPT[i:i + 1]) + bytes([LOOP])
                              for i in range(len(OPT))), bytes([1]))
seed("ping_pong", write(0, b"\r\n\r\n" + OPT + b"\r\n\r\n") + bytes([LOOP, 7]),
     bytes([2]))
seed("no_content_length", write(1, OPT.replace(b"Content-Length: 0\r\n", b""))
     + bytes([LOOP]), bytes([0]))
seed("eof_mid_message", write(0, INV[:60]) + bytes([6, 0, LOOP]), b"")
seed("close_after_flush", write(0, OPT + OPT) + bytes([LOOP, 7, LOOP]),
     bytes([3, 0]))
seed("idle_timer", write(1, OPT) + bytes([LOOP, 8, LOOP]), bytes([0]))
