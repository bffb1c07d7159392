"""Turn pytest's junit report into the suite's verdict: skipped or missing tests fail too.

Odoo skips browser tours silently when Chromium or websocket-client is missing, and
pytest exits 0 on skips, so CI would go green having run no tour.
"""

import sys
import xml.etree.ElementTree as ET


def main(path, pytest_status):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    passed = total - failed - skipped
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if skipped:
        for case in root.iter("testcase"):
            skip = case.find("skipped")
            if skip is not None:
                print(f"SKIPPED (counts as failure): {case.get('classname')}.{case.get('name')}: {skip.get('message')}")
    if total == 0:
        print("No test ran: that is a failure.")
    return 1 if (pytest_status or failed or skipped or total == 0) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
