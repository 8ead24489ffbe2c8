"""A platform's own description of its questionnaire, read into one neutral model.

Survey platforms export the answers and, separately, the questionnaire: a Qualtrics
survey file (``.qsf``), an XLSForm (KoboToolbox, ODK), a REDCap data dictionary, the
variable and value labels inside an SPSS/Stata file, or a plain codebook table (a csv or
xlsx of variable names and question text, optionally value labels).  :func:`read_metadata` reads any of
them into :class:`FormMetadata`: questions with their text, type, answer codes and labels
in order, multiple-choice groups, required flags, sections and missing codes, and for each
the column names (or Qualtrics ImportIds) under which the export holds its answers.
Turning that into a codebook checked against an export is
``survey.frames.draft_from_metadata``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from survey.errors import UnreadableInputError
from survey.io._model import Limits
from survey.io._sniff import _SAS7BDAT, _XPT
from survey.io._util import unreadable
from survey.io._zipguard import inspect_xlsx

__all__ = ["FormMetadata", "MetaChoice", "MetaQuestion", "MetadataKind", "read_metadata"]

MetadataKind = Literal["qsf", "xlsform", "redcap", "sav", "dta", "xpt", "sas7bdat", "table"]
# "auto": the metadata gives the question's text (and value labels) but not its type,
# which is then drafted from the data (a plain codebook table)
MetaType = Literal["single", "ordinal", "multiple", "integer", "number", "date", "datetime", "text",
                   "auto"]

_TAG = re.compile(r"<[^>]{0,400}>")
_ENTITY = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'"}


@dataclass(frozen=True)
class MetaChoice:
    """One answer option: ``code`` as stored in a codes export, ``label`` as shown.

    ``keys`` name the option's own column when a multiple-choice question is exported
    as one 0/1 column per option (REDCap ``gym___1``, Kobo ``group/q/choice``,
    Qualtrics ``Q5_1`` or ImportId ``QID5_1``), best guess first.
    """

    code: str
    label: str
    keys: tuple[str, ...] = ()
    label_ko: str | None = None


@dataclass(frozen=True)
class MetaQuestion:
    """One question of the form, as the platform describes it.

    ``keys`` are the column names (or Qualtrics ImportIds) that may hold the whole
    answer, best guess first; a multiple-choice question may have both these (one
    delimited cell, joined by ``delimiter``) and per-choice columns (``MetaChoice.keys``).
    ``group`` is the text of the section, block, form, grid or ranking the question
    belongs to, ``group_kind`` which of these (``section``, ``grid``, ``ranking``).
    """

    name: str
    type: MetaType
    text: str | None = None
    choices: tuple[MetaChoice, ...] = ()
    keys: tuple[str, ...] = ()
    delimiter: str | None = None
    required: bool = False
    group: str | None = None
    group_kind: Literal["section", "grid", "ranking"] = "section"
    missing: tuple[MetaChoice, ...] = ()
    role: Literal["answer", "id", "meta"] = "answer"
    pii: bool = False
    minimum: float | None = None
    maximum: float | None = None
    text_ko: str | None = None


@dataclass(frozen=True)
class FormMetadata:
    """A questionnaire as read from a platform's metadata file."""

    kind: MetadataKind
    path: str
    title: str | None
    questions: tuple[MetaQuestion, ...]
    notes: tuple[str, ...] = ()


def read_metadata(path: str | os.PathLike[str], *, limits: Limits = Limits()) -> FormMetadata:
    """Read a platform's questionnaire description; the kind is told by the content.

    Parameters
    ----------
    path
        A Qualtrics ``.qsf`` (JSON), an XLSForm workbook (sheets ``survey`` and
        ``choices``), a REDCap data dictionary (``.csv``, header ``Variable / Field Name``
        or ``field_name``), an SPSS ``.sav`` / Stata ``.dta`` file (its labels), or a
        plain codebook table (``.csv``/``.xlsx`` headed e.g. ``variable,label``,
        ``qname,question`` or ``variable,value,label``).
    limits
        The readers' size limits (the same as for exports).

    Raises
    ------
    UnreadableInputError
        When the file is none of these, or cannot be read.

    Examples
    --------
    >>> meta = read_metadata("survey.qsf")  # doctest: +SKIP
    >>> meta.kind, meta.questions[0].text  # doctest: +SKIP
    ('qsf', 'How old are you?')
    """
    p = str(path)
    try:
        size = os.path.getsize(p)
        with open(p, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise unreadable(f"cannot open the metadata file ({exc.strerror or exc})", p) from None
    if size > limits.max_file_bytes:
        raise unreadable(
            f"the metadata file is {size} bytes, over the limit of {limits.max_file_bytes}", p,
            "if this file is genuine, raise the limit (--max-file-size MB)")
    kind = _sniff(p, head, limits)
    if kind == "qsf":
        from survey.io._meta_qsf import read_qsf
        return read_qsf(p)
    if kind == "table":
        from survey.io._meta_table import read_meta_table
        return read_meta_table(p, limits=limits)
    if kind == "xlsform":
        from survey.io._meta_xlsform import read_xlsform
        return read_xlsform(p, limits=limits)
    if kind == "redcap":
        from survey.io._meta_redcap import read_redcap_dictionary
        return read_redcap_dictionary(p, limits=limits)
    from survey.io._meta_stat import read_stat_metadata
    return read_stat_metadata(p, kind=kind, limits=limits)


def _sniff(path: str, head: bytes, limits: Limits) -> MetadataKind:
    suffix = Path(path).suffix.lower()
    if head.startswith(b"$FL2") or head.startswith(b"$FL3"):
        return "sav"
    if suffix == ".dta" or head[:11] == b"<stata_dta>":
        return "dta"
    if head.startswith(_XPT):
        return "xpt"
    if head.startswith(_SAS7BDAT):
        return "sas7bdat"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        if b"SurveyEntry" in head or b"SurveyElements" in head or suffix == ".qsf":
            return "qsf"
    if head.startswith(b"PK\x03\x04"):
        return "xlsform" if _has_survey_sheet(path, limits) else "table"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xlsform"
    first = stripped.split(b"\n", 1)[0].lower()
    if b"variable / field name" in first or first.startswith(b"field_name") or b'"field_name"' in first:
        return "redcap"
    from survey.io._meta_table import header_roles
    cells = re.split(r"[,;\t]", first.decode("utf-8", "replace").strip())
    if header_roles([c.strip().strip('"') for c in cells]) is not None:
        return "table"
    raise unreadable(
        "not a metadata file this toolkit reads (a Qualtrics .qsf, an XLSForm .xlsx, "
        "a REDCap data dictionary .csv, an SPSS .sav / Stata .dta / SAS .xpt or .sas7bdat, "
        "or a codebook table headed e.g. 'variable,label')", path,
        "give the platform's questionnaire file to --metadata, or draft without it")


def _has_survey_sheet(path: str, limits: Limits) -> bool:
    """An XLSForm has a ``survey`` sheet; a workbook without one is read as a codebook table."""
    try:
        return any(s.name.strip().lower() == "survey" for s in inspect_xlsx(path, limits).sheets)
    except UnreadableInputError:  # let the XLSForm reader say why
        return True


def plain_text(text: object) -> str:
    """Question or label text for a codebook: HTML tags and entities out, spaces collapsed.

    >>> plain_text("How likely is the <b>COMMUNICATOR</b>&nbsp;to help?<br>\\n")
    'How likely is the COMMUNICATOR to help?'
    """
    if text is None:
        return ""
    s = str(text)
    s = re.sub(r"(?i)<br\s*/?>", " ", s)
    s = _TAG.sub("", s)
    for ent, rep in _ENTITY.items():
        s = s.replace(ent, rep)
    s = s.replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip()


def truthy(value: object) -> bool:
    """XLSForm / REDCap yes-flags: ``yes``, ``true``, ``true()``, ``y``, ``1``."""
    return str(value or "").strip().lower() in {"yes", "true", "true()", "y", "1"}


def to_float(value: object) -> float | None:
    try:
        f = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return f if f == f and abs(f) != float("inf") else None
