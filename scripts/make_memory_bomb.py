"""Write a decompression bomb that passes the zip limits but not the memory budget.

The sheet XML repeats survey-like rows with one varying number each, so deflate (level 9)
shrinks it about 120:1: under the 200:1 ratio limit and the 4096 MB total limit, yet the
sheet inflates to SIZE MB, far more than half of a 2 GB process.

    python scripts/make_memory_bomb.py bomb.xlsx 1500
    (ulimit -v 2000000; survey validate bomb.xlsx -s any.yaml); echo $?    # 2, one line
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_reader_memory import _CT, _RELS, _WB, _WB_RELS  # noqa: E402

_ROW = '<c t="inlineStr"><is><t>Strongly agree</t></is></c>' * 9   # cells may omit r="A1"


def write_bomb(path: Path, sheet_mb: float) -> None:
    target = int(sheet_mb * 1024**2)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                     b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            written, r, chunk = 0, 0, []
            while written < target:
                r += 1
                chunk.append(f"<row><c><v>{(r * 7919) % 1009}</v></c>{_ROW}</row>")
                if len(chunk) == 2000:
                    written += fh.write("".join(chunk).encode())
                    chunk = []
            fh.write(("".join(chunk) + "</sheetData></worksheet>").encode())
        zf.writestr("[Content_Types].xml", _CT.format(sst=""))
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WB)
        zf.writestr("xl/_rels/workbook.xml.rels", _WB_RELS.format(sst=""))


if __name__ == "__main__":
    out, mb = Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 1500.0
    write_bomb(out, mb)
    with zipfile.ZipFile(out) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    print(f"{out}: {out.stat().st_size / 1024**2:.1f} MB on disk, sheet XML "
          f"{info.file_size / 1024**2:.0f} MB, ratio {info.file_size / info.compress_size:.0f}:1")
