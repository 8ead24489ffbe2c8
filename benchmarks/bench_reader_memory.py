"""The xlsx reader's peak memory against the sheet part's uncompressed size.

Builds survey-like workbooks (ids, numbers, repeated option labels, some free text; inline
strings as SurveyMonkey writes them, or a shared-strings table as Excel does), reads each
with ``survey.io.read_table`` in a fresh process and reports the peak resident memory above
the process's start (the ``import survey.io`` baseline) divided by the sheet XML size (plus
sharedStrings.xml).  The largest ratio seen is the factor ``survey.io._memory`` uses.

    python benchmarks/bench_reader_memory.py            # 5, 20, 60 MB sheets
    python benchmarks/bench_reader_memory.py 5 20 60 150

``write_workbook`` is also used by ``scripts/make_memory_bomb.py`` and the tests.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from survey.io._util import column_letter

__all__ = ["write_workbook"]

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
       'package/2006/content-types"><Default Extension="rels" ContentType="application/'
       'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
       '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
       'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
       '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/>{sst}</Types>')
_SST_CT = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
           'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
         '"xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
       'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
       'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
            '"worksheets/sheet1.xml"/>{sst}</Relationships>')
_SST_REL = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/>')
_LABELS = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree",
           "Yes", "No", "Don't know", "Seoul", "Busan", "United States", "China"]
_COLS = 30


def write_workbook(path: Path, sheet_mb: float, *, shared: bool = False, seed: int = 1) -> int:
    """Write a survey-like workbook whose sheet XML is about ``sheet_mb`` MB; return its rows.

    Row 1 holds headers; data rows hold an id, numbers, labels and short free text.  The
    cells vary (random digits), so deflate compresses the sheet about 8-15:1, like a real
    export, not 1000:1.
    """
    rng = random.Random(seed)
    target = int(sheet_mb * 1024**2)
    strings: dict[str, int] = {}

    def cell(ref: str, value: str | int) -> str:
        if isinstance(value, int):
            return f'<c r="{ref}"><v>{value}</v></c>'
        if shared:
            idx = strings.setdefault(value, len(strings))
            return f'<c r="{ref}" t="s"><v>{idx}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    letters = [column_letter(j) for j in range(_COLS)]
    rows = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                     b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            written = 0
            head = "".join(cell(f"{letters[j]}1", f"Question {j}") for j in range(_COLS))
            written += fh.write(f'<row r="1">{head}</row>'.encode())
            r = 1
            while written < target:
                r += 1
                parts = [cell(f"A{r}", 10**11 + r)]
                for j in range(1, _COLS):
                    ref = f"{letters[j]}{r}"
                    kind = j % 3
                    if kind == 0:
                        parts.append(cell(ref, rng.randrange(100000)))
                    elif kind == 1:
                        parts.append(cell(ref, rng.choice(_LABELS)))
                    else:
                        parts.append(cell(ref, f"note {rng.randrange(10**6)}"))
                written += fh.write(f'<row r="{r}">{"".join(parts)}</row>'.encode())
            fh.write(b"</sheetData></worksheet>")
            rows = r - 1
        if shared:
            items = "".join(f"<si><t>{s}</t></si>" for s in strings)
            zf.writestr("xl/sharedStrings.xml",
                        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxml'
                        f'formats.org/spreadsheetml/2006/main" count="{len(strings)}">{items}</sst>')
        zf.writestr("[Content_Types].xml", _CT.format(sst=_SST_CT if shared else ""))
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WB)
        zf.writestr("xl/_rels/workbook.xml.rels", _WB_RELS.format(sst=_SST_REL if shared else ""))
    return rows


_PROBE = """
import resource, sys
from survey.io import Limits, read_table
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = read_table(sys.argv[1], limits=Limits(max_memory_bytes=2**62))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(base * 1024, peak * 1024, t.n_rows)
"""


def measure(path: Path) -> tuple[int, int, int]:
    """(baseline RSS, peak RSS, rows) of a fresh process reading ``path``."""
    out = subprocess.run([sys.executable, "-c", _PROBE, str(path)], check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1]), int(out[2])


def main(sizes: list[float]) -> None:
    print(f"{'sheet XML MB':>12} {'sst MB':>7} {'rows':>8} {'peak-base MB':>13} {'factor':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for shared in (False, True):
            for mb in sizes:
                path = Path(tmp) / f"w{mb}_{shared}.xlsx"
                write_workbook(path, mb, shared=shared)
                with zipfile.ZipFile(path) as zf:
                    sheet = zf.getinfo("xl/worksheets/sheet1.xml").file_size
                    sst = zf.getinfo("xl/sharedStrings.xml").file_size if shared else 0
                base, peak, rows = measure(path)
                factor = (peak - base) / (sheet + sst)
                print(f"{sheet / 1024**2:>12.1f} {sst / 1024**2:>7.2f} {rows:>8} "
                      f"{(peak - base) / 1024**2:>13.1f} {factor:>7.2f}")
                path.unlink()


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [5.0, 20.0, 60.0])
