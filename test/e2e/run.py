#!/usr/bin/env python3
"""Run the openser end-to-end tests.

    python3 test/e2e/run.py --binary build/asan/openser \
        --modules build/asan/modules [-k pattern] [-x] [files...]

Finds test/e2e/*_test.py and modules/*/test/*_test.py (or the files given),
runs them with unittest at verbosity 2, prints a summary and exits non-zero
on any failure or error.  The binary and module directory reach the harness
as OPENSER_BIN and OPENSER_MODULES; the daemon gets ASAN_OPTIONS and
UBSAN_OPTIONS suited to tests.
"""

import argparse
import glob
import importlib.util
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))


def discover():
    files = sorted(glob.glob(os.path.join(HERE, "*_test.py")))
    files += sorted(glob.glob(os.path.join(ROOT, "modules", "*", "test",
                                           "*_test.py")))
    return files


def load(path, loader):
    rel = os.path.relpath(path, ROOT)
    name = rel[:-3].replace(os.sep, ".").replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return loader.loadTestsFromModule(mod)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "asan",
                                                     "openser"))
    ap.add_argument("--modules", default=None,
                    help="module directory (default: modules/ next to the "
                    "binary)")
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    help="only tests whose id contains this (fnmatch) "
                    "pattern; may be repeated")
    ap.add_argument("-x", "--failfast", action="store_true")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()

    binary = os.path.abspath(a.binary)
    modules = os.path.abspath(a.modules or os.path.join(
        os.path.dirname(binary), "modules"))
    os.environ["OPENSER_BIN"] = binary
    os.environ["OPENSER_MODULES"] = modules
    os.environ["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=0"
    os.environ["UBSAN_OPTIONS"] = "print_stacktrace=1"
    if not os.path.exists(binary):
        print("warning: %s does not exist; tests that start the daemon "
              "will fail" % binary, file=sys.stderr)

    loader = unittest.TestLoader()
    if a.patterns:
        loader.testNamePatterns = [p if "*" in p else "*%s*" % p
                                   for p in a.patterns]
    suite = unittest.TestSuite()
    files = [os.path.abspath(f) for f in a.files] or discover()
    load_errors = []
    for f in files:
        try:
            suite.addTests(load(f, loader))
        except Exception as e:          # a broken test file is a failure
            load_errors.append("%s: %r" % (os.path.relpath(f, ROOT), e))
    t0 = time.monotonic()
    runner = unittest.TextTestRunner(verbosity=1 if a.quiet else 2,
                                     failfast=a.failfast, stream=sys.stdout)
    res = runner.run(suite)
    dt = time.monotonic() - t0

    print("\n==== openser e2e summary (%.1fs) ====" % dt)
    print("binary:  %s" % binary)
    print("modules: %s" % modules)
    passed = (res.testsRun - len(res.failures) - len(res.errors)
              - len(res.skipped) - len(res.unexpectedSuccesses))
    print("run %d, passed %d, failed %d, errors %d, skipped %d"
          % (res.testsRun, passed, len(res.failures), len(res.errors),
             len(res.skipped)))
    for t, _ in res.failures:
        print("FAIL:  %s" % t.id())
    for t, _ in res.errors:
        print("ERROR: %s" % t.id())
    for t, why in res.skipped:
        print("skip:  %s (%s)" % (t.id(), why))
    for e in load_errors:
        print("LOAD ERROR: %s" % e)
    ok = res.wasSuccessful() and not load_errors
    print("RESULT: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
