#!/bin/sh
# Install what building and testing openser needs on Debian.  Runs as
# root; a normal user with sudo is asked for the password once.
set -e
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo "$0" "$@"
	fi
	echo "install-deps.sh: run it as root (apt-get needs it)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
need=""
for p in build-essential bison flex libssl-dev openssl python3 sip-tester clang \
    libsqlite3-dev sqlite3 libmariadb-dev mariadb-server mariadb-client \
    iproute2 procps; do
	dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $need
fi
echo "install-deps.sh: all build and test dependencies are installed"
