#!/bin/sh
# Run each unit test binary given, print its TAP, fail if any fails.
fail=0
for t in "$@"; do
	echo "# $t"
	if ! timeout 60 "$t"; then
		echo "FAIL: $t"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "unit tests: all passed"
exit $fail
