"""Opening data: a typed Parquet file with its codebook, a csv/xlsx with or without a
codebook, or a wave store; reading only the columns an analysis needs.

:func:`open_source` learns what a source holds without reading its rows where the
format allows (Parquet and csv headers); :meth:`Source.read` then reads the columns
asked for. Spreadsheets, typed csv and stores are read whole once, on first need.
"""

from __future__ import annotations

import functools
import glob
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from survey.bind._where import resolve_columns
from survey.errors import SpecError, UnreadableInputError

if TYPE_CHECKING:
    from survey.bind._spec import DesignSpec
    from survey.codebook import Codebook
    from survey.design import SurveyFrame
    from survey.io import Limits
    from survey.store import Harmonized

__all__ = ["META_CODEBOOK", "META_WEIGHTING", "Source", "imputation_paths", "open_source",
           "stored_weighting"]

META_CODEBOOK = "survey.codebook"
"""Parquet metadata key of the codebook (``survey.frames.META_CODEBOOK``; not imported
from there, whose spreadsheet readers cost ~0.7 s of start-up)."""
META_WEIGHTING = "survey.weighting"
"""Parquet metadata key of a stored weighted design (``survey.weighting.META_WEIGHTING``;
not imported from there, which would load scipy)."""

PARQUET = (".parquet",)
CSV = (".csv", ".tsv", ".txt")
SPREADSHEET = (".xlsx", ".xlsm", ".xls")


class Source:
    """An opened data source (see :func:`open_source`).

    Attributes
    ----------
    path, store, waves, sheet
        Where the rows come from.
    notes, warnings
        What reading said (a wave that did not ask a question; validation errors of a
        typed spreadsheet), for the caller to show.
    """

    def __init__(self, path: str | Path | None = None, *, schema: str | Path | None = None,
                 store: str | Path | None = None, waves: Iterable[str] | None = None,
                 sheet: str | None = None, limits: Limits | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.schema = str(schema) if schema is not None else None
        self.store = str(store) if store is not None else None
        self.waves = tuple(waves) if waves else None
        self.sheet = sheet
        self.limits = limits
        self.notes: list[str] = []
        self.warnings: list[str] = []
        self.harmonized: Harmonized | None = None  # a store's load: notes, not-asked columns
        self._whole: pl.DataFrame | None = None
        self._codebook: Codebook | None = None
        self._header: tuple[str, ...] = ()
        self._meta: dict[str, str] = {}
        self._inspect()

    def __repr__(self) -> str:
        where = self.path or f"store {self.store}" + (f" waves {','.join(self.waves)}"
                                                      if self.waves else "")
        return f"Source({where})"

    @property
    def suffix(self) -> str:
        """The file's extension, lower case ('' for a store)."""
        return Path(self.path).suffix.lower() if self.path else ""

    def _inspect(self) -> None:
        if self.path is None:
            return
        if not Path(self.path).is_file():
            raise SpecError(f"{self.path!r} is not a file", field="data")
        ext = self.suffix
        if ext not in (*PARQUET, *CSV, *SPREADSHEET):
            raise SpecError(f"{self.path}: the data must be .parquet, .csv, .tsv or .xlsx",
                            field="data")
        try:
            if ext in PARQUET:
                self._meta = parquet_metadata(self.path)
                self._header = tuple(pl.read_parquet_schema(self.path))
            elif ext in CSV and self.schema is None:
                self._header = tuple(self._scan_csv().collect_schema())
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise UnreadableInputError(f"cannot read it: {str(exc).splitlines()[0]}",
                                       location=self.path) from None

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of the source (a spreadsheet, typed csv or store is read for it)."""
        return self._header or tuple(self._read_whole().columns)

    @property
    def header(self) -> tuple[str, ...]:
        """The columns known without reading rows (empty for spreadsheets and stores)."""
        return self._header

    @property
    def weighting(self) -> str | None:
        """The weighted design (JSON) a Parquet file from ``survey weight`` stored."""
        return self._meta.get(META_WEIGHTING)

    @property
    def codebook(self) -> Codebook | None:
        """The codebook: ``schema``'s, else a typed Parquet file's or the store's."""
        if self._codebook is None:
            if self.schema is not None and (self.path is None or self.suffix in PARQUET):
                from survey.codebook import load_codebook

                self._codebook = load_codebook(self.schema)
            elif META_CODEBOOK in self._meta:
                from survey.codebook import parse_codebook

                self._codebook = parse_codebook(json.loads(self._meta[META_CODEBOOK]),
                                                path=f"{self.path}#codebook")
            elif not self._header:
                self._read_whole()
        return self._codebook

    @property
    def panel_key(self) -> str | None:
        """A store's member key linking panel members across its waves (the newest
        codebook's ``panel_key``), unless it was dropped as personal data; else None."""
        if self.store is None:
            return None
        from survey.store import WaveStore
        from survey.store._harmonize import newest_codebook

        ws = WaveStore(self.store)
        manifest = ws.manifest()
        waves = self.waves or tuple(sorted(manifest.waves))
        try:
            key = newest_codebook([ws.codebook(w) for w in waves]).panel_key
            dropped = any(key in (manifest.waves[w].pii.get("dropped") or ()) for w in waves)
        except Exception:  # noqa: BLE001 - an unknown wave is reported when the data load
            return None
        return None if dropped else key  # a key not stored cannot link the waves

    def read(self, columns: Iterable[str] = ("*",), *,
             spec: DesignSpec | None = None) -> pl.DataFrame:
        """The rows, with only ``columns`` (names or globs; ``*`` is every column) and
        those ``spec``'s design reads (checked first, each named by its field).

        Parquet and plain csv read only those columns; an unknown name raises
        :class:`~survey.errors.SpecError` offering the nearest ones.
        """
        wanted = list(columns)
        if spec is not None:
            wanted.extend(spec.columns(self.weighting, available=self.columns))
        if self._header and self.path is not None:
            keep = resolve_columns(wanted, self._header)
            reader = pl.scan_parquet(self.path) if self.suffix in PARQUET else self._scan_csv()
            try:
                frame = reader.select(keep).collect()
            except (OSError, pl.exceptions.PolarsError) as exc:
                raise UnreadableInputError(f"cannot read it: {str(exc).splitlines()[0]}",
                                           location=self.path) from None
            return _contiguous(frame)
        whole = self._read_whole()
        return whole.select(resolve_columns(wanted, whole.columns))

    def design(self, spec: DesignSpec | None = None, *, columns: Iterable[str] = ("*",),
               samples_by: str | None = None) -> SurveyFrame:
        """Read ``columns`` and the design's, and bind ``spec`` (:func:`~survey.bind.bind`);
        a stored weighted design is replayed."""
        from survey.bind._spec import DesignSpec, bind

        spec = spec if spec is not None else DesignSpec()
        frame = self.read(columns, spec=spec)
        return bind(frame, spec, stored=self.weighting, samples_by=samples_by)

    def _scan_csv(self) -> pl.LazyFrame:
        assert self.path is not None
        sep = "\t" if self.suffix == ".tsv" else ","
        return pl.scan_csv(self.path, separator=sep, null_values=["", "NA"],
                           infer_schema_length=10_000)

    def _read_whole(self) -> pl.DataFrame:
        if self._whole is None:
            self._whole, codebook = self._load()
            if self._codebook is None:
                self._codebook = codebook
        return self._whole

    def _load(self) -> tuple[pl.DataFrame, Codebook | None]:
        if self.path is None:  # a wave store, harmonised
            from survey.store import load

            assert self.store is not None
            codebook = self.codebook if self.schema is not None else None
            harmonized = load(self.store, waves=list(self.waves) if self.waves else None,
                              codebook=codebook)
            self.harmonized = harmonized
            for wave, cols in harmonized.not_asked.items():
                if cols:
                    self.notes.append(f"wave {wave} did not ask {', '.join(cols)} (null there, "
                                      "not filled)")
            for wave, notes in harmonized.notes.items():
                self.notes.extend(f"wave {wave}: {note}" for note in notes)
            return harmonized.frame, harmonized.codebook
        if self.schema is not None:
            from survey.codebook import load_codebook
            from survey.frames import read_survey
            from survey.io import Limits

            typed = read_survey(self.path, load_codebook(self.schema), sheet=self.sheet,
                                limits=self.limits or Limits())
            if not typed.report.ok:
                self.warnings.append(f"{typed.report.n_errors} validation error(s); bad cells "
                                     "are treated as missing (run `survey validate`)")
            return typed.frame, typed.codebook
        try:
            return pl.read_excel(self.path, sheet_name=self.sheet), None
        except Exception as exc:  # noqa: BLE001 - fastexcel raises its own error types
            raise UnreadableInputError(f"cannot read it: {str(exc).splitlines()[0]}",
                                       location=self.path) from None


def open_source(data: str | Path | None = None, *, schema: str | Path | None = None,
                store: str | Path | None = None, waves: Iterable[str] | str | None = None,
                sheet: str | None = None, limits: Limits | None = None) -> Source:
    """Open a data file or a wave store, reading no rows yet.

    Parameters
    ----------
    data
        A typed Parquet file from ``survey ingest`` (its codebook comes with it), or a
        csv/tsv/xlsx export: typed and validated with the ``schema`` codebook (bad cells
        become nulls, and ``Source.warnings`` says so), else read as-is.
    store, waves
        A wave store (``survey waves``) in place of ``data``: the ``waves`` (default:
        all), harmonised into the newest codebook's terms.
    sheet
        Sheet of an xlsx.
    limits
        Size limits of spreadsheet reads (``survey.io.Limits``).

    >>> open_source("sample_data/academy_2025.parquet").header[:2]  # doctest: +SKIP
    ('respondent_id', 'division')
    """
    if (data is None) == (store is None):
        raise SpecError("give a data file or a wave store, one of them", field="data")
    if isinstance(waves, str):
        waves = [w.strip() for w in waves.split(",") if w.strip()]
    if waves and store is None:
        raise SpecError("`waves` needs `store`", field="waves")
    return Source(data, schema=schema, store=store, waves=waves, sheet=sheet, limits=limits)


def imputation_paths(pattern: str) -> list[str]:
    """The completed data sets of a multiple imputation (``wave_imp*.csv``), sorted."""
    files = sorted(glob.glob(pattern))
    if len(files) < 2:
        raise SpecError(f"{pattern!r} matches {len(files)} file(s); combining imputations "
                        "needs at least two", field="imputations")
    return files


def stored_weighting(path: str | Path | None) -> str | None:
    """The weighted design (JSON) a Parquet file from ``survey weight`` stored, or None."""
    if path is None or Path(path).suffix.lower() not in PARQUET:
        return None
    try:
        return parquet_metadata(str(path)).get(META_WEIGHTING)
    except (OSError, pl.exceptions.PolarsError):
        return None


def parquet_metadata(path: str) -> dict[str, str]:
    """A Parquet file's key-value metadata, read once per version of the file."""
    st = os.stat(path)
    return _metadata_of(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=8)
def _metadata_of(path: str, mtime_ns: int, size: int) -> dict[str, str]:
    return pl.read_parquet_metadata(path)


def _contiguous(frame: pl.DataFrame) -> pl.DataFrame:
    """One chunk per column, a column at a time (a Parquet file arrives in row-group chunks;
    rechunked later, by a frame-level operation, it would briefly cost twice its memory)."""
    cols = frame.get_columns()
    del frame
    for i, col in enumerate(cols):
        cols[i] = col.rechunk()
        del col
    return pl.DataFrame(cols)
