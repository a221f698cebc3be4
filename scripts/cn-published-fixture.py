#!/usr/bin/env python3
"""Writes crates/shenpi-core/tests/data/chinesecalendar-1.11.0.txt: every day the
`chinesecalendar` package (PyPI, 1.11.0) lists as off or worked, 2004 to 2026.

    python3 -m venv /tmp/cc && /tmp/cc/bin/pip install chinesecalendar==1.11.0
    /tmp/cc/bin/python scripts/cn-published-fixture.py > crates/shenpi-core/tests/data/chinesecalendar-1.11.0.txt

crates/shenpi-core/tests/cn_published.rs compares the built-in `cn` calendar
with it day by day. The fixture is the package's data as published, errors
included: the test names the days where the State Council's notice says
otherwise.
"""
import datetime

import chinese_calendar
from chinese_calendar import constants

assert chinese_calendar.__version__ == "1.11.0", chinese_calendar.__version__

FIRST, LAST = datetime.date(2004, 1, 1), datetime.date(2026, 12, 31)
print("# Days off and weekend days worked in mainland China, 2004-2026, as the")
print("# `chinesecalendar` package 1.11.0 lists them (scripts/cn-published-fixture.py).")
print("# A day not listed is off on Saturday and Sunday and worked otherwise.")
days = [(d, "off") for d in constants.holidays] + [(d, "work") for d in constants.workdays]
for d, kind in sorted(days):
    if FIRST <= d <= LAST:
        print(f"{d.isoformat()} {kind}")
