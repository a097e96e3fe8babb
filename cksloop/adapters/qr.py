"""QR symbols for garment labels: the matrix (encoded by the `qrcode` package), as SVG and PNG."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

import qrcode
from qrcode import util
from qrcode.constants import ERROR_CORRECT_Q

#: Error correction Q (25 % of the symbol may be lost). Labels on garments get creased, rubbed and
#: washed, so M (15 %) leaves too little margin; H would grow a typical label URL (~55 bytes) from
#: version 5 to 7 and shrink each module below what a phone reads from a 25 mm label. Q keeps a
#: Digital Link URL at version 5 (37 modules), which still prints at ≥ 0.5 mm per module on every
#: layout we offer (see label_sheets.py and zpl.py).
ERROR_CORRECTION = ERROR_CORRECT_Q
ERROR_LEVEL = "Q"

#: Light modules around the symbol that the QR standard requires (ISO/IEC 18004: 4 modules).
QUIET_ZONE = 4


@dataclass(frozen=True)
class QrMatrix:
    """A QR symbol without its quiet zone.

    ``rows[r]`` holds row r as an integer: bit ``size - 1 - c`` is set when module (r, c) is dark,
    so ``format(row, f"0{size}b")`` reads left to right.
    """

    text: str
    version: int
    size: int
    rows: tuple[int, ...]

    @property
    def size_with_quiet_zone(self) -> int:
        return self.size + 2 * QUIET_ZONE

    def is_dark(self, row: int, column: int) -> bool:
        return bool(self.rows[row] >> (self.size - 1 - column) & 1)

    def as_lists(self) -> list[list[bool]]:
        return [[bit == "1" for bit in format(row, f"0{self.size}b")] for row in self.rows]


def qr_matrix(text: str) -> QrMatrix:
    """Encode ``text`` at level Q in the smallest version that holds it.

    The bits, the version and the mask are exactly what ``qrcode.QRCode.make(fit=True)`` chooses
    (a test compares them); only the search over the eight masks runs on whole rows as integers,
    because qrcode's module-by-module search takes ~15 ms a symbol and a 1,000-label PDF must
    not take 15 s.
    """
    encoder = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0)
    encoder.add_data(text)
    version = encoder.best_fit()
    codewords = util.create_data(version, ERROR_CORRECTION, encoder.data_list)
    grid = _grid(version)
    n = grid.size

    # every data bit in reading order, then the light remainder bits, as one string of 0/1
    bit_count = len(codewords) * 8
    bits = format(int.from_bytes(bytes(codewords), "big"), f"0{bit_count}b")
    bits += "0" * (grid.data_modules - bit_count)
    unmasked = list(grid.function_rows)
    for row, pieces in enumerate(grid.row_pieces):
        for pick, shift in pieces:
            unmasked[row] |= int("".join(pick(bits)), 2) << shift

    candidates = [[u ^ m for u, m in zip(unmasked, mask)] for mask in grid.mask_rows]
    scores = [_penalty(candidate, n) for candidate in candidates]
    best = scores.index(min(scores))  # the first of equal scores, as qrcode picks
    rows = tuple(r | info for r, info in zip(candidates[best], grid.info_rows[best]))
    return QrMatrix(text=text, version=version, size=n, rows=rows)


@dataclass(frozen=True)
class _Grid:
    """What every symbol of one version shares: function patterns, data order, masks."""

    size: int
    function_rows: tuple[int, ...]  # finder, timing, alignment; format/version info left light
    data_modules: int
    #: per row, per run of adjacent data modules: (pick its bits from the reading-order string, shift)
    row_pieces: tuple[tuple[tuple[Callable[[str], Any], int], ...], ...]
    mask_rows: tuple[tuple[int, ...], ...]  # per mask: the data modules it inverts
    info_rows: tuple[tuple[int, ...], ...]  # per mask: the dark format (and version) info modules


@lru_cache(maxsize=64)
def _grid(version: int) -> _Grid:
    # Draws the patterns with qrcode's own methods, so the layout is qrcode's by construction.
    sketch = qrcode.QRCode(version=version, error_correction=ERROR_CORRECTION, border=0)
    n = sketch.modules_count = version * 4 + 17
    sketch.modules = [[None] * n for _ in range(n)]
    sketch.setup_position_probe_pattern(0, 0)
    sketch.setup_position_probe_pattern(n - 7, 0)
    sketch.setup_position_probe_pattern(0, n - 7)
    sketch.setup_position_adjust_pattern()
    sketch.setup_timing_pattern()
    sketch.setup_type_info(True, 0)  # test mode: reserves the info modules, all light
    if version >= 7:
        sketch.setup_type_number(True)
    modules = sketch.modules

    def bit(column: int) -> int:
        return 1 << (n - 1 - column)

    function_rows = tuple(sum(bit(c) for c in range(n) if modules[r][c]) for r in range(n))
    positions: list[tuple[int, int]] = []  # (row, column) of each data module in reading order
    row, step = n - 1, -1
    for column in range(n - 1, 0, -2):  # the zigzag of qrcode's map_data
        if column <= 6:
            column -= 1
        while True:
            for c in (column, column - 1):
                if modules[row][c] is None:
                    positions.append((row, c))
            row += step
            if row < 0 or row >= n:
                row -= step
                step = -step
                break

    mask_rows = []
    for pattern in range(8):
        inverts = util.mask_func(pattern)
        rows = [0] * n
        for r, c in positions:
            if inverts(r, c):
                rows[r] |= bit(c)
        mask_rows.append(tuple(rows))

    info_rows = []
    for pattern in range(8):
        sketch.modules = [[None] * n for _ in range(n)]
        sketch.setup_type_info(False, pattern)
        if version >= 7:
            sketch.setup_type_number(False)
        info_rows.append(tuple(sum(bit(c) for c in range(n) if sketch.modules[r][c]) for r in range(n)))

    by_row: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for index, (r, c) in enumerate(positions):
        by_row[r].append((c, index))
    row_pieces = []
    for cells in by_row:
        cells.sort()
        pieces = []
        start = 0
        for i in range(1, len(cells) + 1):
            if i == len(cells) or cells[i][0] != cells[i - 1][0] + 1:
                run = cells[start:i]
                indices = [index for _, index in run]
                pieces.append((itemgetter(*indices), n - 1 - run[-1][0]))
                start = i
        row_pieces.append(tuple(pieces))

    return _Grid(n, function_rows, len(positions), tuple(row_pieces), tuple(mask_rows),
                 tuple(info_rows))


# neither pattern overlaps itself, so str.count finds every occurrence
_FINDER_LIKE = ("10111010000", "00001011101")


def _penalty(rows: list[int], n: int) -> int:
    """qrcode's ``util.lost_point`` (the four ISO/IEC 18004 penalty rules) on integer rows.

    Runs and 2×2 blocks are counted with bitwise operations on whole rows (a column-wise run is
    the same test between neighbouring rows); finder-like patterns by counting in strings.
    """
    full, pairs = (1 << n) - 1, (1 << (n - 1)) - 1
    points = 0
    # rule 1 in rows: a run of L ≥ 5 equal modules costs L - 2 = (L - 4) + 2
    for row in rows:
        equal = ~(row ^ (row >> 1)) & pairs
        long_runs = equal & (equal >> 1) & (equal >> 2) & (equal >> 3)
        points += long_runs.bit_count() + 2 * (long_runs & ~(long_runs << 1)).bit_count()
    # rule 1 in columns, and rule 2 (2×2 blocks of one colour)
    same = [~(upper ^ lower) & full for upper, lower in zip(rows, rows[1:])]
    previous = 0
    for r in range(n - 4):
        long_runs = same[r] & same[r + 1] & same[r + 2] & same[r + 3]
        points += long_runs.bit_count() + 2 * (long_runs & ~previous).bit_count()
        previous = long_runs
    for upper, equal in zip(rows, same):
        points += 3 * (equal & (equal >> 1) & ~(upper ^ (upper >> 1)) & pairs).bit_count()
    # rule 3: finder-like patterns
    lines = [format(row, f"0{n}b") for row in rows]
    text = "|".join(chain(lines, map("".join, zip(*lines))))
    points += 40 * sum(map(text.count, _FINDER_LIKE))
    # rule 4: balance of dark and light
    dark = sum(row.bit_count() for row in rows)
    points += int(abs(float(dark) / (n ** 2) * 100 - 50) / 5) * 10
    return points


def dark_rectangles(matrix: QrMatrix) -> list[tuple[int, int, int, int]]:
    """The dark modules as few rectangles (x, y, width, height) in modules, quiet zone excluded.

    Runs of dark modules in a row become one rectangle, and equal runs in the rows below extend
    it downwards: a version-5 symbol needs ~250 rectangles instead of ~700 squares, which keeps
    PDFs and SVGs small and fast to draw.
    """
    rectangles: list[list[int]] = []
    open_runs: dict[tuple[int, int], int] = {}
    for y, row in enumerate(matrix.rows):
        line = format(row, f"0{matrix.size}b")
        still_open: dict[tuple[int, int], int] = {}
        for run in re.finditer("1+", line):
            key = (run.start(), run.end() - run.start())
            index = open_runs.get(key)
            if index is None:
                index = len(rectangles)
                rectangles.append([key[0], y, key[1], 1])
            else:
                rectangles[index][3] += 1
            still_open[key] = index
        open_runs = still_open
    return [(x, y, w, h) for x, y, w, h in rectangles]


def svg(matrix: QrMatrix, *, module_px: int = 8) -> str:
    """A standalone SVG of the symbol with its quiet zone, on white, drawn as one vector path."""
    side = matrix.size_with_quiet_zone
    path = "".join(f"M{x + QUIET_ZONE} {y + QUIET_ZONE}h{w}v{h}h-{w}z"
                   for x, y, w, h in dark_rectangles(matrix))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        f'width="{side * module_px}" height="{side * module_px}" shape-rendering="crispEdges">'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>\n'
    )


def png(matrix: QrMatrix, *, module_px: int = 8) -> bytes:
    """A PNG of the symbol with its quiet zone, black on white, ``module_px`` pixels a module."""
    from PIL import Image

    side = matrix.size_with_quiet_zone
    white_rows = bytes([255]) * side * QUIET_ZONE
    margin = bytes([255]) * QUIET_ZONE
    body = b"".join(
        margin + bytes(0 if bit == "1" else 255 for bit in format(row, f"0{matrix.size}b")) + margin
        for row in matrix.rows)
    image = Image.frombytes("L", (side, side), white_rows + body + white_rows)
    image = image.resize((side * module_px, side * module_px), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.convert("1").save(out, format="PNG", optimize=True)
    return out.getvalue()
