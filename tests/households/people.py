"""Registers as townships keep them, made up for tests: realistic names, ID numbers whose check
digits are right, mobiles and landlines, 13 villages, 406 households and 1,403 people."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

import xlsxwriter

from casework.demo import VILLAGES
from casework.households.checks import check_character

HEADERS = ("户编号", "户主姓名", "身份证号", "联系电话", "村(社区)", "家庭人口", "户类别", "帮扶责任人")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万覃戴莫向汤"
GIVEN = ["建国", "秀英", "桂兰", "德明", "志强", "春梅", "玉珍", "福生", "海燕", "国庆", "红梅", "永贵", "金花", "长生",
         "淑芬", "光明", "翠兰", "树林", "凤英", "文华", "小平", "水生", "满仓", "冬梅", "立新", "桂香", "富贵", "菊英",
         "伟", "芳", "军", "敏", "勇", "静", "磊", "娟", "涛", "霞"]
CATEGORIES = ["脱贫户", "脱贫户", "脱贫户", "监测户", "低保户", "五保户", "残疾户", "一般户"]
REGIONS = ["430124", "430181", "431021", "433127", "430721", "431224"]
HOUSEHOLDS, PEOPLE = 406, 1403


def id_number(rng: random.Random, region: str | None = None, born: date | None = None) -> str:
    """A valid 18-character ID number (its check character computed)."""
    region = region or rng.choice(REGIONS)
    born = born or date(1935, 1, 1) + timedelta(days=rng.randrange(365 * 65))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_character(first17)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def sizes(rng: random.Random, count: int = HOUSEHOLDS, total: int = PEOPLE) -> list[int]:
    """`count` household sizes from 1 to 7 that add up to `total`."""
    made = [rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 6]) for _ in range(count)]
    while sum(made) != total:
        i = rng.randrange(count)
        if sum(made) < total and made[i] < 7:
            made[i] += 1
        elif sum(made) > total and made[i] > 1:
            made[i] -= 1
    return made


def township_register(seed: int = 2026, *, village_codes: dict[str, str] | None = None,
                      officer: str | None = None) -> list[dict[str, str]]:
    """The 406 households of the sample plan's 13 villages. Villages are named by name, or by code
    for those in `village_codes` (name → code) on every other row; the first village's households
    name `officer` as their assistance officer."""
    rng = random.Random(seed)
    rows, seen = [], set()
    for n, size in enumerate(sizes(rng)):
        village_index = n * len(VILLAGES) // HOUSEHOLDS
        village = VILLAGES[village_index]
        while (number := id_number(rng)) in seen:
            pass
        seen.add(number)
        roll = rng.random()
        phone = "" if roll < 0.08 else f"0731-8{rng.randrange(10**7):07d}" if roll < 0.18 else mobile(rng)
        by = (village_codes or {}).get(village) if n % 2 else None
        rows.append({"户编号": f"QS{village_index + 1:02d}-{n + 1:04d}", "户主姓名": name(rng), "身份证号": number,
                     "联系电话": phone, "村(社区)": by or village, "家庭人口": str(size),
                     "户类别": rng.choice(CATEGORIES), "帮扶责任人": officer if village_index == 0 and officer else ""})
    return rows


def as_csv(rows: list[dict[str, str]], *, encoding: str = "utf-8", headers=HEADERS) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)


def as_xlsx(rows: list[dict[str, str]], *, headers=HEADERS, title: str | None = None) -> bytes:
    """A workbook as people make them: every cell text, optionally a title row above the headers."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("花名册")
    top = 0
    if title:
        sheet.write_string(0, 0, title)
        top = 1
    for column, header in enumerate(headers):
        sheet.write_string(top, column, header)
    for r, row in enumerate(rows, start=top + 1):
        for column, header in enumerate(headers):
            if row.get(header):
                value = row[header]
                if header == "家庭人口" and value.isdigit():
                    sheet.write_number(r, column, int(value))
                else:
                    sheet.write_string(r, column, value)
    book.close()
    return out.getvalue()
