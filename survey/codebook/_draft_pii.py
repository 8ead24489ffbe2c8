"""Drafting, personal data: a question is ``pii: true`` only on evidence.

Evidence is a header asking for a name, e-mail, phone, address, zip code, place of
residence or location, or naming a login (``_submitted_by``, LimeSurvey's ``token``); values that
are e-mail addresses, IP addresses or phone numbers; free-text answers holding an e-mail
address or a phone number inside them; or answers that read as people's names
(``Kim Lee``, ``Anna K. Berg``) and do not repeat as a category's do.  A number, a date
or a categorical whose values repeat is never personal data.  Free text with none of this
evidence is kept (``pii: false``) with a ``# CHECK`` line saying so, since the wave store
drops ``pii`` columns and the analyst knows what the question asked.

Each test reads the column's distinct values with polars expressions.

>>> import polars as pl
>>> from survey.codebook._draft_decide import infer_column
>>> from survey.codebook._draft_inventory import inventory
>>> cells = [f"answer {i}, write to me at p{i}@example.org" for i in range(3)] + ["fine"] * 2
>>> personal(infer_column(cells), inventory(cells).values)[0]
True
"""

from __future__ import annotations

import re

import polars as pl

from survey.codebook._draft_decide import Decision

__all__ = ["is_name_header", "is_pii_header", "personal", "pii_values"]

_PII_RE = re.compile(
    r"(^|[^a-z])(firstname|lastname|surname|fullname|e-?mail|ip ?address|ipaddr|phone|mobile|"
    r"address|latitude|longitude|recipient|deviceid|zip ?code|postal ?code|postcode|signature|"
    r"username|user name|submitted_?by|network ?_?id|where do you live)|^_?token$|이름|성명|이메일|전화|휴대폰|연락처|주소|우편번호",
    re.IGNORECASE)
_NAME_PREFIX = frozenset({"", "first", "last", "full", "given", "family", "middle", "sur", "head",
                          "respondent", "contact", "member", "your", "my", "child", "parent"})
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_IP = r"^\d{1,3}(\.\d{1,3}){3}$"
_PHONE = r"^(\+\d{1,3}[ .-]?)?(\(\d{2,4}\)[ .-]?)?\d{2,4}[ .-]\d{3,4}[ .-]\d{3,4}$"
# inside a free-text answer: an e-mail address; a phone number written as one (+82 ...,
# (555) 555-2658, 010-1234-5678), not any run of digit groups (10 000 000 won)
_EMAIL_IN = r"[\w.+-]+@[\w-]+(\.[\w-]+)*\.[A-Za-z]{2,}"
_PHONE_IN = (r"(^|[^\d])(\+\d{1,3}[ .-]?\d{1,4}[ .-]?\d{3,4}[ .-]?\d{3,4}|\(\d{2,4}\) ?\d{3,4}[ .-]\d{4}|"
             r"\d{3}-\d{3,4}-\d{4})([^\d]|$)")
_PERSON = r"^\p{Lu}[\p{Ll}'-]+( \p{Lu}\.?)?( \p{Lu}[\p{Ll}'-]+){1,2}$"


def is_pii_header(text: str) -> bool:
    """Names, e-mails, addresses, phone numbers, locations in a column header."""
    if _PII_RE.search(text):
        return True
    words = re.split(r"[^a-z]+", text.lower())
    return any(w == "name" and (i == 0 or words[i - 1] in _NAME_PREFIX) for i, w in enumerate(words))


def is_name_header(text: str) -> bool:
    """A header asking for a person's name or login (``Name``, ``First name``, ``성명``,
    Kobo's ``_submitted_by``): its answers are never a category's options."""
    words = re.split(r"[^a-z]+", text.lower())
    return bool(re.search(r"firstname|lastname|surname|fullname|username|user name|submitted_?by|이름|성명",
                          text, re.IGNORECASE)) or any(
        w == "name" and (i == 0 or words[i - 1] in _NAME_PREFIX) for i, w in enumerate(words))


def pii_values(values: pl.DataFrame) -> bool:
    """Half the distinct values are e-mail addresses, IP addresses or phone numbers."""
    if values.is_empty():
        return False
    v = pl.col("value").str.strip_chars()
    hit = v.str.contains(_EMAIL) | v.str.contains(_IP) | v.str.contains(_PHONE)
    return int(values.select(hit.sum()).item()) * 2 >= values.height


def _quote(values: list[str], k: int = 2) -> str:
    shown = ", ".join(repr(v if len(v) <= 40 else v[:37] + "...") for v in values[:k])
    return shown + (f" and {len(values) - k} more" if len(values) > k else "")


def personal(d: Decision, values: pl.DataFrame, *, header_pii: bool = False,
             role: str = "answer") -> tuple[bool, str | None]:
    """(``pii``, the ``# CHECK`` line or None) for one drafted lone column.

    ``values``: the column's inventory values; ``header_pii``: its header asks for
    personal data; ``role``: a free-text *answer* without evidence earns the line saying
    it is kept.
    """
    if d.type in ("integer", "number", "date", "datetime", "single", "ordinal", "multiple"):
        return False, None
    if header_pii or pii_values(values):
        return True, None
    if values.is_empty():
        return False, None
    v = pl.col("value").str.strip_chars()
    contact = values.filter(v.str.contains(_EMAIL_IN) | v.str.contains(_PHONE_IN))
    if contact.height:
        cells = int(contact["n"].sum())
        return True, (f"{cells} answer{'s hold' if cells > 1 else ' holds'} an e-mail address or phone "
                      f"number ({_quote(contact['value'].to_list())}): pii: true, so the wave store "
                      "drops the column; to keep the rest, blank those answers and set pii: false")
    names = values.filter(v.str.contains(_PERSON))
    if names.height * 2 >= values.height and d.n_keys * 2 > d.n_answered:
        return True, (f"{names.height} of {values.height} distinct answers read as people's names "
                      f"({_quote(names['value'].to_list())}): pii: true; set pii: false if they are not")
    if role != "answer" or d.n_answered == 0:
        return False, None
    some = f"its {d.n_answered} answers holds" if d.n_answered > 1 else "its one answer is"
    return False, (f"free text kept (pii: false): none of {some} an e-mail address, a phone number "
                   "or a name; set pii: true if they can identify someone")
