#!/usr/bin/env python3
"""Write seeds for fuzz_pipeline into test/corpus/pipeline: messages as
the test peers send them (test/lib/sipclient.py builds every request and
reply of the e2e suite), aimed at each branch of the harness's route
script.  Run from the top of the tree."""
import os
import sys

sys.path.insert(0, "test/lib")
import sipclient as sc  # noqa: E402

D = "test/corpus/pipeline"
P = "127.0.0.1"     # the harness's listener: uri == myself


def put(name, data):
    with open(os.path.join(D, name), "wb") as f:
        f.write(data)


def req(method, uri, **kw):
    kw.setdefault("branch", "z9hG4bK" + method.lower() + "seed")
    kw.setdefault("call_id", method.lower() + "-seed@test")
    kw.setdefault("from_tag", "ftag1")
    kw.setdefault("port", 5070)
    return sc.request(method, uri, **kw)


os.makedirs(D, exist_ok=True)
put("options_self", req("OPTIONS", "sip:%s" % P))
put("options_self_fuzz_ua", req("OPTIONS", "sip:%s" % P, headers=[
    ("User-Agent", "fuzz 1.0"), ("Subject", "call 12345")]))
put("register", req("REGISTER", "sip:proxy.example", headers=[
    ("Contact", "<sip:alice@127.0.0.2:5070>;expires=60"),
    ("To", "<sip:alice@proxy.example>")]))
put("register_star", req("REGISTER", "sip:proxy.example", headers=[
    ("Contact", "*"), ("Expires", "0"),
    ("To", "<sip:alice@proxy.example>")]))
put("invite_registered", req("INVITE", "sip:alice@proxy.example",
                             body="v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\n",
                             headers=[("Content-Type", "application/sdp")]))
put("invite_unknown_user", req("INVITE", "sip:nobody@%s" % P))
put("invite_relay_udp", req("INVITE", "sip:udp@10.0.0.9",
                            headers=[("X-Remove", "1")]))
put("invite_relay_numeric", req("INVITE", "sip:bob@10.0.0.9:5080;transport=udp"))
put("invite_busy", req("INVITE", "sip:busy@%s" % P))
put("invite_max_forwards_0", req("INVITE", "sip:bob@10.0.0.9", max_forwards=0))
put("bye_loose_route", req("BYE", "sip:bob@10.0.0.9", to_tag="ttag", headers=[
    ("Route", "<sip:%s;lr;ftag=ftag1>, <sip:10.0.0.10;lr>" % P)]))
put("ack_strict_route", req("ACK", "sip:%s" % P, to_tag="ttag", headers=[
    ("Route", "<sip:bob@10.0.0.9>")]))
put("cancel", req("CANCEL", "sip:udp@10.0.0.9", headers=[
    ("CSeq", "1 CANCEL")]))
put("message_drop", req("MESSAGE", "sip:bob@10.0.0.9", body="hi",
                        headers=[("X-Drop", "yes")]))
inv = sc.parse(req("INVITE", "sip:udp@10.0.0.9"))
put("reply_180", sc.response(inv, 180, to_tag="ttag"))
put("reply_200_our_via", sc.response(sc.parse(
    req("INVITE", "sip:udp@10.0.0.9", headers=[
        ("Via", "SIP/2.0/UDP %s:5060;branch=z9hG4bKtm1" % P),
        ("Via", "SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKc;rport")])),
    200, to_tag="ttag"))
put("reply_404", sc.response(inv, 404))
put("options_subject_re", req("OPTIONS", "sip:%s" % P, headers=[
    ("Subject", "^sip:[0-9]{1,3}\\.[a-z]+@")]))
