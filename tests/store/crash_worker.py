"""Subprocess for the crash and concurrency tests: writes waves into a store in a loop.

python -m tests.store.crash_worker STORE loop ROWS      ingest/replace/prune until killed
python -m tests.store.crash_worker STORE once WAVE SEED  one ingest; prints the outcome
"""

from __future__ import annotations

import sys

from survey.errors import StoreError
from survey.store import WaveStore
from tests.store.helpers import small_survey


def main(argv: list[str]) -> int:
    store = WaveStore(argv[0])
    if argv[1] == "loop":
        big = small_survey(int(argv[2]), seed=7)
        print("ready", flush=True)
        i = 0
        while True:
            store.add(big, wave=f"w{i % 3}", source_name=f"f{i}.csv", source_sha256=f"{i:064x}",
                      replace=True)
            if i % 4 == 3:
                store.prune()
            if i % 7 == 6:
                store.remove(f"w{i % 3}")
            i += 1
    try:
        r = store.add(small_survey(50, seed=int(argv[3])), wave=argv[2], source_name=f"f{argv[3]}.csv",
                      source_sha256=f"{int(argv[3]):064x}")
    except StoreError as exc:
        print(f"refused: {exc.message}", flush=True)
        return exc.exit_code
    print(r.status, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
