"""Generated requests to the household routes: whatever a client sends, never a 5xx."""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from tests.households.people import as_csv, as_xlsx
from tests.web.helpers import POSTGRES_ONLY
from tests.web.test_fuzz import FUZZ, _check, anything, ids, numbers, odd_text

pytestmark = POSTGRES_ONLY


def test_registering_households_never_fails_with_a_server_error(client, town, login):
    leader = login("leader")
    bodies = st.fixed_dictionaries({}, optional={
        "number": st.sampled_from(["QS01-0001", "A"]) | odd_text, "head_name": odd_text,
        "id_number": st.sampled_from(["11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", "٣" * 18]) | odd_text,
        "phone": st.sampled_from(["13812345678", "0731-12345678", "+86", "²" * 11]) | odd_text,
        "village_id": ids(*town.units.values()), "officer_id": ids(*town.units.values()),
        "size": numbers | anything, "category": st.sampled_from(["lifted", "脱贫户"]) | anything, "extra": anything})

    @FUZZ
    @given(body=bodies)
    def run(body):
        _check(client.post("/api/v1/households", data=json.dumps(body, allow_nan=True).encode(),
                           content_type="application/json", headers=leader))

    run()


def test_listing_and_reading_households_never_fails_with_a_server_error(client, town, login):
    leader = login("leader")
    keys = st.sampled_from(["unit_id", "category", "number", "q", "id_number", "phone", "limit", "cursor", "full"])
    values = st.one_of(odd_text, numbers.map(str), st.sampled_from(["11010519491231002X", "13812345678", "1"]))

    @FUZZ
    @given(query=st.dictionaries(keys | odd_text, values, max_size=4), one=st.booleans())
    def run(query, one):
        url = "/api/v1/households/1" if one else "/api/v1/households"
        response = client.get(url, headers=leader,
                              environ_overrides={"QUERY_STRING": urlencode(query, errors="surrogatepass")})
        _check(response)

    run()


def test_any_file_as_a_register_never_fails_with_a_server_error(client, town, login):
    leader = login("leader")
    cells = st.one_of(odd_text, numbers.map(str), st.sampled_from(["青山村", "T-V1", "脱贫户", "=1+1", "3"]))
    rows = st.lists(st.fixed_dictionaries({h: cells for h in ("户编号", "户主姓名", "身份证号", "联系电话", "村(社区)",
                                                              "家庭人口", "户类别", "帮扶责任人")}), max_size=4)

    def safe(rows):
        # What a spreadsheet can hold: no lone surrogates, no control characters in XML.
        return [{k: "".join(ch for ch in v if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF)
                 for k, v in row.items()} for row in rows]

    files = st.one_of(st.binary(max_size=300), rows.map(lambda r: as_csv(safe(r))),
                      rows.map(lambda r: as_csv(safe(r), encoding="gb18030")), rows.map(lambda r: as_xlsx(safe(r))),
                      st.builds(lambda r, n: as_xlsx(safe(r))[:n], rows, st.integers(0, 2000)))

    @FUZZ
    @given(data=files, commit=st.sampled_from(["true", "false", "", "maybe"]))
    def run(data, commit):
        _check(client.post("/api/v1/imports/households", headers=leader, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "花名册"), "commit": commit}))

    run()
