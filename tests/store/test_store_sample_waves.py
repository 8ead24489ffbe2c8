"""Both sample waves in one store, reloaded harmonised in the 2025 codebook's terms."""

from __future__ import annotations

import stat

import polars as pl
import pytest

import survey.store
from survey.frames import read_survey
from survey.store import WaveStore, load
from tests.store.conftest import CSV_2023, XLSX_2025, frame_of


def test_harmonised_frame_has_380_rows_wave_column_and_2025_types(sample_store: WaveStore, cb25):
    h = load(sample_store, waves=["2023", "2025"])
    f = h.frame
    assert f.height == 380
    assert f.columns[0] == "wave" and f.columns[-1] == "panel"
    assert f["wave"].dtype == pl.Enum(["2023", "2025"])
    assert f["wave"].value_counts().sort("wave")["count"].to_list() == [180, 200]
    for qid in ("division", "age_band", "intent", "push_funding"):
        assert f[qid].dtype == pl.Enum(list(cb25.question(qid).labels)), qid
    assert f.filter(pl.col("wave") == "2023")["age_band"].null_count() == 0
    assert "salary_ratio" not in f.columns and "prior_abroad" not in f.columns
    assert h.codebook.version == "2025.1"


def test_united_states_is_counted_the_same_way_in_both_waves(sample_store: WaveStore, cb23, cb25):
    h = load(sample_store, waves=["2023", "2025"])
    us = dict(h.frame.group_by("wave").agg(pl.col("offer_countries__us").sum()).iter_rows())
    # the 2023 'USA' ticks (option usa, column Q5_2) become offer_countries__us
    raw23 = read_survey(CSV_2023, cb23).frame["offer_countries__usa"].sum()
    raw25 = read_survey(XLSX_2025, cb25).frame["offer_countries__us"].sum()
    assert us == {"2023": raw23, "2025": raw25} == {"2023": 25, "2025": 33}
    offered = h.frame.filter(pl.col("offer_received") == "Yes")
    assert offered["offer_countries__us"].null_count() == 0  # answered in both waves


def test_questions_a_wave_did_not_ask_are_null_and_reported(sample_store: WaveStore):
    h = load(sample_store, waves=["2023", "2025"])
    w23 = h.frame.filter(pl.col("wave") == "2023")
    assert {"support_perf_pay", "offer_countries__middle_east"} <= set(h.not_asked["2023"])
    assert w23["support_perf_pay"].null_count() == 180
    assert w23["offer_countries__middle_east"].null_count() == 180
    assert h.not_asked["2025"] == ()
    assert any("was 'salary_ratio'" in n for n in h.notes["2023"])
    assert any("prior_abroad" in n for n in h.notes["2023"])
    assert "not asked: collector_id, offer_countries__middle_east, support_perf_pay" in h.to_text()


def test_panel_members_are_linked_by_hashed_member_number(sample_store: WaveStore):
    h = load(sample_store, waves=["2023", "2025"])
    assert h.panel_key == "member_no"
    panel = h.frame.filter("panel")
    assert panel.height == 80 and panel["member_no"].n_unique() == 40
    assert h.frame["member_no"].str.len_chars().unique().to_list() == [64]


def test_reingesting_the_same_file_is_a_noop(sample_store: WaveStore, cb25):
    before = (sample_store.root / "manifest.json").read_bytes()
    result = sample_store.ingest(XLSX_2025, cb25, wave="2025")
    assert result.status == "unchanged" and "nothing to do" in result.message
    assert (sample_store.root / "manifest.json").read_bytes() == before


def test_pii_is_dropped_and_ids_hashed_at_rest(sample_store: WaveStore, cb25):
    f = frame_of(sample_store, "2025")
    for col in ("email", "first_name", "last_name", "ip_address", "comment"):
        assert col not in f.columns
    raw = read_survey(XLSX_2025, cb25).frame
    assert not set(raw["respondent_id"]) & set(f["respondent_id"])
    assert f["respondent_id"].str.contains(r"^[0-9a-f]{64}$").all()
    assert not set(raw["member_no"]) & set(f["member_no"])
    entry = sample_store.entry("2025")
    assert entry.pii["hashed"] == ["respondent_id", "member_no"] and entry.pii["hash"] == "hmac-sha256"
    key = sample_store.key_file
    assert key.parent == sample_store.root.parent and key.name == "store.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    all_bytes = b"".join(p.read_bytes() for p in sample_store.root.rglob("*") if p.is_file())
    assert raw["email"].drop_nulls()[0].encode() not in all_bytes


def test_keep_pii_stores_everything(tmp_path, cb25):
    store = WaveStore(tmp_path / "s")
    store.ingest(XLSX_2025, cb25, wave="2025", keep_pii=True)
    f = frame_of(store, "2025")
    assert "email" in f.columns and f["respondent_id"].str.len_chars().max() == 11
    assert store.entry("2025").pii == {"kept": True, "dropped": [], "hashed": []}
    assert not store.key_file.exists()


def test_manifest_records_provenance(sample_store: WaveStore):
    e = sample_store.entry("2023")
    assert (e.rows, e.codebook_version, e.source_file) == (180, "2023.1", "academy_2023.csv")
    assert len(e.source_sha256) == 64 and e.ingested_at.endswith("Z")
    assert e.validation["ok"] and e.validation["encoding"] == "cp949"
    assert e.file == f"waves/2023/{e.sha256[:16]}.parquet"
    assert sample_store.verify() == []
    assert pl.read_parquet(sample_store.root / e.file).height == 180  # plain Parquet


def test_survey_store_load_is_the_public_name():
    assert survey.store.load is load


def test_unknown_wave_is_refused(sample_store: WaveStore):
    with pytest.raises(survey.errors.StoreError, match="no wave '2019'"):
        load(sample_store, waves="2019,2025")
