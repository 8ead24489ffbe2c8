"""Exceptions and warnings raised by the survey toolkit.

Every error the toolkit raises on purpose derives from :class:`SurveyError`, so a
caller can catch one class.  Each carries where the problem is (``location``), a
``hint`` on how to fix it, and the process exit code the command line uses::

    SurveyError                      exit 2 unless stated
    ├── CodebookError                a codebook file is malformed (every mistake listed)
    ├── IngestError
    │   ├── UnreadableInputError     the file cannot be read at all (corrupt, encrypted, too big)
    │   └── ValidationError          the data were read but failed validation (exit 1)
    ├── StoreError                   the wave store refused an operation
    ├── DesignError                  a survey design is inconsistent with its data
    │   ├── SpecError                a design specification or SQL condition is wrong
    │   └── NotStreamable            a design or estimate needs the rows in memory
    ├── EstimationError              an estimate cannot be computed
    ├── ModelError                   a model cannot be fitted
    ├── PlanError                    an analysis plan is malformed
    └── ReportError                  a report cannot be written

    SurveyWarning
    └── DataWarning                  data issues that do not stop the work
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

__all__ = [
    "CodebookError",
    "DataWarning",
    "DesignError",
    "EstimationError",
    "IngestError",
    "ModelError",
    "NotStreamable",
    "PlanError",
    "ReportError",
    "SpecError",
    "StoreError",
    "SurveyError",
    "SurveyWarning",
    "UnreadableInputError",
    "ValidationError",
]


class SurveyError(Exception):
    """Base class of every error the toolkit raises on purpose.

    Parameters
    ----------
    message
        What went wrong, quoting the offending value.
    location
        Where: a file, ``file:sheet!cell``, a codebook path such as
        ``questions[3].options[1].label``, or a column name.
    hint
        How to fix it.
    problems
        Further messages when several mistakes are reported at once.
    """

    exit_code: int = 2

    def __init__(
        self,
        message: str,
        *,
        location: str | None = None,
        hint: str | None = None,
        problems: Sequence[str] = (),
    ) -> None:
        self.message = message
        self.location = location
        self.hint = hint
        self.problems = tuple(problems)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        head = f"{self.location}: {self.message}" if self.location else self.message
        lines = [head, *(f"  - {p}" for p in self.problems)]
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


class CodebookError(SurveyError):
    """A codebook is malformed; ``problems`` lists every mistake with its location."""


class IngestError(SurveyError):
    """A data file could not be turned into a typed frame."""


class UnreadableInputError(IngestError):
    """The input cannot be read at all: corrupt, encrypted, not a spreadsheet, over a limit."""


class ValidationError(IngestError):
    """The data were read but failed validation; ``report`` holds every problem."""

    exit_code = 1

    def __init__(self, message: str, *, report: object = None, **kwargs: object) -> None:
        self.report = report
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class StoreError(SurveyError):
    """The wave store refused an operation."""


class DesignError(SurveyError):
    """A survey design is inconsistent with its data."""


class NotStreamable(DesignError):
    """A design or estimate needs the rows in memory: it cannot run on a lazy design
    (:class:`~survey.design.LazySurveyFrame`); read the rows and bind a SurveyFrame."""


class SpecError(DesignError):
    """A design specification or SQL condition is wrong (:mod:`survey.bind`).

    ``field`` names the specification field at fault (``where``, ``fpc_file``,
    ``replicate_weights`` ...). Field names quoted in backticks in the message and hint
    (`` `strata` ``) are re-spelt by :meth:`named`: the command line gives its flags
    (``--strata``) so every caller reports one mistake with one message.
    """

    def __init__(self, message: str, *, field: str | None = None,
                 names: Mapping[str, str] | None = None, location: str | None = None,
                 hint: str | None = None, problems: Sequence[str] = ()) -> None:
        self.template, self.hint_template, self.field = message, hint, field
        spelt = dict(names or {})
        fill = functools.partial(_spell, spelt)
        where = location if location is not None else (
            spelt.get(field, field) if field else None)
        super().__init__(fill(message), location=where,
                         hint=fill(hint) if hint else None, problems=problems)

    def named(self, names: Mapping[str, str]) -> SpecError:
        """The same error with its field names spelt by ``names`` (e.g. CLI flags)."""
        out = type(self)(self.template, field=self.field, names=names,
                         hint=self.hint_template, problems=self.problems)
        return out


def _spell(names: Mapping[str, str], text: str) -> str:
    return re.sub(r"`([^`\s]+)`", lambda m: names.get(m[1], m[0]), text)


class EstimationError(SurveyError):
    """An estimate cannot be computed."""


class ModelError(SurveyError):
    """A model cannot be fitted."""


class PlanError(SurveyError):
    """An analysis plan is malformed."""


class ReportError(SurveyError):
    """A report cannot be written."""


class SurveyWarning(UserWarning):
    """Base class of the toolkit's warnings."""


class DataWarning(SurveyWarning):
    """A data problem that does not stop the work."""


class ChangedNameWarning(SurveyWarning, FutureWarning):
    """A name that was renamed or now means something else; the message says what to use."""
