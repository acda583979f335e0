"""A small certificate authority for the TLS tests, on the openssl CLI.

Everything is generated at test time into a temporary directory (the
Proxy's $DIR); no key material is ever committed.

    ca = make_ca(d, "Test CA")                       # CA key + self-signed cert
    srv = make_cert(ca, "server", d, san_ip=["127.0.0.1"])
    srv.cert, srv.key, srv.chain, srv.ca             # paths
    old = make_cert(ca, "old", d, expired=True)      # valid 2020-01-01..02
    other = make_ca(d, "Untrusted CA")               # for negative tests
    weak = make_cert(ca, "weak", d, key_type="rsa", bits=1024)
    sha1 = make_cert(ca, "sha1", d, digest="sha1")
    cert_cn(der_or_pem_bytes) -> "server"

Certificates carry serverAuth and clientAuth, so one can be used on either
side.  Key files are mode 0600.  Every openssl call has a timeout.
"""

import os
import re
import subprocess

OPENSSL = os.environ.get("OPENSSL", "openssl")
TIMEOUT = 30

_CA_CNF = """\
[ ca ]
default_ca = ca_default

[ ca_default ]
dir = {dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
certificate = {cert}
private_key = {key}
default_md = sha256
default_days = 1
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none

[ policy_any ]
commonName = supplied
organizationName = optional
organizationalUnitName = optional
"""


class CertError(Exception):
    pass


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def openssl(args, input=None, timeout=TIMEOUT):
    """Run openssl with args; returns stdout bytes, raises CertError with
    stderr on failure."""
    try:
        r = subprocess.run([OPENSSL] + list(args), input=input,
                           capture_output=True, timeout=timeout,
                           stdin=None if input is not None
                           else subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise CertError("openssl %s: %s" % (" ".join(args), e))
    if r.returncode != 0:
        raise CertError("openssl %s: exit %d\n%s" % (
            " ".join(args), r.returncode,
            r.stderr.decode("utf-8", "replace")))
    return r.stdout


def _genkey(path, key_type="ec", bits=2048):
    if key_type == "ec":
        args = ["genpkey", "-algorithm", "EC", "-pkeyopt",
                "ec_paramgen_curve:P-256"]
    elif key_type == "rsa":
        args = ["genpkey", "-algorithm", "RSA", "-pkeyopt",
                "rsa_keygen_bits:%d" % bits]
    else:
        raise ValueError("key_type must be 'ec' or 'rsa', not %r" % key_type)
    # create the file 0600 before openssl writes the key into it
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    openssl(args + ["-out", path])
    os.chmod(path, 0o600)
    return path


class CA:
    """A CA: its certificate, key and openssl ca database directory."""

    def __init__(self, name, cert, key, dir):
        self.name = name
        self.cert = cert
        self.key = key
        self.dir = dir              # database, serials, config
        self.cnf = os.path.join(dir, "ca.cnf")

    def __repr__(self):
        return "<CA %r %s>" % (self.name, self.cert)


class Cert:
    """An end-entity certificate: paths of cert, key, chain (cert + CA)
    and the issuing CA's certificate."""

    def __init__(self, name, cert, key, chain, ca):
        self.name = name
        self.cert = cert
        self.key = key
        self.chain = chain
        self.ca = ca

    def __repr__(self):
        return "<Cert %r %s>" % (self.name, self.cert)


def make_ca(dir, name="Test CA", key_type="ec", bits=2048, days=30,
            file_prefix=None):
    """Create a CA (key + self-signed certificate) under dir.  The
    certificate is <prefix>.pem (prefix defaults to the name made
    file-safe), the key <prefix>-key.pem; the openssl ca database lives in
    <dir>/<prefix>.db/."""
    os.makedirs(dir, exist_ok=True)
    prefix = file_prefix or _safe(name)
    cert = os.path.join(dir, prefix + ".pem")
    key = _genkey(os.path.join(dir, prefix + "-key.pem"), key_type, bits)
    openssl(["req", "-x509", "-new", "-key", key, "-sha256",
             "-days", str(days), "-subj", "/O=openser tests/CN=%s" % name,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-addext", "subjectKeyIdentifier=hash",
             "-out", cert])
    db = os.path.join(dir, prefix + ".db")
    os.makedirs(os.path.join(db, "newcerts"), exist_ok=True)
    open(os.path.join(db, "index.txt"), "w").close()
    with open(os.path.join(db, "serial"), "w") as f:
        f.write("%016X\n" % int.from_bytes(os.urandom(7), "big"))
    ca = CA(name, cert, key, db)
    with open(ca.cnf, "w") as f:
        f.write(_CA_CNF.format(dir=db, cert=cert, key=key))
    return ca


def make_cert(ca, name, dir, san_dns=None, san_ip=None, days=1,
              expired=False, key_type="ec", bits=2048, digest="sha256",
              file_prefix=None):
    """Issue a certificate for CN=<name> from <ca> into dir:
    <prefix>-cert.pem, <prefix>-key.pem (0600) and <prefix>-chain.pem
    (certificate then CA certificate).  Extended key usage serverAuth and
    clientAuth.  expired=True makes it valid only from 2020-01-01 to
    2020-01-02; digest="sha1" signs it with SHA-1; key_type "ec" (P-256)
    or "rsa" (bits)."""
    os.makedirs(dir, exist_ok=True)
    prefix = file_prefix or _safe(name)
    key = _genkey(os.path.join(dir, prefix + "-key.pem"), key_type, bits)
    cert = os.path.join(dir, prefix + "-cert.pem")
    csr = os.path.join(ca.dir, prefix + ".csr")
    ext = os.path.join(ca.dir, prefix + ".ext")
    openssl(["req", "-new", "-key", key, "-subj",
             "/O=openser tests/CN=%s" % name, "-out", csr])
    ku = "digitalSignature" + (",keyEncipherment" if key_type == "rsa"
                               else "")
    lines = ["basicConstraints = critical,CA:FALSE",
             "keyUsage = critical," + ku,
             "extendedKeyUsage = serverAuth,clientAuth",
             "subjectKeyIdentifier = hash",
             "authorityKeyIdentifier = keyid"]
    sans = ["DNS:%s" % d for d in (san_dns or [])]
    sans += ["IP:%s" % i for i in (san_ip or [])]
    if sans:
        lines.append("subjectAltName = " + ",".join(sans))
    with open(ext, "w") as f:
        f.write("\n".join(lines) + "\n")
    args = ["ca", "-batch", "-config", ca.cnf, "-in", csr, "-out", cert,
            "-extfile", ext, "-notext", "-md", digest, "-rand_serial",
            "-preserveDN"]
    if expired:
        args += ["-startdate", "20200101000000Z",
                 "-enddate", "20200102000000Z"]
    else:
        args += ["-days", str(days)]
    openssl(args)
    chain = os.path.join(dir, prefix + "-chain.pem")
    with open(chain, "w") as out:
        for p in (cert, ca.cert):
            with open(p) as f:
                out.write(f.read())
    return Cert(name, cert, key, chain, ca.cert)


def bundle(path, *pems):
    """Concatenate PEM files (CA lists) into path; returns path."""
    with open(path, "w") as out:
        for p in pems:
            with open(p) as f:
                out.write(f.read())
    return path


def der_to_pem(der):
    return openssl(["x509", "-inform", "DER", "-outform", "PEM"], input=der)


def _x509_text(data, args):
    """openssl x509 <args> on DER or PEM bytes (or a PEM file path)."""
    if isinstance(data, str):
        return openssl(["x509", "-in", data, "-noout"] + args).decode()
    form = "PEM" if data.lstrip().startswith(b"-----BEGIN") else "DER"
    return openssl(["x509", "-inform", form, "-noout"] + args,
                   input=data).decode()


def cert_subject(data):
    """Subject of a certificate (DER/PEM bytes or a file path) as RFC 2253
    text, e.g. 'CN=server,O=openser tests'."""
    out = _x509_text(data, ["-subject", "-nameopt", "RFC2253"]).strip()
    return out.split("=", 1)[1].strip() if out.startswith("subject") \
        else out


def cert_cn(data):
    """The subject CN of a certificate (DER/PEM bytes or a path), or None
    (also for None/empty input)."""
    if not data:
        return None
    m = re.search(r"(?:^|,)CN=((?:\\.|[^,])*)", cert_subject(data))
    return m.group(1).replace("\\", "") if m else None


def cert_dates(data):
    """(notBefore, notAfter) strings of a certificate."""
    out = _x509_text(data, ["-startdate", "-enddate"])
    d = dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
    return d.get("notBefore"), d.get("notAfter")


def cert_key_matches(cert, key):
    """True if the public keys of a certificate file and a key file are
    the same (a self-check for the tests' own fixtures)."""
    a = openssl(["x509", "-in", cert, "-noout", "-pubkey"])
    b = openssl(["pkey", "-in", key, "-pubout"])
    return a.strip() == b.strip()
