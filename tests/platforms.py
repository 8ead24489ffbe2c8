"""Deterministic builders of small, realistic survey-platform exports.

Each builder takes a directory, writes one export in its platform's layout (see
``shared/reference/export_formats.md``) and returns :class:`Built`: the path and the number
of respondents (records) the file holds.  Every export carries a single-choice, a
multiple-choice (in the platform's own way), a numeric, a date or timestamp and a free-text
question, an id where the platform has one, and the quirks real files have: NBSP, double
and trailing spaces, duplicate column names, 10-digit ids, leading-zero codes, blank
trailing rows.

>>> from tests.platforms import BUILDERS
>>> built = BUILDERS["google_forms_csv"](tmp_path)  # doctest: +SKIP
>>> built.respondents  # doctest: +SKIP
24
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

__all__ = ["BUILDERS", "Built"]

N = 24
NBSP = "\u00a0"
DIVISIONS = ["Natural Sciences", "Engineering", "Medicine & Pharmacy", "Agriculture & Fisheries",
             "Policy Research"]
COUNTRIES = ["China", "United States", "Hong Kong", "Singapore", "Europe (EU, EEA)"]
COMMENTS = [
    "Funding cycles are too short for basic research.",
    "I would value more autonomy in choosing my topics.",
    f"Seniority-based pay discourages{NBSP}young researchers.",
    "No comment  ",
    "The evaluation system should look at 5-year outputs, not 1-year.",
    "Please contact me at jkim@example.ac.kr for follow-up.",
    "Infrastructure has improved a lot since 2020.",
    "더 많은 국제 협력이 필요합니다.",
]


class Built(NamedTuple):
    """What a builder wrote: the export's path and how many respondents it holds."""

    path: Path
    respondents: int


def _rng(name: str) -> random.Random:
    return random.Random(f"survey-platform-{name}")


def _subset(rng: random.Random, options: list[str], *, allow_empty: bool = True) -> list[str]:
    """A random subset in option order; each option also appears alone somewhere via callers."""
    picked = [o for o in options if rng.random() < 0.35]
    if not picked and not allow_empty:
        picked = [rng.choice(options)]
    return picked


def _singletons(i: int, options: list[str]) -> list[str] | None:
    """Rows 0..k-1 pick exactly one option each, so every option is seen alone once."""
    return [options[i]] if i < len(options) else None


def _times(rng: random.Random, start: dt.datetime) -> list[dt.datetime]:
    out, t = [], start
    for _ in range(N):
        t += dt.timedelta(minutes=rng.randint(3, 600), seconds=rng.randint(0, 59))
        out.append(t)
    return out


def _write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8",
               quoting: int = csv.QUOTE_MINIMAL, lineterminator: str = "\r\n",
               final_newline: bool = True, trailing_blank: bool = False) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=quoting, lineterminator=lineterminator)
    writer.writerows(rows)
    text = buf.getvalue()
    if not final_newline:
        text = text.removesuffix(lineterminator)
    if trailing_blank:
        text += lineterminator
    path.write_bytes(text.encode(encoding))


# --------------------------------------------------------------------------- SurveyMonkey


def surveymonkey_xlsx(tmp: Path) -> Built:
    """Two header rows, question text merged over each block, checkbox columns hold labels."""
    import xlsxwriter

    rng = _rng("surveymonkey")
    path = Path(tmp) / "surveymonkey_export.xlsx"
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
            "Email Address", "First Name", "Last Name", "Custom Data 1"]
    q_div = "What is your division?"
    q_cty = f"Which countries have made you a job{NBSP}offer in the last five years?"
    cty_opts = ["China", "United States  ", "Hong Kong", "Singapore", "Option A  with two spaces"]
    q_years = "How many years have you worked at your current institution?"
    q_join = "When did you join the academy?"
    q_comm = "Any other comments on research careers?"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet")
    merge = wb.add_format({"align": "center"})
    datefmt = wb.add_format({"num_format": "mm/dd/yyyy hh:mm:ss"})
    blankfmt = wb.add_format({"bg_color": "#FFFFFF"})
    for c, name in enumerate(meta):
        ws.write_string(0, c, name)
    c = len(meta)
    ws.write_string(0, c, q_div)
    ws.write_string(1, c, "Response")
    c += 1
    ws.merge_range(0, c, 0, c + len(cty_opts), q_cty, merge)
    for j, o in enumerate([*cty_opts, "Other (please specify)"]):
        ws.write_string(1, c + j, o)
    c += len(cty_opts) + 1
    for q, sub in ((q_years, "Response"), (q_join, "Date / Time"), (q_comm, "Open-Ended Response")):
        ws.write_string(0, c, q)
        ws.write_string(1, c, sub)
        c += 1
    starts = _times(rng, dt.datetime(2025, 3, 2, 9, 0, 0))
    for i in range(N):
        r = i + 2
        ws.write_number(r, 0, 11432345678 + i * 7919)            # 10-11 digit ids, numeric cells
        ws.write_number(r, 1, 431234567)
        ws.write_datetime(r, 2, starts[i], datefmt)
        ws.write_datetime(r, 3, starts[i] + dt.timedelta(minutes=rng.randint(4, 30)), datefmt)
        ws.write_string(r, 4, f"203.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}")
        if i % 3 == 0:
            ws.write_string(r, 5, f"member{i:03d}@example.org")
            ws.write_string(r, 6, rng.choice(["Minji", "Jae-won", "Soo-ah", "Hyun"]))
            ws.write_string(r, 7, rng.choice(["Kim", "Lee", "Park", "Choi"]))
        division = DIVISIONS[i % len(DIVISIONS)]
        ws.write_string(r, 9, division + (" " if i == 7 else ""))     # one trailing space
        picked = _singletons(i, cty_opts) or _subset(rng, cty_opts)
        for j, o in enumerate(cty_opts):
            if o in picked:
                ws.write_string(r, 10 + j, o)
        if i in (5, 13):
            ws.write_string(r, 10 + len(cty_opts), "Saudi Arabia" if i == 5 else "Australia ")
        if i != 11:
            ws.write_string(r, 16, str(rng.randint(1, 35)))         # numbers stored as text
        ws.write_string(r, 17, f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.randint(2001, 2024)}")
        if i % 2 == 0:
            ws.write_string(r, 18, COMMENTS[(i // 2) % len(COMMENTS)])
    ws.write_blank(N + 2, 0, None, blankfmt)                         # a blank trailing row
    wb.close()
    return Built(path, N)


# --------------------------------------------------------------------------- Qualtrics

_QX_META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"America/Denver"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"America/Denver"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"America/Denver"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]
QX_CTY = "Which countries have made you an offer? - Selected Choice"


def _qualtrics(tmp: Path, *, split: bool) -> Built:
    rng = _rng(f"qualtrics-{split}")
    name = "qualtrics_split.csv" if split else "qualtrics_export.csv"
    path = Path(tmp) / name
    heads = [list(t) for t in _QX_META]
    heads.append(["Q1", f"What is your{NBSP}division?", '{"ImportId":"QID1"}'])
    if split:
        for j, o in enumerate(COUNTRIES, 1):
            heads.append([f"Q5_{j}", f"{QX_CTY} - {o}", f'{{"ImportId":"QID5","choiceId":"{j}"}}'])
        heads.append(["Q5_6", f"{QX_CTY} - Other", '{"ImportId":"QID5","choiceId":"6"}'])
        heads.append(["Q5_6_TEXT", "Which countries have made you an offer? - Other - Text",
                      '{"ImportId":"QID5_6_TEXT"}'])
        for j, item in enumerate(["Seniority-based pay", "Research funding", "Autonomy"], 1):
            heads.append([f"Q6_{j}", f"How much does each factor push you to leave? - {item}",
                          f'{{"ImportId":"QID6_{j}"}}'])
    else:
        heads.append(["Q5", QX_CTY, '{"ImportId":"QID5"}'])
    heads += [
        ["Q3", "How many papers did you publish in 2024?", '{"ImportId":"QID3_TEXT"}'],
        ["Q7", "When did you start your current position? (YYYY-MM-DD)", '{"ImportId":"QID7_TEXT"}'],
        ["Q7", "Your salary multiple if you accepted (e.g. 1.5)", '{"ImportId":"QID9_TEXT"}'],
        ["Q8", "Anything else you would like to tell us?", '{"ImportId":"QID8_TEXT"}'],
    ]
    rows = [[h[0] for h in heads], [h[1] for h in heads], [h[2] for h in heads]]
    starts = _times(rng, dt.datetime(2023, 5, 10, 8, 0, 0))
    for i in range(N):
        s = starts[i]
        dur = rng.randint(180, 2400)
        e = s + dt.timedelta(seconds=dur)
        fin = i not in (4, 17)
        row = [s.strftime("%Y-%m-%d %H:%M:%S"), e.strftime("%Y-%m-%d %H:%M:%S"), "0",
               f"141.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
               "100" if fin else str(rng.randint(20, 90)), str(dur), "True" if fin else "False",
               (e + dt.timedelta(seconds=2)).strftime("%Y-%m-%d %H:%M:%S"),
               "R_" + "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
                              for _ in range(15)),
               "", "", "", "",
               f"{37.5 + rng.random():.4f}", f"{126.9 + rng.random():.4f}", "anonymous", "EN"]
        row.append(DIVISIONS[(i * 3) % 5])
        picked = _singletons(i, COUNTRIES) or _subset(rng, COUNTRIES)
        if split:
            row += ["1" if o in picked else "" for o in COUNTRIES]
            other = i in (6, 15)
            row += ["1" if other else "", "Saudi Arabia" if other else ""]
            row += [str(rng.randint(1, 5)) for _ in range(3)]
        else:
            row.append(",".join(picked))
        row.append("-99" if i == 9 else str(rng.randint(0, 14)))
        row.append(f"20{rng.randint(5, 24):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        row.append(f"{rng.choice([1, 1.2, 1.5, 2, 2.5, 3.25])}" if i % 4 else "")
        row.append(COMMENTS[i % len(COMMENTS)] if i % 3 == 0 else "")
        rows.append(row)
    _write_csv(path, rows)
    return Built(path, N)


def qualtrics_csv(tmp: Path) -> Built:
    """Three header rows; multi-select joined with ',' (a label holds a comma)."""
    return _qualtrics(tmp, split=False)


def qualtrics_split_csv(tmp: Path) -> Built:
    """Three header rows; multi-select split into ``Q5_1..`` columns holding 1 or blank."""
    return _qualtrics(tmp, split=True)


# --------------------------------------------------------------------------- Google Forms

GF_SOURCES = ["University job board", "Family, friends or colleagues", "Headhunter",
              "Conference", "LinkedIn"]


def google_forms_csv(tmp: Path) -> Built:
    """Linked-sheet CSV: one header row, ', '-joined checkboxes, M/D/YYYY H:MM:SS stamps."""
    rng = _rng("google")
    path = Path(tmp) / "google_forms_responses.csv"
    header = ["Timestamp", "Email Address", "What is your division?",
              "How did you hear about foreign positions? (check all that apply)",
              "How many international collaborators do you have?",
              "When did you receive your PhD?", "Comments, suggestions, concerns"]
    rows = [header]
    stamps = _times(rng, dt.datetime(2024, 1, 18, 9, 0, 0))
    stamps[6] = stamps[5]                                            # identical timestamps
    for i in range(N):
        t = stamps[i]
        picked = _singletons(i, GF_SOURCES) or _subset(rng, GF_SOURCES)
        d = dt.date(rng.randint(1985, 2020), rng.randint(1, 12), rng.randint(1, 28))
        rows.append([
            f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}",
            f"user{i}@gmail.com",
            DIVISIONS[(i * 2) % 5] + ("  " if i == 3 else ""),
            ", ".join(picked),
            str(rng.randint(0, 40)),
            f"{d.month}/{d.day}/{d.year}",
            (COMMENTS[i % len(COMMENTS)] + " ") if i % 2 else "",
        ])
    _write_csv(path, rows, final_newline=False)
    return Built(path, N)


# --------------------------------------------------------------------------- LimeSurvey


def limesurvey_csv(tmp: Path) -> Built:
    """UI CSV: UTF-8 BOM, every field quoted, ``Q3[SQ001]`` Y/blank columns, trailing blank line."""
    rng = _rng("limesurvey")
    path = Path(tmp) / "results-survey123456.csv"
    sqs = ["SQ001", "SQ002", "SQ003", "SQ004"]
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
              "division", "region", *[f"Q3[{s}]" for s in sqs], "Q3[other]", "age", "phddate",
              "comment"]
    rows = [header]
    starts = _times(rng, dt.datetime(2024, 9, 1, 10, 0, 0))
    for i in range(N):
        s = starts[i]
        done = i not in (2, 19)
        picked = _singletons(i, sqs) or _subset(rng, sqs)
        rows.append([
            str(i + 1),
            (s + dt.timedelta(minutes=12)).strftime("%Y-%m-%d %H:%M:%S") if done else "",
            "3" if done else "1", "en", str(rng.randint(10**8, 10**9)),
            s.strftime("%Y-%m-%d %H:%M:%S"), (s + dt.timedelta(minutes=12)).strftime("%Y-%m-%d %H:%M:%S"),
            rng.choice(["A1", "A2", "A3", "A4", "A5", "N/A"]),
            f"{rng.choice([1, 2, 3, 11, 26])}".zfill(2),             # leading-zero codes
            *["Y" if q in picked else "" for q in sqs],
            "Saudi Arabia" if i == 8 else "",
            str(rng.randint(31, 79)) if done else "",
            f"{rng.randint(1985, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 00:00:00",
            COMMENTS[i % len(COMMENTS)] if i % 4 == 1 else "",
        ])
    _write_csv(path, rows, encoding="utf-8-sig", quoting=csv.QUOTE_ALL, trailing_blank=True)
    return Built(path, N)


# --------------------------------------------------------------------------- KoboToolbox

KOBO_CROPS = ["maize", "beans", "cassava", "sorghum", "groundnut"]


def kobo_xlsx(tmp: Path) -> Built:
    """XML-name headers with group paths, select_multiple 'both' (codes + 0/1), a repeat sheet."""
    import xlsxwriter

    rng = _rng("kobo")
    path = Path(tmp) / "Household_survey_-_all_versions_-_False_-_2024-06-01-10-11-12.xlsx"
    header = ["start", "end", "today", "deviceid", "consent", "hh/hh_head_name", "hh/hh_size",
              "hh/tenure", "crops/crops_grown", *[f"crops/crops_grown/{c}" for c in KOBO_CROPS],
              "crops/planting_date", "comments", "_id", "_uuid", "_submission_time",
              "_validation_status", "_notes", "_status", "_submitted_by", "__version__", "_tags",
              "_index"]
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Household survey")
    rep = wb.add_worksheet("members")
    dtfmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    dfmt = wb.add_format({"num_format": "mm-dd-yy"})
    for c, h in enumerate(header):
        ws.write_string(0, c, h)
    rep_header = ["members/member_name", "members/member_age", "_index", "_parent_table_name",
                  "_parent_index", "_submission__id", "_submission__uuid"]
    for c, h in enumerate(rep_header):
        rep.write_string(0, c, h)
    rrow = 1
    starts = _times(rng, dt.datetime(2024, 5, 20, 7, 30, 0))
    for i in range(N):
        r = i + 1
        s = starts[i]
        ws.write_datetime(r, 0, s, dtfmt)
        ws.write_datetime(r, 1, s + dt.timedelta(minutes=rng.randint(8, 40)), dtfmt)
        ws.write_datetime(r, 2, dt.datetime(s.year, s.month, s.day), dfmt)
        ws.write_string(r, 3, f"collect:{rng.randint(10**15, 10**16 - 1)}")
        consent = "no" if i in (3, 16) else "yes"
        ws.write_string(r, 4, consent)
        uuid = "%08x-%04x-4%03x-a%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16),
                                                rng.getrandbits(12), rng.getrandbits(12),
                                                rng.getrandbits(48))
        if consent == "yes":
            ws.write_string(r, 5, rng.choice(["Amina Yusuf", "John  Okello", "Grace Achieng",
                                              "Peter Mwangi"]) + f" {i}")
            size = rng.randint(1, 9)
            ws.write_number(r, 6, size)
            ws.write_string(r, 7, rng.choice(["owned", "rented", "communal"]))
            picked = _singletons(i, KOBO_CROPS) or _subset(rng, KOBO_CROPS, allow_empty=False)
            ws.write_string(r, 8, " ".join(picked))
            for j, c in enumerate(KOBO_CROPS):
                ws.write_number(r, 9 + j, 1 if c in picked else 0)
            ws.write_datetime(r, 14, dt.datetime(2024, rng.randint(2, 4), rng.randint(1, 28)), dfmt)
            if i % 3 == 0:
                ws.write_string(r, 15, rng.choice(["Rains came late", "Need better seed ",
                                                   "Market prices fell", "Pests on maize"]))
            for _ in range(min(size, 3)):
                rep.write_string(rrow, 0, rng.choice(["Baraka", "Neema", "Juma", "Zawadi"]))
                rep.write_number(rrow, 1, rng.randint(0, 80))
                rep.write_number(rrow, 2, rrow)
                rep.write_string(rrow, 3, "Household survey")
                rep.write_number(rrow, 4, i + 1)
                rep.write_number(rrow, 5, 200100 + i)
                rep.write_string(rrow, 6, uuid)
                rrow += 1
        ws.write_number(r, 16, 200100 + i)
        ws.write_string(r, 17, uuid)
        ws.write_string(r, 18, (s + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"))
        ws.write_string(r, 21, "submitted_via_web")
        ws.write_string(r, 22, "enumerator1" if i % 2 else "enumerator2")
        ws.write_string(r, 23, "vGm4NcR7sdXzDk2pbd3fJb")
        ws.write_number(r, 25, i + 1)
    wb.close()
    return Built(path, N)


# --------------------------------------------------------------------------- REDCap

REDCAP_RACE = {"1": "White", "2": "Black", "3": "Asian", "4": "Other", "98": "Prefer not to say"}


def redcap_csv(tmp: Path) -> Built:
    """Raw export: ``record_id``, event name, ``race___1`` 0/1 checkboxes, '[not completed]'."""
    rng = _rng("redcap")
    path = Path(tmp) / "StudyName_DATA_2024-06-01_1011.csv"
    codes = list(REDCAP_RACE)
    header = ["record_id", "redcap_event_name", "redcap_survey_identifier",
              "baseline_survey_timestamp", "sex", "age", *[f"race___{c}" for c in codes],
              "enroll_date", "bmi", "comments", "baseline_survey_complete"]
    rows = [header]
    stamps = _times(rng, dt.datetime(2024, 2, 1, 9, 0, 0))
    for i in range(N):
        done = i not in (4, 12, 20)
        picked = _singletons(i, codes) or [rng.choice(codes[:4])]
        if i % 5 == 2:
            picked = sorted(set(picked) | {rng.choice(codes[:4])}, key=codes.index)
        rows.append([
            str(1001 + i), "baseline_arm_1", "",
            stamps[i].strftime("%Y-%m-%d %H:%M:%S") if done else "[not completed]",
            str(rng.randint(0, 1)),
            "UNK" if i == 7 else str(rng.randint(18, 90)),
            *["1" if c in picked else "0" for c in codes],
            f"2024-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}",
            f"{rng.uniform(17, 38):.1f}",
            "Lost to follow-up; moved to Busan" if i == 10 else "",
            "2" if done else "0",
        ])
    _write_csv(path, rows, lineterminator="\n")
    return Built(path, N)


# --------------------------------------------------------------------------- Korean platforms

KO_FIELDS = ["기초과학", "공학·기술", "의학·약학", "농림·수산", "정책·연구"]
KO_DIVISIONS = ["이학부", "공학부", "의약학부", "농수산학부", "정책학부"]


def korean_webform_xlsx(tmp: Path) -> Built:
    """A Korean web-form xlsx: Hangul headers, '|'-joined multi-select, dates as text."""
    import xlsxwriter

    rng = _rng("korean-web")
    path = Path(tmp) / "설문응답_결과.xlsx"
    header = ["응답일시", "(*) 소속 분과를 선택해 주세요.", "관심 연구 분야 (복수 선택)",
              "연구 경력 (년)", "성명", "이메일", "기타 의견"]
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("응답")
    hidden = wb.add_worksheet("설정")
    hidden.write_string(0, 0, "internal")
    hidden.hide()
    for c, h in enumerate(header):
        ws.write_string(0, c, h)
    stamps = _times(rng, dt.datetime(2025, 4, 1, 9, 0, 0))
    for i in range(N):
        r = i + 1
        picked = _singletons(i, KO_FIELDS) or _subset(rng, KO_FIELDS, allow_empty=False)
        ws.write_string(r, 0, stamps[i].strftime("%Y-%m-%d %H:%M:%S"))
        ws.write_string(r, 1, KO_DIVISIONS[(i * 3) % 5] + (NBSP if i == 9 else ""))
        ws.write_string(r, 2, "|".join(picked))
        ws.write_number(r, 3, rng.randint(1, 40))
        ws.write_string(r, 4, rng.choice(["김민준", "이서연", "박지훈", "최유진"]) + str(i))
        ws.write_string(r, 5, f"member{i}@kast.or.kr")
        if i % 3 == 1:
            ws.write_string(r, 6, rng.choice(["연구비 지원 확대 필요", "평가 기간이 너무 짧습니다  ",
                                              "해외 유출 방지 대책 마련", "특별한 의견 없음"]))
    wb.close()
    return Built(path, N)


def korean_cp949_csv(tmp: Path) -> Built:
    """A CSV saved by Korean Excel: CP949, ';'-joined multi-select, ``YYYY.MM.DD`` dates."""
    rng = _rng("korean-cp949")
    path = Path(tmp) / "회원조사_2024.csv"
    services = ["학술지", "세미나", "연구비 안내", "국제교류"]
    header = ["ID", "성별", "연령대", "지역코드", "이용 서비스", "만족도", "가입일", "의견"]
    rows = [header]
    for i in range(N):
        picked = _singletons(i, services) or _subset(rng, services, allow_empty=False)
        rows.append([
            f"KR{i + 1:04d}", rng.choice(["남", "여"]),
            rng.choice(["30대", "40대", "50대", "60대 이상"]),
            rng.choice(["01", "02", "08", "11"]),
            ";".join(picked), str(rng.randint(1, 5)),
            f"{rng.randint(2001, 2024)}.{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d}",
            rng.choice(["만족합니다", "홈페이지 개선 필요", "행사 일정 공지가 늦음", ""]) + (" " if i % 5 == 0 else ""),
        ])
    _write_csv(path, rows, encoding="cp949")
    return Built(path, N)


# --------------------------------------------------------------------------- SPSS


def spss_sav(tmp: Path) -> Built:
    """``.sav`` with variable and value labels, user-missing codes, a date variable, 0/1 sets."""
    import pandas as pd
    import pyreadstat

    rng = _rng("spss")
    path = Path(tmp) / "member_survey.sav"
    rec: dict[str, list[object]] = {k: [] for k in (
        "resp_id", "division", "offer", "q5_1", "q5_2", "q5_3", "q5_4", "salary", "papers",
        "joindate", "comment")}
    for i in range(N):
        rec["resp_id"].append(f"{20250000 + i:010d}")
        rec["division"].append(float((i % 5) + 1))
        rec["offer"].append(float([1, 2, 1, 8, 1, 2, 9][i % 7]))
        picked = {i % 4} if i < 8 else {j for j in range(4) if rng.random() < 0.4}
        for j in range(4):
            rec[f"q5_{j + 1}"].append(float(j in picked))
        rec["salary"].append(round(rng.uniform(0.8, 3.5), 2) if i != 6 else -9.0)
        rec["papers"].append(float(rng.randint(0, 20)) if i != 3 else 999.0)
        rec["joindate"].append(dt.date(rng.randint(1995, 2024), rng.randint(1, 12), rng.randint(1, 28)))
        rec["comment"].append(COMMENTS[i % len(COMMENTS)] if i % 3 == 0 else "")
    df = pd.DataFrame(rec)
    sets = {f"q5_{j + 1}": {0.0: "Not selected", 1.0: "Selected"} for j in range(4)}
    pyreadstat.write_sav(
        df, str(path),
        column_labels={
            "resp_id": "Respondent ID", "division": "Division",
            "offer": "Received a foreign job offer in the last five years",
            "q5_1": "Offer countries: China", "q5_2": "Offer countries: United States",
            "q5_3": "Offer countries: Hong Kong", "q5_4": "Offer countries: Singapore",
            "salary": "Offered salary as a multiple of current", "papers": "Papers published in 2024",
            "joindate": "Date joined the academy", "comment": "Comments",
        },
        variable_value_labels={
            "division": {1.0: "Natural Sciences", 2.0: "Engineering", 3.0: "Medicine & Pharmacy",
                         4.0: "Agriculture & Fisheries", 5.0: "Policy Research"},
            "offer": {1.0: "Yes", 2.0: "No", 8.0: "Don't know", 9.0: "Refused"},
            "salary": {-9.0: "Not applicable"},
            **sets,
        },
        missing_ranges={"offer": [8.0, 9.0], "salary": [-9.0],
                        "papers": [{"lo": 997.0, "hi": 999.0}]},
        variable_format={"joindate": "DATE11"},
    )
    return Built(path, N)


# --------------------------------------------------------------------------- registry

BUILDERS: dict[str, Callable[[Path], Built]] = {
    "google_forms_csv": google_forms_csv,
    "kobo_xlsx": kobo_xlsx,
    "korean_cp949_csv": korean_cp949_csv,
    "korean_webform_xlsx": korean_webform_xlsx,
    "limesurvey_csv": limesurvey_csv,
    "qualtrics_csv": qualtrics_csv,
    "qualtrics_split_csv": qualtrics_split_csv,
    "redcap_csv": redcap_csv,
    "spss_sav": spss_sav,
    "surveymonkey_xlsx": surveymonkey_xlsx,
}
"""Every platform builder by name (sorted); each returns :class:`Built`."""
