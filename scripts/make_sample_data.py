"""Generate the sample data and codebooks of the fictional academy-member survey.

A national academy of science and technology (1,100 members in five divisions) surveyed
its members about foreign job offers: wave 2025 as a SurveyMonkey xlsx (two header rows),
wave 2023 as a Qualtrics csv (three header rows, CP949, numeric values), the member
counts for weighting, and one codebook per wave.  Everything is drawn from one numpy
Generator with a fixed seed, and files are written byte-identically on every run.

Usage::

    python scripts/make_sample_data.py [--out sample_data] [--schemas schemas]

Fixed by construction (the news article behind the data): 200 respondents in 2025, of
whom exactly 123 (61.5%) received a foreign offer; among them China was named by exactly
102 (82.9%) and the United States by exactly 33 (26.8%).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

SEED = 20250815
FIXED_TIME = dt.datetime(2025, 7, 1, 9, 0, 0)
ZIP_TIME = (2025, 7, 1, 9, 0, 0)

DIVISIONS = [  # (label, Korean, members, female members, 2025 respondents, 2023 respondents)
    ("Natural Sciences", "이학부", 320, 45, 62, 55),
    ("Engineering", "공학부", 380, 30, 72, 66),
    ("Medicine & Pharmacy", "의약학부", 190, 50, 28, 27),
    ("Agriculture & Fisheries", "농수산학부", 110, 10, 18, 16),
    ("Policy Research", "정책학부", 100, 15, 20, 16),
]
INSTITUTIONS = [("University", "대학"), ("Government research institute", "정부출연연구기관"),
                ("Industry", "산업체")]
INST_P = {0: [.70, .25, .05], 1: [.50, .25, .25], 2: [.75, .15, .10], 3: [.55, .40, .05],
          4: [.45, .50, .05]}
AGE_2025 = ["40-49", "50-59", "60-69", "70+"]
AGE_2023 = ["40-49", "50-59", "60-69", "70-79", "80+"]
COUNTRIES = [  # code, 2025 label, Korean, 2023 label (None: not offered in 2023)
    ("china", "China", "중국", "China"), ("us", "United States", "미국", "USA"),
    ("hong_kong", "Hong Kong", "홍콩", "Hong Kong"), ("singapore", "Singapore", "싱가포르", "Singapore"),
    ("japan", "Japan", "일본", "Japan"), ("canada", "Canada", "캐나다", "Canada"),
    ("europe", "Europe", "유럽", "Europe"), ("middle_east", "Middle East", "중동", None),
]
OTHER_TEXTS = ["Australia", "호주", "대만", "Taiwan (NTHU)", "인도", "Switzerland (ETH)", "사우디아라비아"]
INTENT = [("Accepted", "수락함"), ("Seriously considering", "진지하게 고려 중"),
          ("Considered and declined", "고려했으나 거절함"), ("Did not consider", "고려하지 않음")]
INTENT_2023 = [("Accepted", "수락함"), ("Considering", "고려 중"), ("Declined", "거절함"),
               ("Did not consider", "고려하지 않음")]
LIKERT = [("1 Strongly disagree", "1 전혀 그렇지 않다"), ("2 Disagree", "2 그렇지 않다"),
          ("3 Neutral", "3 보통이다"), ("4 Agree", "4 그렇다"), ("5 Strongly agree", "5 매우 그렇다")]
LIKERT_2023 = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
               "Strongly agree"]
DONT_KNOW = "Don't know"
# id, English, Korean row-1 text in 2025 (quirks: NBSP in push_funding, double space in
# push_infrastructure; the codebook writes the clean text)
PUSH = [
    ("push_seniority_pay", "I am dissatisfied with the seniority-based pay system",
     "연공서열식 급여 체계에 불만이 있다"),
    ("push_short_term_eval", "Short-term performance evaluation hampers my research",
     "단기 성과 위주의 평가가 연구를 어렵게 한다"),
    ("push_funding", "Research funding is insufficient", "연구비 지원이 부족하다"),
    ("push_infrastructure", "Research infrastructure (equipment, facilities) is insufficient",
     "연구 인프라(장비·시설)가 부족하다"),
    ("push_collaboration", "Collaborative environments and networks are lacking",
     "협력 연구 환경과 네트워크가 부족하다"),
    ("push_autonomy", "My research autonomy is sufficiently guaranteed",
     "연구 자율성이 충분히 보장되고 있다"),
]
PERF_PAY = ("support_perf_pay", "I support introducing performance-based pay",
            "성과 연동형 급여 체계 도입에 찬성한다")
RAW_TEXT = {  # header text as written in the 2025 export where it differs from the codebook
    "offer_countries": "제안한 기관은 어느 국가(지역)에 있습니까?<br>(해당하는 곳을 모두 선택해 주십시오)",
    "push_funding": "연구비 지원이\u00a0부족하다",
    "push_infrastructure": "연구 인프라(장비·시설)가  부족하다",
}
Q25 = {  # question id -> (English, Korean) for the 2025 questionnaire
    "division": ("Division", "소속 분과"),
    "institution_type": ("Type of institution", "소속 기관 유형"),
    "age_band": ("Age", "연령대"),
    "gender": ("Gender", "성별"),
    "offer_received": ("In the last five years, have you received a job offer from a foreign "
                       "institution?", "지난 5년간 해외 기관으로부터 일자리 제안을 받은 적이 있습니까?"),
    "offer_countries": ("Which countries or regions did the offers come from? "
                        "(Select all that apply)",
                        "제안한 기관은 어느 국가(지역)에 있습니까? (해당하는 곳을 모두 선택해 주십시오)"),
    "salary_multiple": ("The offered salary was about how many times your current salary?",
                        "제안받은 연봉은 현재 연봉의 약 몇 배입니까?"),
    "intent": ("How did you respond to the offer?", "해외 기관의 제안에 어떻게 대응하셨습니까?"),
    "comment": ("Any other comments", "기타 의견이 있으시면 자유롭게 적어 주십시오."),
}
COMMENTS = [
    "연구비 지원이 안정적으로 이어졌으면 합니다.",
    "해외 제안 조건이 국내보다 훨씬 좋습니다. 급여뿐 아니라 연구 환경도 차이가 큽니다.",
    "성과급 제도는 분야별 특성을 고려해서 설계해야 합니다.",
    "정년 이후에도 연구를 계속할 수 있는 제도가 필요합니다.",
    "젊은 연구자들이 떠나지 않도록 처우 개선이 시급합니다.",
    "Salary is not the main issue; autonomy and long-term funding are.",
    "행정 부담이 너무 큽니다. 연구에 집중할 수 없습니다.",
    "중국 측 제안은 연봉과 연구비 모두 몇 배 수준이었습니다.",
    "가족 문제로 해외 이직은 고려하지 않았습니다.",
    "국제 공동연구 네트워크 지원을 확대해 주십시오.",
    "평가 주기가 너무 짧아 장기 연구가 어렵습니다.",
    "장비 유지보수 예산이 부족합니다, 특히 대형 장비.",
    "첫째, 연구비의 안정성\n둘째, 평가 제도의 개선이 필요합니다.",
    "The offer from Singapore included a startup package three times larger than here.",
    "연공서열 중심의 보수 체계로는 우수 인력을 붙잡기 어렵습니다.",
]
SURNAMES = [("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi"), ("정", "jung"), ("강", "kang"),
            ("조", "cho"), ("윤", "yoon"), ("장", "jang"), ("임", "lim"), ("한", "han"), ("오", "oh"),
            ("서", "seo"), ("신", "shin"), ("권", "kwon"), ("황", "hwang"), ("안", "ahn"), ("송", "song")]
SYLLABLES = [("민", "min"), ("서", "seo"), ("준", "jun"), ("영", "young"), ("지", "ji"), ("현", "hyun"),
             ("수", "su"), ("우", "woo"), ("진", "jin"), ("호", "ho"), ("성", "sung"), ("재", "jae"),
             ("희", "hee"), ("경", "kyung"), ("동", "dong"), ("상", "sang"), ("은", "eun"), ("태", "tae")]


@dataclass
class Member:
    no: str
    division: int
    female: bool
    birth_year: int
    institution: int
    surname: tuple[str, str]
    given: tuple[str, str]
    discontent: float  # latent dissatisfaction with the research environment
    mobility: float  # latent attractiveness to foreign recruiters


def make_population(rng: np.random.Generator) -> list[Member]:
    members: list[Member] = []
    for d, (_, _, n, n_female, _, _) in enumerate(DIVISIONS):
        female = np.zeros(n, bool)
        female[rng.choice(n, n_female, replace=False)] = True
        for i in range(n):
            age_2025 = int(np.clip(rng.normal(63, 10), 41, 90))
            s = [SYLLABLES[j] for j in rng.choice(len(SYLLABLES), 2, replace=False)]
            members.append(Member(
                no="", division=d, female=bool(female[i]), birth_year=2025 - age_2025,
                institution=int(rng.choice(3, p=INST_P[d])),
                surname=SURNAMES[int(rng.integers(len(SURNAMES)))],
                given=(s[0][0] + s[1][0], s[0][1] + s[1][1]),
                discontent=float(rng.normal()), mobility=float(rng.normal())))
    order = rng.permutation(len(members))  # member numbers do not follow division
    for k, idx in enumerate(order):
        members[idx].no = f"{k + 1:06d}"
    return sorted(members, key=lambda m: m.no)


def age_band(m: Member, year: int, bands: list[str]) -> int:
    age = year - m.birth_year
    return min((age - 40) // 10, len(bands) - 1) if age >= 40 else 0


def draw_sample(rng: np.random.Generator, pool: list[Member], counts: list[int],
                year: int) -> list[Member]:
    """Respondents per division; older members respond less often."""
    chosen: list[Member] = []
    for d, k in enumerate(counts):
        cand = [m for m in pool if m.division == d]
        w = np.array([1.0 if year - m.birth_year < 70 else 0.6 for m in cand])
        chosen += [cand[i] for i in rng.choice(len(cand), k, replace=False, p=w / w.sum())]
    return chosen


def likert(rng: np.random.Generator, mu: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(mu + rng.normal(0, 0.8, mu.shape)), 1, 5).astype(int)


def answers(rng: np.random.Generator, resp: list[Member], year: int, exact: bool) -> dict[str, Any]:
    """Draw every answer for a wave.

    ``exact`` marks the 2025 questionnaire: the headline counts (123 offered, 102 China,
    33 United States) are forced and Middle East is an option.
    """
    n = len(resp)
    div = np.array([m.division for m in resp])
    age = np.array([year - m.birth_year for m in resp])
    disc = np.array([m.discontent for m in resp])
    mob = np.array([m.mobility for m in resp])
    young = (age < 60).astype(float)
    offer_p = np.array([.78, .74, .45, .40, .30])[div] * np.where(age >= 75, .5, 1.0)
    offer_p = offer_p * np.exp(0.3 * mob)
    offered = np.zeros(n, bool)
    if exact:
        offered[rng.choice(n, 123, replace=False, p=offer_p / offer_p.sum())] = True
    else:
        offered = rng.random(n) < np.clip(offer_p * 0.85, 0, 0.95)
    idx = np.flatnonzero(offered)
    k = len(idx)
    chosen = {c[0]: np.zeros(n, bool) for c in COUNTRIES}
    chosen["other"] = np.zeros(n, bool)
    china_w = np.array([1.3, 1.4, .7, 1.0, .6])[div[idx]]
    if exact:
        chosen["china"][idx[rng.choice(k, 102, replace=False, p=china_w / china_w.sum())]] = True
        us_w = np.array([1.0, 1.0, 1.8, .8, 1.2])[div[idx]]
        us_w = us_w * np.where(chosen["china"][idx], .7, 2.0)
        chosen["us"][idx[rng.choice(k, 33, replace=False, p=us_w / us_w.sum())]] = True
    else:
        chosen["china"][idx] = rng.random(k) < np.clip(.62 * china_w, 0, .95)
        chosen["us"][idx] = rng.random(k) < .30
    rates = {"hong_kong": .15, "singapore": .10, "japan": .06, "canada": .05, "europe": .08,
             "middle_east": .04 if exact else 0.0, "other": .03}
    for code, p in rates.items():
        chosen[code][idx] = rng.random(k) < p
    for i in idx:  # everyone offered names at least one country
        if not any(chosen[c][i] for c in chosen):
            fallback = ["hong_kong", "singapore", "europe", "japan", "canada"]
            chosen[fallback[int(rng.integers(5))]][i] = True
    other_text = [OTHER_TEXTS[int(rng.integers(len(OTHER_TEXTS)))] if chosen["other"][i] else None
                  for i in range(n)]
    salary = 1.3 + 0.9 * chosen["china"] + 0.5 * chosen["middle_east"] + 0.3 * mob
    salary = np.round(np.clip(salary * rng.lognormal(0, 0.3, n), 1.0, 6.0), 1)
    salary_given = offered & (rng.random(n) > 0.03)
    push = {}
    base = {"push_seniority_pay": 3.0 + 0.5 * young, "push_short_term_eval": 3.4 + 0 * young,
            "push_funding": 3.2 + 0.4 * (div == 3), "push_infrastructure": 2.9 + 0.3 * (div == 3),
            "push_collaboration": 2.8 + 0 * young, "push_autonomy": 3.2 + 0 * young}
    for pid, mu in base.items():
        sign = -0.7 if pid == "push_autonomy" else 0.7
        push[pid] = likert(rng, mu + sign * disc)
    push["support_perf_pay"] = likert(rng, 2.6 + 0.35 * (push["push_seniority_pay"] - 3)
                                      + 0.6 * young - 0.4 * (age >= 70))
    dont_know = {p: rng.random(n) < 0.02 for p in push}
    # intent rises with the offered salary, with dissatisfaction about seniority pay and
    # with a lower autonomy rating
    sal = np.where(salary_given, salary, 2.3)
    latent = (1.2 * sal + 0.45 * (push["push_seniority_pay"] - 3)
              - 0.55 * (push["push_autonomy"] - 3) + 0.25 * disc + rng.logistic(0, 0.7, n))
    intent = np.full(n, -1)
    order = idx[np.argsort(-latent[idx], kind="stable")]
    cuts = np.cumsum(np.array([.11, .31, .33]) * k).round().astype(int)
    for rank, i in enumerate(order):
        intent[i] = int(np.searchsorted(cuts, rank, side="right"))
    comment = [COMMENTS[int(rng.integers(len(COMMENTS)))] if rng.random() < 0.35 else None
               for _ in range(n)]
    return dict(offered=offered, chosen=chosen, other_text=other_text, salary=salary,
                salary_given=salary_given, push=push, dont_know=dont_know, intent=intent,
                comment=comment)


def times(rng: np.random.Generator, n: int, start: dt.datetime,
          days: int) -> list[tuple[dt.datetime, int]]:
    """Sorted (start time, duration in seconds) over ``days`` of fieldwork."""
    out = []
    for _ in range(n):
        t = start + dt.timedelta(seconds=int(rng.integers(days * 86400)))
        out.append((t, int(rng.integers(240, 1500))))
    return sorted(out)


def person_fields(rng: np.random.Generator, m: Member) -> tuple[str, str, str]:
    domain = ["org", "com", "net"][int(rng.integers(3))]
    email = f"{m.given[1]}.{m.surname[1]}{m.no[-3:]}@example.{domain}"
    return m.given[0], m.surname[0], email


# --------------------------------------------------------------------------- 2025 xlsx
class _FixedZip(zipfile.ZipFile):
    """Zip archive whose members carry a fixed timestamp (byte-identical output)."""

    def writestr(self, name: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(name, str):
            name = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            name.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(name, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        self.writestr(str(arcname or filename), Path(filename).read_bytes())


def write_2025(rng: np.random.Generator, resp: list[Member], path: Path) -> None:
    a = answers(rng, resp, 2025, exact=True)
    n = len(resp)
    stamps = times(rng, n, dt.datetime(2025, 6, 2, 8, 0), 18)
    ids = 11_482_300_000 + np.cumsum(rng.integers(2_000, 90_000, n))
    order = rng.permutation(n)  # respondents in random order against time
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
            "Email Address", "First Name", "Last Name", "member_no"]
    blocks: list[tuple[str, list[str]]] = [(q, ["Response"]) for q in
                                           ("division", "institution_type", "age_band", "gender",
                                            "offer_received")]
    blocks.append(("offer_countries", [c[1] for c in COUNTRIES] + ["Other (please specify)"]))
    blocks += [("salary_multiple", ["Open-Ended Response"]), ("intent", ["Response"])]
    blocks += [(p[0], ["Response"]) for p in (*PUSH, PERF_PAY)]
    blocks.append(("comment", ["Open-Ended Response"]))
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet_1"
    row1: list[Any] = list(meta)
    row2: list[Any] = [None] * len(meta)
    merges = []
    for qid, subs in blocks:
        text = RAW_TEXT.get(qid, question_text(qid)[1])
        if len(subs) > 1:
            merges.append((len(row1) + 1, len(row1) + len(subs)))
        row1 += [text] + [None] * (len(subs) - 1)
        row2 += subs
    row2[row2.index("Japan")] = "Japan "  # row-2 label padded, as exports do
    ws.append(row1)
    ws.append(row2)
    for c0, c1 in merges:
        ws.merge_cells(start_row=1, start_column=c0, end_row=1, end_column=c1)
    quirk_us = False
    for pos, i in enumerate(order):
        m = resp[i]
        (start, secs), rid = stamps[i], int(ids[i])
        email_collector = rng.random() < 0.6
        first, last, email = person_fields(rng, m) if email_collector else (None, None, None)
        ip = ip_address(rng)
        row: list[Any] = [rid, 431_207_554 if email_collector else 431_207_561, start,
                          start + dt.timedelta(seconds=secs), ip, email, first, last, m.no]
        row += [DIVISIONS[m.division][0], INSTITUTIONS[m.institution][0],
                AGE_2025[age_band(m, 2025, AGE_2025)], "Female" if m.female else "Male",
                "Yes" if a["offered"][i] else "No"]
        row += [c[1] if a["chosen"][c[0]][i] else None for c in COUNTRIES] + [a["other_text"][i]]
        row += [f"{a['salary'][i]:.1f}" if a["salary_given"][i] else None,
                INTENT[a["intent"][i]][0] if a["offered"][i] else None]
        for p in (*[q[0] for q in PUSH], PERF_PAY[0]):
            row.append(DONT_KNOW if a["dont_know"][p][i] else LIKERT[a["push"][p][i] - 1][0])
        row.append(a["comment"][i])
        if pos == 17:
            row[len(meta)] += " "  # an answer label with a trailing space
        us_col = len(meta) + 6
        if pos > 40 and row[us_col] == "United States" and not quirk_us:
            row[us_col], quirk_us = "United States ", True
        ws.append(row)
        r = ws.max_row
        ws.cell(r, 1).number_format = "0"
        ws.cell(r, 2).number_format = "0"
        ws.cell(r, 3).number_format = ws.cell(r, 4).number_format = "mm/dd/yyyy hh:mm:ss"
    lookup = wb.create_sheet("Lookup")
    lookup.sheet_state = "hidden"
    lookup.append(["code", "division", "collector"])
    for d, dv in enumerate(DIVISIONS):
        collector = {0: "Email invitation", 1: "Web link"}.get(d)
        lookup.append([d + 1, dv[0], collector])
    wb.properties.creator = "SurveyMonkey"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    ExcelWriter(wb, _FixedZip(buf, "w", zipfile.ZIP_DEFLATED)).save()
    path.write_bytes(buf.getvalue())


def ip_address(rng: np.random.Generator) -> str:
    """An address from the documentation ranges (RFC 5737)."""
    net = ["203.0.113", "198.51.100", "192.0.2"][int(rng.integers(3))]
    return f"{net}.{int(rng.integers(1, 255))}"


def question_text(qid: str) -> tuple[str, str]:
    for p in (*PUSH, PERF_PAY):
        if p[0] == qid:
            return p[1], p[2]
    return Q25[qid]


# --------------------------------------------------------------------------- 2023 csv
Q23_META = [  # column id, row-2 text, ImportId, codebook id, type, pii
    ("StartDate", "Start Date", "startDate", "start_date", "datetime", False),
    ("EndDate", "End Date", "endDate", "end_date", "datetime", False),
    ("Status", "Response Type", "status", "status", "integer", False),
    ("IPAddress", "IP Address", "ipAddress", "ip_address", "text", True),
    ("Progress", "Progress", "progress", "progress", "integer", False),
    ("Duration (in seconds)", "Duration (in seconds)", "duration", "duration", "integer", False),
    ("Finished", "Finished", "finished", "finished", "integer", False),
    ("RecordedDate", "Recorded Date", "recordedDate", "recorded_date", "datetime", False),
    ("ResponseId", "Response ID", "_recordId", "respondent_id", "text", False),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName", "last_name", "text", True),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName", "first_name", "text",
     True),
    ("RecipientEmail", "Recipient Email", "recipientEmail", "email", "text", True),
    ("ExternalReference", "External Data Reference", "externalDataReference", "external_reference",
     "text", False),
    ("LocationLatitude", "Location Latitude", "locationLatitude", "location_latitude", "number",
     True),
    ("LocationLongitude", "Location Longitude", "locationLongitude", "location_longitude", "number",
     True),
    ("DistributionChannel", "Distribution Channel", "distributionChannel", "distribution_channel",
     "text", False),
    ("UserLanguage", "User Language", "userLanguage", "user_language", "text", False),
]
DIV_CODE_2023 = [1, 2, 4, 3, 5]  # recode values: Agriculture listed before Medicine in 2023
Q23 = {  # codebook id -> (Qualtrics id, English, Korean)
    "division": ("Q1", "Division", "소속 분과를 선택해 주십시오."),
    "institution_type": ("Q2", "Type of institution", "소속 기관의 유형은 무엇입니까?"),
    "age_band": ("Q3", "Age", "귀하의 연령대는?"),
    "offer_received": ("Q4", "In the last five years, have you received a job offer from an "
                       "institution abroad?", "최근 5년 동안 외국 기관으로부터 채용 제안을 받으신 적이 있습니까?"),
    "offer_countries": ("Q5", "Select all countries or regions the offers came from.",
                        "제안을 받은 국가(지역)를 모두 선택해 주십시오."),
    "intent": ("Q6", "What did you do about the offer?", "그 제안에 대해 어떻게 하셨습니까?"),
    "salary_ratio": ("Q7", "The offered salary was about how many times your salary at the time?",
                     "제안받은 연봉은 당시 연봉의 몇 배 수준이었습니까?"),
    "push": ("Q8", "How much do you agree with each statement?", "다음 각 항목에 대해 얼마나 동의하십니까?"),
    "prior_abroad": ("Q9", "Have you worked at an institution abroad for a year or more?",
                     "해외 기관에서 1년 이상 근무한 경험이 있습니까?"),
    "gender": ("Q10", "Gender", "성별"),
    "comment": ("Q11", "Other comments", "기타 의견을 자유롭게 적어 주십시오."),
}
C23 = [c for c in COUNTRIES if c[3] is not None]


def write_2023(rng: np.random.Generator, resp: list[Member], path: Path) -> None:
    a = answers(rng, resp, 2023, exact=False)
    n = len(resp)
    stamps = times(rng, n, dt.datetime(2023, 5, 8, 8, 0), 19)
    alnum = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    tz = ',"timeZone":"Asia/Seoul"'
    cols = [(c[0], c[1], f'{{"ImportId":"{c[2]}"{tz if c[4] == "datetime" else ""}}}')
            for c in Q23_META]
    stem = Q23["offer_countries"][2]
    qcol = lambda q: Q23[q][0]  # noqa: E731
    text = lambda q: Q23[q][2]  # noqa: E731
    for q in ("division", "institution_type", "age_band", "offer_received"):
        cols.append((qcol(q), text(q), f'{{"ImportId":"QID{qcol(q)[1:]}"}}'))
    for j, c in enumerate(C23, 1):
        cols.append((f"Q5_{j}", f"{stem} - {c[3]}", f'{{"ImportId":"QID5","choiceId":"{j}"}}'))
    cols.append(("Q5_8", f"{stem} - Other", '{"ImportId":"QID5","choiceId":"8"}'))
    cols.append(("Q5_8_TEXT", f"{stem} - Other - Text", '{"ImportId":"QID5_8_TEXT"}'))
    for q in ("intent", "salary_ratio"):
        cols.append((qcol(q), text(q), f'{{"ImportId":"QID{qcol(q)[1:]}"}}'))
    for j, p in enumerate(PUSH, 1):
        cols.append((f"Q8_{j}", f"{text('push')} - {p[2]}", f'{{"ImportId":"QID8_{j}"}}'))
    for q in ("prior_abroad", "gender"):
        cols.append((qcol(q), text(q), f'{{"ImportId":"QID{qcol(q)[1:]}"}}'))
    cols.append(("Q11", text("comment"), '{"ImportId":"QID11_TEXT"}'))
    cols.append(("member_no", "member_no", '{"ImportId":"member_no"}'))
    rows = [[c[0] for c in cols], [c[1] for c in cols], [c[2] for c in cols]]
    fmt = "%Y-%m-%d %H:%M:%S"
    for i in rng.permutation(n):
        m = resp[i]
        (start, secs) = stamps[i]
        end = start + dt.timedelta(seconds=secs)
        email_channel = rng.random() < 0.7
        first, last, email = person_fields(rng, m) if email_channel else ("", "", "")
        rid = "R_" + "".join(rng.choice(alnum, 15))
        lat, lon = 37.5 + rng.normal(0, 0.3), 127.0 + rng.normal(0, 0.3)
        recorded = end + dt.timedelta(seconds=int(rng.integers(1, 4)))
        row = [start.strftime(fmt), end.strftime(fmt), "0", ip_address(rng), "100", str(secs), "1",
               recorded.strftime(fmt), rid, last, first, email, "", f"{lat:.4f}", f"{lon:.4f}",
               "email" if email_channel else "anonymous", "KO"]
        offered = a["offered"][i]
        row += [str(DIV_CODE_2023[m.division]), str(m.institution + 1),
                str(age_band(m, 2023, AGE_2023) + 1), "1" if offered else "2"]
        row += ["1" if a["chosen"][c[0]][i] else "" for c in C23]
        row += ["1" if a["chosen"]["other"][i] else "", a["other_text"][i] or ""]
        row += [str(a["intent"][i] + 1) if offered else "",
                f"{a['salary'][i]:.1f}" if a["salary_given"][i] else ""]
        row += ["8" if a["dont_know"][p[0]][i] else str(a["push"][p[0]][i]) for p in PUSH]
        row += ["1" if (m.mobility + rng.normal()) > 0.8 else "2", "2" if m.female else "1",
                a["comment"][i] or "", m.no]
        rows.append(row)
    with path.open("w", encoding="cp949", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)


def population_rows(members: list[Member]) -> list[tuple[str, str, int]]:
    """Membership counts by division and by division x gender."""
    rows = [("division", dv[0], dv[2]) for dv in DIVISIONS]
    for d, dv in enumerate(DIVISIONS):
        f = sum(1 for m in members if m.division == d and m.female)
        rows += [("division:gender", f"{dv[0]}:Male", dv[2] - f),
                 ("division:gender", f"{dv[0]}:Female", f)]
    return rows


def write_population(members: list[Member], path: Path) -> None:
    lines = ["variable,category,population"] + [f"{v},{c},{n}" for v, c, n in population_rows(members)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- codebooks
def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6,
                          sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _emit(head: list[str], meta: dict[str, Any], questions: list[dict[str, Any]],
          notes: dict[str, str]) -> str:
    lines = [f"# {h}" if h else "#" for h in head]
    lines += [f"{k}: {_flow(v)}" for k, v in meta.items()] + ["questions:"]
    for q in questions:
        if q["id"] in notes:
            lines += [f"  # {c}" for c in notes[q["id"]].splitlines()]
        first = True
        for k, v in q.items():
            prefix = "  - " if first else "    "
            first = False
            if k in ("options", "missing_codes"):
                lines.append(f"{prefix}{k}:")
                lines += [f"      - {_flow(o)}" for o in v]
            else:
                lines.append(f"{prefix}{k}: {_flow(v)}")
    return "\n".join(lines) + "\n"


def _q(qid: str, qtype: str, column: str | None, text: tuple[str, str] | None = None,
       **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"id": qid, "type": qtype}
    if kw.get("role"):
        d["role"] = kw.pop("role")
    if text:
        d["text"] = {"ko": text[1], "en": text[0]}
    if column is not None:
        d["column"] = column
    d.update({k: v for k, v in kw.items() if v is not None})
    return d


def _opts(pairs: list[tuple[str, str]] | list[str]) -> list[dict[str, Any]]:
    """Options coded 1, 2, ...; a pair is (English, Korean)."""
    return [{"code": j, "label": {"en": p[0], "ko": p[1]} if isinstance(p, tuple) else p}
            for j, p in enumerate(pairs, 1)]


YES_NO = [("Yes", "예"), ("No", "아니오")]
GENDER = [("Male", "남성"), ("Female", "여성")]
DK = [{"code": 8, "label": DONT_KNOW}]
HEAD = [
    "Academy-member survey, {wave} wave: {platform}.",
    "Format: docs/codebook.md. Written by scripts/make_sample_data.py with sample_data/;",
    "edit the script, not this file.",
    "",
    "`column` is the {colconv}.",
    "Choice options: `label.en` is the answer text{extra};",
    "`label.ko` is the Korean wording.",
]
NOTES = {
    "respondent_id": "SurveyMonkey respondent id: 11-digit numbers in the export, kept as text.",
    "member_no": "Academy member number (text, leading zeros): links panel members across waves.\n"
                 "Pseudonymous rather than identifying on its own; hash it like the respondent\n"
                 "id at rest.",
    "intent": "Ordinal in the order asked: strongest intent to move first (Accepted) to\n"
              "weakest (Did not consider). Reverse it for 'higher = more likely to leave'\n"
              "models. Asked only of those offered (offer_received = Yes).",
    "push_seniority_pay": "Push factors (Likert 1-5, agreement). Items are problem statements\n"
                          "except push_autonomy, which is positively worded (reverse keyed).",
    "offer_countries": "Asked only of those offered.",
}


def codebook_2025(population: list[tuple[str, str, int]]) -> str:
    meta_cols = [("respondent_id", "text", "Respondent ID", {"role": "id", "required": True}),
                 ("collector_id", "text", "Collector ID", {"role": "meta"}),
                 ("start_date", "datetime", "Start Date", {"role": "meta"}),
                 ("end_date", "datetime", "End Date", {"role": "meta"}),
                 ("ip_address", "text", "IP Address", {"role": "meta", "pii": True}),
                 ("email", "text", "Email Address", {"role": "meta", "pii": True}),
                 ("first_name", "text", "First Name", {"role": "meta", "pii": True}),
                 ("last_name", "text", "Last Name", {"role": "meta", "pii": True}),
                 ("member_no", "text", "member_no", {"role": "meta", "required": True})]
    qs = [_q(i, t, c, **kw) for i, t, c, kw in meta_cols]

    def one(qid: str, qtype: str, **kw: Any) -> dict[str, Any]:
        text = question_text(qid)
        return _q(qid, qtype, text[1], text, **kw)

    qs += [one("division", "single", required=True,
               options=_opts([(d[0], d[1]) for d in DIVISIONS])),
           one("institution_type", "single", required=True, options=_opts(INSTITUTIONS)),
           one("age_band", "ordinal", required=True, options=_opts(AGE_2025)),
           one("gender", "single", required=True, options=_opts(GENDER)),
           one("offer_received", "single", required=True, options=_opts(YES_NO))]
    countries = [{"code": c[0], "label": {"en": c[1], "ko": c[2]}} for c in COUNTRIES]
    countries.append({"code": "other", "label": {"en": "Other", "ko": "기타"}})
    qs.append(one("offer_countries", "multiple", layout="columns", options=countries,
                  other={"option": "other", "column": "Other (please specify)"}))
    qs += [one("salary_multiple", "number", range=[0.5, 10]),
           one("intent", "ordinal", options=_opts(INTENT))]
    qs += [one(p[0], "ordinal", options=_opts(LIKERT), missing_codes=DK) for p in (*PUSH, PERF_PAY)]
    qs.append(one("comment", "text", pii=True))
    head = [h.format(wave="2025", platform="SurveyMonkey xlsx, two header rows",
                     colconv="Korean question text of header row 1 (forward-filled over a block)",
                     extra=" the export holds") for h in HEAD]
    head += ["offer_countries: one column per option, found by its row-2 label; option `other`",
             "has no tick column: its specify column (row 2 'Other (please specify)') marks it."]
    meta = {"survey": "academy_member_survey", "version": "2025.1",
            "title": {"en": "Academy member survey 2025", "ko": "과학기술한림원 회원 설문 2025"},
            "source": {"header_rows": 2, "sheet": "Sheet_1"}}
    harmonize = yaml.safe_dump({"harmonize": HARMONIZE}, allow_unicode=True, sort_keys=False, width=100)
    pop: dict[str, dict[str, int]] = {}
    for variable, category, count in population:
        pop.setdefault(variable, {})[category] = count
    return (_emit(head, meta, qs, NOTES)
            + "# How the 2023.1 questionnaire maps onto this one (docs/codebook.md, Harmonisation).\n"
            + harmonize
            + "# Membership counts (as sample_data/population_2025.csv): weighting margins and fpc.\n"
            + yaml.safe_dump({"population": pop}, allow_unicode=True, sort_keys=False, width=100))


# 2023.1 -> 2025.1: renamed, recoded and merged options, questions added and dropped.
HARMONIZE: dict[str, Any] = {
    "panel_key": "member_no",
    "from": [{
        "version": "2023.1",
        "questions": {
            "salary_multiple": {"from": "salary_ratio"},
            "age_band": {"recode": {"70-79": "70+", "80+": "70+"}},
            "offer_countries": {"recode": {"usa": "us"}},
            "intent": {"recode": {"Considering": "Seriously considering",
                                  "Declined": "Considered and declined"}},
            **{p: {"match": "code"} for p in ("push_seniority_pay", "push_short_term_eval", "push_funding",
                                               "push_infrastructure", "push_collaboration", "push_autonomy")},
        },
        "not_asked": ["support_perf_pay"],
        "dropped": ["prior_abroad"],
    }],
}


def codebook_2023() -> str:
    qs = [_q(c[3], c[4], c[0], role="id" if c[3] == "respondent_id" else "meta",
             required=True if c[3] == "respondent_id" else None, pii=True if c[5] else None)
          for c in Q23_META]

    def one(qid: str, qtype: str, **kw: Any) -> dict[str, Any]:
        return _q(qid, qtype, Q23[qid][0], Q23[qid][1:], **kw)

    div_opts = sorted(({"code": DIV_CODE_2023[d], "label": {"en": dv[0], "ko": dv[1]}}
                       for d, dv in enumerate(DIVISIONS)), key=lambda o: o["code"])
    qs += [one("division", "single", required=True, options=div_opts),
           one("institution_type", "single", required=True, options=_opts(INSTITUTIONS)),
           one("age_band", "ordinal", required=True, options=_opts(AGE_2023)),
           one("offer_received", "single", required=True, options=_opts(YES_NO))]
    countries = [{"code": "usa" if c[0] == "us" else c[0], "label": {"en": c[3], "ko": c[2]},
                  "column": f"Q5_{j}"} for j, c in enumerate(C23, 1)]
    countries.append({"code": "other", "label": {"en": "Other", "ko": "기타"}, "column": "Q5_8"})
    qs.append(_q("offer_countries", "multiple", None, Q23["offer_countries"][1:], layout="columns",
                 options=countries, other={"option": "other", "column": "Q5_8_TEXT"}))
    qs += [one("intent", "ordinal", options=_opts(INTENT_2023)),
           one("salary_ratio", "number", range=[0.5, 10])]
    for j, p in enumerate(PUSH, 1):
        qs.append(_q(p[0], "ordinal", f"Q8_{j}", (p[1], p[2]), options=_opts(LIKERT_2023),
                     missing_codes=DK))
    qs += [one("prior_abroad", "single", options=_opts(YES_NO)),
           one("gender", "single", required=True, options=_opts(GENDER)),
           one("comment", "text", pii=True),
           _q("member_no", "text", "member_no", role="meta", required=True)]
    head = [h.format(wave="2023",
                     platform="Qualtrics csv, three header rows, CP949, numeric values",
                     colconv="Qualtrics column id of header row 1 (Q1, Q5_1, Q8_3)",
                     extra=" (the export holds the recode value, `code`)") for h in HEAD]
    head += ["offer_countries: per-option columns Q5_1..Q5_8 hold 1 when ticked, blank otherwise;",
             "Q5_8_TEXT is the specify text of option `other`.",
             "",
             "Differences from the 2025 questionnaire (for harmonisation):",
             "  - division codes: Agriculture & Fisheries 3, Medicine & Pharmacy 4",
             "    (the two are swapped in 2025);",
             "  - age_band: 70-79 and 80+ were merged into 70+ in 2025;",
             "  - offer_countries: 'USA' (code usa) became 'United States' (code us);",
             "    Middle East was not offered in 2023;",
             "  - intent: Considering -> Seriously considering,",
             "    Declined -> Considered and declined;",
             "  - Likert labels had no number prefix (codes 1-5 and Don't know = 8 unchanged);",
             "  - salary_ratio was renamed salary_multiple; prior_abroad was dropped in 2025;",
             "  - support_perf_pay was not asked in 2023."]
    notes = dict(NOTES)
    notes["respondent_id"] = "Qualtrics response id (R_ + 15 letters and digits)."
    notes["push_seniority_pay"] = ("Matrix Q8: push factors (Likert 1-5); push_autonomy is "
                                   "reverse keyed.")
    meta = {"survey": "academy_member_survey", "version": "2023.1",
            "title": {"en": "Academy member survey 2023", "ko": "과학기술한림원 회원 설문 2023"},
            "source": {"header_rows": 3}}
    return _emit(head, meta, qs, notes)


# --------------------------------------------------------------------------- main
def generate(out: Path, schemas: Path) -> None:
    """Write every sample file; the same seed gives the same bytes."""
    rng = np.random.default_rng(SEED)
    members = make_population(rng)
    resp25 = draw_sample(rng, members, [d[4] for d in DIVISIONS], 2025)
    in25 = {m.no for m in resp25}
    panel = [resp25[i] for i in sorted(rng.choice(len(resp25), 40, replace=False))]
    need = [d[5] - sum(m.division == k for m in panel) for k, d in enumerate(DIVISIONS)]
    resp23 = panel + draw_sample(rng, [m for m in members if m.no not in in25], need, 2023)
    out.mkdir(parents=True, exist_ok=True)
    schemas.mkdir(parents=True, exist_ok=True)
    write_2025(rng, resp25, out / "academy_2025.xlsx")
    write_2023(rng, resp23, out / "academy_2023.csv")
    write_population(members, out / "population_2025.csv")
    (schemas / "academy_member_survey.yaml").write_text(codebook_2025(population_rows(members)),
                                                         encoding="utf-8")
    (schemas / "academy_member_survey_2023.yaml").write_text(codebook_2023(), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("sample_data"), help="data directory")
    parser.add_argument("--schemas", type=Path, default=Path("schemas"), help="codebook directory")
    args = parser.parse_args(argv)
    generate(args.out, args.schemas)
    print(f"wrote {args.out}/academy_2025.xlsx, academy_2023.csv, population_2025.csv and "
          f"{args.schemas}/academy_member_survey*.yaml")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
