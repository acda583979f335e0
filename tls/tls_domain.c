/*
 * tls_domain.c: TLS domains (see tls_domain.h).  The list holds the
 * default server domain (index 1), the default client domain (index 2),
 * then every tls_server_domain / tls_client_domain block in config order.
 * Virtual domains inherit every global tls_* value they leave unset (our
 * deliberate change from 1.x, where they fell back to built-in values).
 * Contexts are built once, in the attendant before fork; lookups run in
 * the tcp workers and never log.  Config memory (malloc).
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "lib/log.h"
#include "net/socket_info.h"
#include "tls/tls_config.h"
#include "tls/tls_domain.h"
#include "tls/tls_log.h"

#define LABEL_LEN	  (IP_ADDR_MAX_STR + 300)
#define PASS_TRIES	  3
#define HINT_SECLEVEL                                                      \
	"; the key/signature is too weak for OpenSSL's security level (use " \
	"an RSA key of 2048 bits or more or an EC key, signed with SHA-256)"

/* what the passphrase callback needs and tells back */
struct tls_pass {
	const char *file;
	int tries_left;
	int asked;		/* the key is encrypted */
	int no_tty;		/* ... and nobody can be asked */
};

static struct tls_domain *domains, **domains_tail = &domains;
static int next_index;

static void domain_free(struct tls_domain *td);

/* "default server domain", "server domain 10.0.0.1:5061", ... */
static const char *
dlabel(const struct tls_domain *td, char *buf, size_t size)
{
	if (td->type & TLS_DOMAIN_DEF)
		(void)snprintf(buf, size, "%s domain", td->name);
	else if (td->type & TLS_DOMAIN_NAME)
		(void)snprintf(buf, size, "client domain \"%s\"", td->name);
	else
		(void)snprintf(buf, size, "%s domain %s",
		    (td->type & TLS_DOMAIN_SRV) ? "server" : "client", td->name);
	return buf;
}

/* "" means "none" (it overrides an inherited value) */
static const char *
opt(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static struct tls_domain *
domain_new(int type, const char *name)
{
	struct tls_domain *td;

	if ((td = calloc(1, sizeof(*td))) == NULL)
		return NULL;
	if ((td->name = strdup(name)) == NULL) {
		free(td);
		return NULL;
	}
	td->type = type;
	td->index = ++next_index;
	td->verify_cert = td->require_cert = td->verify_depth = -1;
	*domains_tail = td;
	domains_tail = &td->next;
	return td;
}

/*
 * Create the default server and client domains (any earlier list is
 * freed).  Called by pre_init_tls() before the config is parsed, so that
 * global tls_* parameters can write into them.  Attendant; 0 or -1.
 */
int
tls_domain_defaults_init(void)
{
	struct tls_domain *srv, *cli;

	tls_domains_destroy();
	srv = domain_new(TLS_DOMAIN_SRV | TLS_DOMAIN_DEF, "default server");
	cli = domain_new(TLS_DOMAIN_CLI | TLS_DOMAIN_DEF, "default client");
	if (srv == NULL || cli == NULL) {
		LM_CRIT("tls: out of memory while creating the default domains");
		return -1;
	}
	tls_config_domain_defaults(srv);
	tls_config_domain_defaults(cli);
	return 0;
}

/* The default domain of <type> (TLS_DOMAIN_SRV or TLS_DOMAIN_CLI), or
 * NULL before tls_domain_defaults_init(). */
struct tls_domain *
tls_domain_default(int type)
{
	struct tls_domain *td;

	for (td = domains; td != NULL; td = td->next)
		if ((td->type & TLS_DOMAIN_DEF) && (td->type & type))
			return td;
	return NULL;
}

static int
has_alpha(const char *s)
{
	for (; *s != '\0'; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
			return 1;
	return 0;
}

/*
 * Parse "a.b.c.d:port" or "[v6]:port" (a literal address and a port
 * 1..65535; hostnames are refused: a domain is matched by address).
 * 0, or -1 with <err> saying what to write instead.  Does not log.
 */
int
tls_domain_parse_addr(const char *s, struct ip_addr *ip, unsigned short *port,
    char *err, int errlen)
{
	const char *colon, *p;
	char host[IP_ADDR_MAX_STR + 3];
	unsigned long n;
	str h;

	if (s[0] == '[') {
		p = strchr(s, ']');
		colon = p != NULL && p[1] == ':' ? p + 1 : NULL;
		if (p == NULL || (p[1] != '\0' && colon == NULL))
			goto bad;
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			(void)snprintf(err, (size_t)errlen, "'%s': an IPv6 "
			    "address goes in brackets, e.g. [::1]:5061", s);
			return -1;
		}
	}
	if (colon == NULL) {
		(void)snprintf(err, (size_t)errlen, "'%s' has no port; write "
		    "ip:port, e.g. 10.0.0.1:5061 or [::1]:5061", s);
		return -1;
	}
	if ((size_t)(colon - s) >= sizeof(host))
		goto bad;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	h.s = host;
	h.len = (int)strlen(host);
	if (ip_addr_parse(&h, ip) == -1) {
		if (has_alpha(host) && host[0] != '[')
			(void)snprintf(err, (size_t)errlen, "'%s' is a hostname; "
			    "a domain is matched by IP address, so write the "
			    "IPv4 or [IPv6] address (names are not resolved)",
			    host);
		else
			(void)snprintf(err, (size_t)errlen, "'%s' is not an IP "
			    "address", host);
		return -1;
	}
	p = colon + 1;
	n = strspn(p, "0123456789") == strlen(p) && *p != '\0' && strlen(p) < 6
	    ? strtoul(p, NULL, 10) : 0;
	if (n == 0 || n > 65535) {
		(void)snprintf(err, (size_t)errlen, "port '%s' is not a port "
		    "number (1..65535)", p);
		return -1;
	}
	*port = (unsigned short)n;
	return 0;
bad:
	(void)snprintf(err, (size_t)errlen, "'%s' is not ip:port", s);
	return -1;
}

static struct tls_domain *
find_same(int type, const char *name, const struct ip_addr *ip,
    unsigned short port)
{
	struct tls_domain *td;
	int kind = type & (TLS_DOMAIN_SRV | TLS_DOMAIN_CLI | TLS_DOMAIN_NAME);

	for (td = domains; td != NULL; td = td->next) {
		if ((td->type & TLS_DOMAIN_DEF) || (td->type & (TLS_DOMAIN_SRV
		    | TLS_DOMAIN_CLI | TLS_DOMAIN_NAME)) != kind)
			continue;
		if ((type & TLS_DOMAIN_NAME) ? strcasecmp(td->name, name) == 0
		    : td->port == port && ip_addr_eq(&td->addr, ip))
			return td;
	}
	return NULL;
}

/*
 * Add a virtual domain: <type> TLS_DOMAIN_SRV or TLS_DOMAIN_CLI (plus
 * TLS_DOMAIN_NAME for a client domain chosen by name); <key> is "ip:port"
 * or the name.  Every parameter starts unset (inherited at init).
 * Returns the domain; NULL with <err> filled when <key> is bad, or when
 * a domain with the same key exists (then also <*dup>).  Attendant,
 * config time.
 */
struct tls_domain *
tls_domain_add(int type, const char *key, struct tls_domain **dup, char *err,
    int errlen)
{
	char txt[IP_ADDR_MAX_STR], name[IP_ADDR_MAX_STR + 10];
	struct tls_domain *td;
	unsigned short port = 0;
	struct ip_addr ip;

	*dup = NULL;
	memset(&ip, 0, sizeof(ip));
	if (type & TLS_DOMAIN_NAME) {
		if (key[0] == '\0') {
			(void)snprintf(err, (size_t)errlen, "the name of a "
			    "client domain cannot be empty");
			return NULL;
		}
	} else {
		if (tls_domain_parse_addr(key, &ip, &port, err, errlen) == -1)
			return NULL;
		(void)ip_addr_to_str(&ip, txt, sizeof(txt));
		(void)snprintf(name, sizeof(name),
		    ip.af == AF_INET6 ? "[%s]:%u" : "%s:%u", txt, port);
		key = name;
	}
	if ((*dup = find_same(type, key, &ip, port)) != NULL) {
		(void)snprintf(err, (size_t)errlen, "duplicate domain %s", key);
		return NULL;
	}
	if ((td = domain_new(type, key)) == NULL) {
		(void)snprintf(err, (size_t)errlen, "out of memory");
		return NULL;
	}
	td->addr = ip;
	td->port = port;
	return td;
}

static int
inherit_str(char **dst, const char *src)
{
	char *copy;

	if (*dst != NULL || src == NULL)
		return 0;
	if ((copy = strdup(src)) == NULL)
		return -1;
	*dst = copy;
	return 0;
}

/*
 * Fill what virtual domain <td> left unset from the default domain of
 * its kind, which holds the global tls_* values (or the built-in ones).
 * Default domains are left alone.  Attendant, after parsing.
 */
void
tls_domain_inherit(struct tls_domain *td)
{
	const struct tls_domain *def;

	if ((td->type & TLS_DOMAIN_DEF)
	    || (def = tls_domain_default(td->type & (TLS_DOMAIN_SRV
		| TLS_DOMAIN_CLI))) == NULL)
		return;
	if (td->min_version == 0) {
		td->min_version = def->min_version;
		td->max_version = def->max_version;
	}
	if (td->verify_cert == -1)
		td->verify_cert = def->verify_cert;
	if (td->require_cert == -1)
		td->require_cert = def->require_cert;
	if (td->verify_depth == -1)
		td->verify_depth = def->verify_depth;
	if (inherit_str(&td->certificate, def->certificate) == -1
	    || inherit_str(&td->private_key, def->private_key) == -1
	    || inherit_str(&td->ca_list, def->ca_list) == -1
	    || inherit_str(&td->ca_dir, def->ca_dir) == -1
	    || inherit_str(&td->ciphers_list, def->ciphers_list) == -1
	    || inherit_str(&td->ciphersuites, def->ciphersuites) == -1) {
		/* config time: same policy as the parser */
		(void)fputs("out of memory while setting up TLS domains\n",
		    stderr);
		exit(1);
	}
}

/*
 * The SSL_CTX_set_verify() mode of <td> (reference 3.3): a server domain
 * verifies when tls_verify_client is on, and then fails a peer without a
 * certificate when tls_require_client_certificate is on too; a client
 * domain verifies when tls_verify_server is on.
 */
int
tls_domain_verify_mode(const struct tls_domain *td)
{
	if (td->verify_cert != 1)
		return SSL_VERIFY_NONE;
	if ((td->type & TLS_DOMAIN_SRV) && td->require_cert == 1)
		return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	return SSL_VERIFY_PEER;
}

/* ---- building the context ------------------------------------------------ */

/* Log "tls: <label>: <what>: <OpenSSL reasons>[hint]" and drain the queue. */
static void
log_ssl(const char *label, const char *what)
{
	char why[768];

	if (tls_error_string(why, (int)sizeof(why)) == 0)
		(void)snprintf(why, sizeof(why), "no OpenSSL reason given");
	LM_ERR("tls: %s: %s: %s%s", label, what, why,
	    strstr(why, "too small") != NULL || strstr(why, "too weak") != NULL
		? HINT_SECLEVEL : "");
}

/* A file we must read: say clearly when it is missing or unreadable. */
static int
readable(const char *label, const char *param, const char *file)
{
	if (access(file, R_OK) == 0)
		return 0;
	LM_ERR("tls: %s: %s %s: %s", label, param, file, strerror(errno));
	return -1;
}

static int
ctx_versions(SSL_CTX *ctx, const struct tls_domain *td, const char *label)
{
	if (SSL_CTX_set_min_proto_version(ctx, td->min_version) != 1
	    || SSL_CTX_set_max_proto_version(ctx, td->max_version) != 1) {
		log_ssl(label, "cannot set the tls_method version range");
		return -1;
	}
	if (td->min_version < TLS1_2_VERSION) {
		/* OpenSSL 3 refuses TLS 1.0/1.1 above security level 0 */
		SSL_CTX_set_security_level(ctx, 0);
		LM_WARN("tls: %s: tls_method allows %s, which is INSECURE "
		    "(RFC 8996): OpenSSL's security level is lowered to 0 for "
		    "this domain, so weak keys and SHA-1 are accepted too; "
		    "use SSLv23 or TLSv1_2 unless a legacy peer needs it",
		    label, tls_version_name(td->min_version));
	}
	return 0;
}

/*
 * TLS 1.2 (and below) suites when tls_ciphers_list is unset: forward
 * secrecy (ECDHE) and AEAD encryption only, no CBC suite (LUCKY13 and
 * its kin).  TLS 1.3 suites are not affected (tls_ciphersuites).
 */
#define TLS_DEFAULT_CIPHERS_LIST "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL"

static int
ctx_ciphers(SSL_CTX *ctx, const struct tls_domain *td, const char *label)
{
	const char *list = opt(td->ciphers_list) != NULL ? td->ciphers_list
							  : TLS_DEFAULT_CIPHERS_LIST;
	char what[600];

	if (SSL_CTX_set_cipher_list(ctx, list) != 1) {
		(void)snprintf(what, sizeof(what), "tls_ciphers_list \"%s\" "
		    "selects no usable cipher", list);
		log_ssl(label, what);
		return -1;
	}
	if (opt(td->ciphersuites) != NULL
	    && SSL_CTX_set_ciphersuites(ctx, td->ciphersuites) != 1) {
		(void)snprintf(what, sizeof(what), "tls_ciphersuites \"%s\" "
		    "is not a list of TLS 1.3 ciphersuites", td->ciphersuites);
		log_ssl(label, what);
		return -1;
	}
	return 0;
}

/* Server domains send the CA names as the acceptable client issuers. */
static int
ctx_client_ca_names(SSL_CTX *ctx, const char *ca, const char *dir,
    const char *label)
{
	STACK_OF(X509_NAME) *names;
	char what[600];

	names = ca != NULL ? SSL_load_client_CA_file(ca)
			   : sk_X509_NAME_new_null();
	if (names == NULL) {
		(void)snprintf(what, sizeof(what), "cannot read the CA names "
		    "of tls_ca_list %s", ca != NULL ? ca : "");
		log_ssl(label, what);
		return -1;
	}
	/* a hashed directory also holds links and CRLs: best effort */
	if (dir != NULL && SSL_add_dir_cert_subjects_to_stack(names, dir) != 1)
		tls_clear_errors();
	SSL_CTX_set_client_CA_list(ctx, names);
	return 0;
}

static int
ctx_verify(SSL_CTX *ctx, const struct tls_domain *td, const char *label)
{
	const char *ca = opt(td->ca_list), *dir = opt(td->ca_dir);
	int mode = tls_domain_verify_mode(td);
	char what[1200];

	if (mode != SSL_VERIFY_NONE && ca == NULL && dir == NULL) {
		LM_ERR("tls: %s: %s is on but no CA is configured to verify "
		    "peers with; set tls_ca_list (or tls_ca_dir), or set %s = 0",
		    label, (td->type & TLS_DOMAIN_SRV) ? "tls_verify_client"
						       : "tls_verify_server",
		    (td->type & TLS_DOMAIN_SRV) ? "tls_verify_client"
						: "tls_verify_server");
		return -1;
	}
	if (ca != NULL && readable(label, "tls_ca_list", ca) == -1)
		return -1;
	if (ca != NULL || dir != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, ca, dir) != 1) {
			(void)snprintf(what, sizeof(what), "cannot load the CA "
			    "certificates of %s%s%s%s", ca != NULL ? "tls_ca_list "
			    : "", ca != NULL ? ca : "", dir != NULL
			    ? " tls_ca_dir " : "", dir != NULL ? dir : "");
			log_ssl(label, what);
			return -1;
		}
		if ((td->type & TLS_DOMAIN_SRV)
		    && ctx_client_ca_names(ctx, ca, dir, label) == -1)
			return -1;
	}
	SSL_CTX_set_verify(ctx, mode, NULL);
	SSL_CTX_set_verify_depth(ctx, td->verify_depth);
	return 0;
}

/*
 * Refuse a private key others could read (OpenBSD smtpd's secrecy check):
 * it must be a regular file owned by the user we run as, with no access
 * for others and none for its group, except that when running as root a
 * root-owned key may be group-readable (the usual root:ssl-cert 0640).
 */
static int
key_secrecy(const char *label, const char *file)
{
	uid_t me = geteuid();
	struct stat st;

	if (stat(file, &st) == -1) {
		LM_ERR("tls: %s: tls_private_key %s: %s", label, file,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		LM_ERR("tls: %s: tls_private_key %s is not a regular file",
		    label, file);
		return -1;
	}
	if (st.st_uid != me) {
		LM_ERR("tls: %s: private key %s is owned by uid %u, not by uid "
		    "%u that openser runs as; refusing it (chown it to that "
		    "user and chmod 600 it)", label, file, (unsigned)st.st_uid,
		    (unsigned)me);
		return -1;
	}
	if ((st.st_mode & S_IRWXO)
	    || ((st.st_mode & S_IRWXG) && !(me == 0 && st.st_uid == 0))) {
		LM_ERR("tls: %s: private key %s is accessible by %s (mode "
		    "%03o); refusing it (chmod 600 it)", label, file,
		    (st.st_mode & S_IRWXO) ? "other users" : "its group",
		    (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

/* Read one line from the terminal with echo off into <buf>; its length,
 * or -1.  The caller cleanses <buf>. */
static int
tty_read_line(const char *prompt, char *buf, int size)
{
	struct termios old, noecho;
	int fd, n = 0, echo_off;
	char c;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	echo_off = tcgetattr(fd, &old) == 0;
	if (echo_off) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		(void)tcsetattr(fd, TCSAFLUSH, &noecho);
	}
	if (write(fd, prompt, strlen(prompt)) == -1)
		n = -1;
	while (n >= 0 && read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
		if (n < size - 1)
			buf[n++] = c;
	if (echo_off)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) == -1)
		n = -1;
	(void)close(fd);
	c = 0;
	return n;
}

/* OpenSSL's pem_password_cb for encrypted private keys. */
static int
pass_cb(char *buf, int size, int rwflag, void *userdata)
{
	struct tls_pass *tp = userdata;
	char line[1024], prompt[1200];
	int n;

	tp->asked = 1;
	if (!isatty(STDIN_FILENO)) {
		tp->no_tty = 1;
		return -1;
	}
	(void)snprintf(prompt, sizeof(prompt), "Passphrase for TLS private "
	    "key %s (%d tr%s left): ", tp->file, tp->tries_left,
	    tp->tries_left == 1 ? "y" : "ies");
	n = tty_read_line(prompt, line, (int)sizeof(line));
	if (n < 0 || n >= size)
		n = -1;
	else
		memcpy(buf, line, (size_t)n);
	OPENSSL_cleanse(line, sizeof(line));
	return n;
}

static int
ctx_private_key(SSL_CTX *ctx, const char *key, const char *label)
{
	struct tls_pass tp;
	char what[600];
	int tries, rc = -1;

	SSL_CTX_set_default_passwd_cb(ctx, pass_cb);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, &tp);
	for (tries = PASS_TRIES; tries > 0; tries--) {
		memset(&tp, 0, sizeof(tp));
		tp.file = key;
		tp.tries_left = tries;
		tls_clear_errors();
		if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM)
		    == 1) {
			rc = 0;
			break;
		}
		if (tp.no_tty) {
			tls_clear_errors();
			LM_ERR("tls: %s: private key %s is encrypted and there "
			    "is no terminal to ask for its passphrase", label,
			    key);
			break;
		}
		(void)snprintf(what, sizeof(what), tp.asked
		    ? "cannot decrypt private key %s (wrong passphrase?)"
		    : "cannot use private key %s", key);
		log_ssl(label, what);
		if (!tp.asked)
			break;
	}
	/* <tp> is on this stack */
	SSL_CTX_set_default_passwd_cb(ctx, NULL);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
	return rc;
}

static int
ctx_keypair(SSL_CTX *ctx, const struct tls_domain *td, const char *label)
{
	const char *cert = opt(td->certificate), *key = opt(td->private_key);
	char what[600];

	if (cert == NULL) {
		if (key == NULL)
			return 0;
		LM_ERR("tls: %s: tls_private_key %s is set but "
		    "tls_certificate is not; set both", label, key);
		return -1;
	}
	if (key == NULL)
		key = cert;	/* 1.x: both default to one file */
	if (readable(label, "tls_certificate", cert) == -1)
		return -1;
	tls_clear_errors();
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		(void)snprintf(what, sizeof(what), "cannot use certificate %s",
		    cert);
		log_ssl(label, what);
		return -1;
	}
	if (key_secrecy(label, key) == -1
	    || ctx_private_key(ctx, key, label) == -1)
		return -1;
	if (SSL_CTX_check_private_key(ctx) != 1) {
		(void)snprintf(what, sizeof(what), "private key %s does not "
		    "match certificate %s", key, cert);
		log_ssl(label, what);
		return -1;
	}
	return 0;
}

/*
 * Build the SSL_CTX of <td> (inheritance already applied): version range,
 * options and modes, ciphers, verification and CA list, session cache
 * (servers), certificate chain and private key.  Runs in the attendant
 * before fork, so every worker inherits a ready context.  Returns 0, or
 * -1 after logging why (naming the domain, the file and OpenSSL's
 * reason); on failure <td> is left without a context.
 */
int
tls_domain_load(struct tls_domain *td)
{
	unsigned char sid[SSL_MAX_SID_CTX_LENGTH];
	int srv = (td->type & TLS_DOMAIN_SRV) != 0, n;
	char label[LABEL_LEN];
	SSL_CTX *ctx;

	(void)dlabel(td, label, sizeof(label));
	tls_clear_errors();
	if ((ctx = SSL_CTX_new(srv ? TLS_server_method()
				   : TLS_client_method())) == NULL) {
		log_ssl(label, "cannot create the SSL context");
		return -1;
	}
	(void)SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION
	    | SSL_OP_CIPHER_SERVER_PREFERENCE);
	(void)SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS
	    | SSL_MODE_ENABLE_PARTIAL_WRITE
	    | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (ctx_versions(ctx, td, label) == -1
	    || ctx_ciphers(ctx, td, label) == -1
	    || ctx_verify(ctx, td, label) == -1
	    || ctx_keypair(ctx, td, label) == -1)
		goto fail;
	if (srv) {
		/* resumed sessions stay within the domain that made them */
		n = snprintf((char *)sid, sizeof(sid), "openser-%d-%s",
		    td->index, td->name);
		if (n < 0 || n >= (int)sizeof(sid))
			n = (int)sizeof(sid) - 1;
		if (SSL_CTX_set_session_id_context(ctx, sid, (unsigned)n)
		    != 1) {
			log_ssl(label, "cannot set the session id context");
			goto fail;
		}
	}
	td->ctx = ctx;
	LM_INFO("tls: %s: ready (%s..%s, certificate %s, verify %s)", label,
	    tls_version_name(td->min_version), tls_version_name(td->max_version),
	    opt(td->certificate) != NULL ? td->certificate : "none",
	    td->verify_cert != 1 ? "off" : opt(td->ca_list) != NULL
	    ? td->ca_list : td->ca_dir);
	return 0;
fail:
	SSL_CTX_free(ctx);
	return -1;
}

/* ---- init: listeners, inheritance, contexts ------------------------------ */

static void
sock_free(struct socket_info *si)
{
	if (si->fd != -1)
		(void)close(si->fd);
	free(si->address_str.s);
	free(si->name.s);
	free(si->port_no_str.s);
	free(si->sock_str.s);
	free(si);
}

/* disable_tls = 1: say which listeners are ignored and drop them. */
static void
drop_tls_listeners(void)
{
	struct socket_info **pp = &sock_list, *si;
	char list[1024];
	size_t len = 0;

	list[0] = '\0';
	while ((si = *pp) != NULL) {
		if (si->proto != PROTO_TLS) {
			pp = &si->next;
			continue;
		}
		if (len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len,
			    "%s%s", len > 0 ? ", " : "", si->sock_str.s);
		*pp = si->next;
		sock_free(si);
	}
	if (len > 0)
		LM_NOTICE("tls: disable_tls = 1: ignoring the TLS listener(s) "
		    "%s", list);
}

static int
tls_listeners(void)
{
	struct socket_info *si;
	int n = 0;

	for (si = sock_list; si != NULL; si = si->next)
		n += si->proto == PROTO_TLS;
	return n;
}

/* 1 when some TLS listener selects <td> (exactly, or as the default). */
static int
server_domain_used(const struct tls_domain *td)
{
	struct socket_info *si;

	for (si = sock_list; si != NULL; si = si->next)
		if (si->proto == PROTO_TLS
		    && tls_domain_find_server(&si->address, si->port_no) == td)
			return 1;
	return 0;
}

/* Server domains are built only when a listener can use them. */
static int
load_server(struct tls_domain *td, int listeners)
{
	char label[LABEL_LEN];

	(void)dlabel(td, label, sizeof(label));
	if (listeners == 0)
		return 0;
	if (!server_domain_used(td)) {
		if (td->type & TLS_DOMAIN_DEF) {
			if (opt(td->certificate) == NULL)
				return 0;	/* every listener has its own */
		} else {
			LM_WARN("tls: %s: no listen = tls:%s line; the domain "
			    "is never used", label, td->name);
		}
	}
	if (opt(td->certificate) == NULL) {
		LM_ERR("tls: %s: no certificate; set tls_certificate and "
		    "tls_private_key", label);
		return -1;
	}
	return tls_domain_load(td);
}

/*
 * After the config is checked (attendant, before fork; not with -c):
 * decide whether TLS is on (disable_tls = 1 drops the TLS listeners with
 * a notice; unset, a TLS listener turns it on), apply inheritance, then
 * build every context that can be used.  Sets tls_disable to 0 or 1.
 * Reports every failing domain; returns 0, or -1 when one failed.
 */
int
tls_domains_init(void)
{
	struct tls_domain *td;
	int listeners, errors = 0;

	if (tls_disable == 1) {
		drop_tls_listeners();
		return 0;
	}
	listeners = tls_listeners();
	if (tls_disable == -1)
		tls_disable = listeners > 0 ? 0 : 1;
	if (tls_disable == 1) {
		for (td = domains; td != NULL; td = td->next)
			if (!(td->type & TLS_DOMAIN_DEF)) {
				LM_NOTICE("tls: no listen = tls: line and "
				    "disable_tls is not set, so TLS is off and "
				    "the TLS domains are unused; set "
				    "disable_tls = 0 for outbound TLS only");
				break;
			}
		return 0;
	}
	for (td = domains; td != NULL; td = td->next)
		tls_domain_inherit(td);
	for (td = domains; td != NULL; td = td->next) {
		if (td->type & TLS_DOMAIN_SRV) {
			if (load_server(td, listeners) == -1)
				errors++;
		} else if (tls_domain_load(td) == -1) {
			errors++;
		}
	}
	return errors > 0 ? -1 : 0;
}

/* ---- lookups (tcp workers: no logging) ----------------------------------- */

/*
 * The server domain for a connection accepted on local <ip>:<port>: the
 * tls_server_domain with exactly that address, else the default server
 * domain.  NULL only before tls_domain_defaults_init().
 */
struct tls_domain *
tls_domain_find_server(const struct ip_addr *ip, unsigned short port)
{
	struct tls_domain *td;

	for (td = domains; td != NULL; td = td->next)
		if ((td->type & (TLS_DOMAIN_SRV | TLS_DOMAIN_DEF))
			== TLS_DOMAIN_SRV
		    && td->port == port && ip_addr_eq(&td->addr, ip))
			return td;
	return tls_domain_default(TLS_DOMAIN_SRV);
}

/*
 * The client domain for a connection to <dst>: the tls_client_domain
 * [ip:port] with exactly that address (name-based ones are not looked
 * at), else the default client domain.
 */
struct tls_domain *
tls_domain_find_client(const union sockaddr_union *dst)
{
	struct tls_domain *td;
	unsigned short port = su_port(dst);
	struct ip_addr ip;

	su_to_ip(dst, &ip);
	for (td = domains; td != NULL; td = td->next)
		if ((td->type & (TLS_DOMAIN_CLI | TLS_DOMAIN_DEF
		    | TLS_DOMAIN_NAME)) == TLS_DOMAIN_CLI
		    && td->port == port && ip_addr_eq(&td->addr, &ip))
			return td;
	return tls_domain_default(TLS_DOMAIN_CLI);
}

/* The name-based client domain called <name> (any case), or NULL. */
struct tls_domain *
tls_domain_find_client_name(const str *name)
{
	struct tls_domain *td;

	for (td = domains; td != NULL; td = td->next)
		if ((td->type & TLS_DOMAIN_NAME)
		    && (int)strlen(td->name) == name->len
		    && strncasecmp(td->name, name->s, (size_t)name->len) == 0)
			return td;
	return NULL;
}

/* The domain with <index> (what a connection records), or NULL. */
struct tls_domain *
tls_domain_by_index(int index)
{
	struct tls_domain *td;

	for (td = domains; td != NULL; td = td->next)
		if (td->index == index)
			return td;
	return NULL;
}

/* Every domain, defaults first, then config order. */
struct tls_domain *
tls_domain_list(void)
{
	return domains;
}

/* ---- teardown ------------------------------------------------------------ */

static void
domain_free(struct tls_domain *td)
{
	SSL_CTX_free(td->ctx);
	free(td->name);
	free(td->certificate);
	free(td->private_key);
	free(td->ca_list);
	free(td->ca_dir);
	free(td->ciphers_list);
	free(td->ciphersuites);
	free(td);
}

/* Free every domain and its context (attendant at exit; tests). */
void
tls_domains_destroy(void)
{
	struct tls_domain *td, *next;

	for (td = domains; td != NULL; td = next) {
		next = td->next;
		domain_free(td);
	}
	domains = NULL;
	domains_tail = &domains;
	next_index = 0;
}
