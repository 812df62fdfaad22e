"""Every limit and pattern the domain, the schemas and the web share, named once.

A leaf module: the workflow engine, the schemas and the services import it, never the reverse.
"""

from __future__ import annotations

import re
from datetime import date

# Ids are PostgreSQL INTEGERs: anything bigger is a typing slip, never a row.
MAX_ID = 2**31 - 1

# Stable English keys of workflows, states and events (they become attribute names of a machine).
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
KEY = re.compile(KEY_PATTERN)
# A campaign's code prefixes its case numbers: QS → QS-2026-0042.
CAMPAIGN_CODE_PATTERN = r"^[A-Z][A-Z0-9]{0,15}$"
CAMPAIGN_CODE = re.compile(CAMPAIGN_CODE_PATTERN)
# Unit codes are what files and imports refer to (ids differ between installs).
UNIT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
# A mainland mobile number: households' phones, and officials' mobiles that group robots @mention.
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")

# Text lengths, as people write them (the columns are sized to match).
TITLE_MAX = 300
DESCRIPTION_MAX = 20000
VILLAGE_MAX = 100
CATEGORY_MAX = 100
SOURCE_MAX = 32
REASON_MAX = 2000
NAME_MAX = 200
DISPLAY_NAME_MAX = 100
SEARCH_MAX = 100
PARTY_MAX = 100
PARTIES_MAX = 50

# Campaign dates and deadlines: anything outside is a typing slip, not a plan.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)

# Pages of lists.
DEFAULT_PAGE = 50
MAX_PAGE = 200
CURSOR_MAX = 1000

# A unit tree deeper than this is a mistake (镇 → 站/办 → 村 → 工作队 → 个人 is five levels), and the
# materialised path column would overflow long before anything useful came of it.
MAX_UNIT_DEPTH = 16
