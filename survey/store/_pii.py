"""Respondent privacy at rest: drop ``pii`` questions, hash ids with a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from survey.codebook import Codebook
from survey.errors import StoreError

__all__ = [
    "PiiPlan", "default_key_path", "hash_column", "key_fingerprint", "plan_pii", "read_key",
    "read_or_create_key",
]


def default_key_path(root: Path) -> Path:
    """``<store>.key`` beside the store directory (outside it, so copying the store
    does not copy the key)."""
    root = root.resolve()
    return root.with_name(root.name + ".key")


def read_or_create_key(path: Path) -> bytes:
    """Read the hashing key; create it (32 random bytes, hex, mode 0600) when missing."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(f"cannot create the key file: {exc.strerror}", location=str(path),
                         hint="give --key-file in a writable directory outside the store") from None
    else:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    return read_key(path)


def read_key(path: Path) -> bytes:
    """Read an existing hashing key (checked: long enough, not readable by others)."""
    try:
        text = path.read_text(encoding="ascii").strip()
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"cannot read the key file: {exc}", location=str(path),
                         hint="the key is a line of hex written by the first ingest") from None
    if len(text) < 32:
        raise StoreError("the key file holds fewer than 32 characters", location=str(path),
                         hint="restore the key file; a new key would break links to stored waves")
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise StoreError(f"the key file is readable by others (mode {stat.S_IMODE(mode):o})",
                         location=str(path), hint=f"chmod 600 {path}")
    return text.encode("ascii")


def key_fingerprint(key: bytes) -> str:
    """A short, non-secret name of a key: waves hashed with different keys cannot be linked."""
    return hmac.new(key, b"survey-store key fingerprint", hashlib.sha256).hexdigest()[:16]


def hash_column(series: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA256 (hex) of each value's text, trimmed; nulls stay null."""
    text = series.cast(pl.String).str.strip_chars()
    uniq = text.drop_nulls().unique().to_list()
    base = hmac.new(key, digestmod=hashlib.sha256)
    digests = []
    for v in uniq:
        h = base.copy()
        h.update(v.encode("utf-8"))
        digests.append(h.hexdigest())
    table = pl.DataFrame({"v": uniq, "h": digests}, schema={"v": pl.String, "h": pl.String})
    return text.to_frame("v").join(table, on="v", how="left", maintain_order="left")["h"].alias(series.name)


@dataclass(frozen=True)
class PiiPlan:
    """Which columns are dropped and which hashed before a wave is written."""

    keep: bool
    dropped: tuple[str, ...]
    hashed: tuple[str, ...]

    def apply(self, frame: pl.DataFrame, key: bytes | None) -> pl.DataFrame:
        if self.keep:
            return frame
        out = frame.drop([c for c in self.dropped if c in frame.columns])
        if self.hashed:
            assert key is not None
            out = out.with_columns(hash_column(out[c], key) for c in self.hashed)
        return out

    def to_dict(self, key: bytes | None) -> dict[str, object]:
        d: dict[str, object] = {"kept": self.keep, "dropped": list(self.dropped),
                                "hashed": list(self.hashed)}
        if self.hashed and key is not None:
            d["hash"] = "hmac-sha256"
            d["key_fingerprint"] = key_fingerprint(key)
        return d


def plan_pii(codebook: Codebook, *, keep: bool, panel_keys: tuple[str, ...] = ()) -> PiiPlan:
    """Drop every column of ``pii: true`` questions; hash the id and panel-key questions.

    A question named as panel key (by this codebook or by the store) is hashed, never
    dropped, even when it is marked ``pii``: hashing is what keeps waves linkable.
    """
    if keep:
        return PiiPlan(keep=True, dropped=(), hashed=())
    ids = {q.id for q in codebook.questions if q.role == "id"}
    keys = {k for k in (codebook.panel_key, *panel_keys) if k}
    hashed = tuple(q.id for q in codebook.questions if q.id in ids | keys and q.type != "multiple")
    dropped = tuple(c for q in codebook.questions if q.pii and q.id not in hashed
                    for c in q.output_columns())
    return PiiPlan(keep=False, dropped=dropped, hashed=hashed)
