"""Write sample_data/dispositions_2025.csv: the final disposition of every member invited in 2025.

The academy invited 500 of its 1,100 members (a stratified sample by division) by e-mail;
the 200 completed interviews are the respondents of sample_data/academy_2025.xlsx (their
member numbers), the other invitations end as AAPOR web-survey dispositions: partial,
refusal, break-off, no reply (non-contact), bounced e-mail (unknown eligibility) and not
eligible (retired from the academy or deceased before fieldwork). Drawn from a fixed seed,
so the file is the same on every run.

    python scripts/make_dispositions.py [--out sample_data/dispositions_2025.csv]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

import survey

ROOT = Path(__file__).resolve().parents[1]
SEED = 20250702
INVITED = {"Natural Sciences": 150, "Engineering": 175, "Medicine & Pharmacy": 75,
           "Agriculture & Fisheries": 45, "Policy Research": 55}
# the non-completes: AAPOR code, label, relative share
OTHER = [("1.2", "Partial", 4), ("2.11", "Refusal", 6), ("2.12", "Break-off", 5),
         ("2.20", "Non-contact (no reply)", 55), ("2.30", "Other", 2),
         ("3.30", "Invitation undeliverable (unknown eligibility)", 12),
         ("4.10", "Not eligible (left the academy)", 6)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "sample_data" / "dispositions_2025.csv")
    args = ap.parse_args()
    cb = survey.load_codebook(ROOT / "schemas" / "academy_member_survey.yaml")
    wave = survey.read_survey(ROOT / "sample_data" / "academy_2025.xlsx", cb).frame
    rng = np.random.default_rng(SEED)
    taken = set(wave["member_no"].to_list())
    free = [f"{i:06d}" for i in range(1, 1101) if f"{i:06d}" not in taken]
    rng.shuffle(free)
    shares = np.array([s for *_, s in OTHER], dtype=float)
    rows = []
    for division, invited in INVITED.items():
        members = wave.filter(division=division)["member_no"].sort().to_list()
        rows += [(m, division, "1.1", "Complete") for m in members]
        k = invited - len(members)
        draws = rng.choice(len(OTHER), size=k, p=shares / shares.sum())
        for j in draws:
            code, label, _ = OTHER[j]
            rows.append((free.pop(), division, code, label))
    rows.sort(key=lambda r: r[0])
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["member_no", "division", "disposition", "disposition_label"])
        w.writerows(rows)
    print(f"wrote {args.out} ({len(rows)} invitations)")


if __name__ == "__main__":
    main()
