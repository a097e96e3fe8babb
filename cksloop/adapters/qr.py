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
from qrcode import base as qr_base
from qrcode import exceptions as qr_exceptions
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


def qr_version(text: str) -> int:
    """The smallest QR version that holds ``text`` at level Q (what ``qr_matrix`` would use).

    Enough for a printer that draws the symbol itself (ZPL's ^BQ): the label's geometry needs
    the symbol's size, not its modules.
    """
    return _segments(text)[0]


def symbol_size(version: int) -> int:
    """Modules on a side of a QR symbol of ``version``, quiet zone excluded."""
    return version * 4 + 17


def qr_matrix(text: str) -> QrMatrix:
    """Encode ``text`` at level Q in the smallest version that holds it.

    The bits, the version and the mask are exactly what ``qrcode.QRCode.make(fit=True)`` chooses
    (a test compares them); only the search over the eight masks runs on whole rows as integers,
    because qrcode's module-by-module search takes ~15 ms a symbol and a 1,000-label PDF must
    not take 15 s.
    """
    version, codewords = _encode(text)
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
    # columns as integers too: masking commutes with transposing, so one transpose serves all
    unmasked_columns = _transpose(unmasked, n)
    scores = [_penalty(candidate, [u ^ m for u, m in zip(unmasked_columns, mask)], n)
              for candidate, mask in zip(candidates, grid.mask_columns)]
    best = scores.index(min(scores))  # the first of equal scores, as qrcode picks
    rows = tuple(r | info for r, info in zip(candidates[best], grid.info_rows[best]))
    return QrMatrix(text=text, version=version, size=n, rows=rows)


class _Bits:
    """What ``util.BitBuffer`` does for ``QRData.write``, on one integer instead of bit by bit."""

    __slots__ = ("value", "length")

    def __init__(self) -> None:
        self.value = self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length

    def __len__(self) -> int:
        return self.length


def _segments(text: str) -> tuple[int, list[tuple[int, int, _Bits]]]:
    """The smallest version that holds the text's segments (mode, length, bits), and the segments."""
    segments = []
    for data in util.optimal_data_chunks(text, minimum=20):  # as QRCode.add_data
        bits = _Bits()
        data.write(bits)
        segments.append((data.mode, len(data), bits))
    limits = util.BIT_LIMIT_TABLE[ERROR_CORRECTION]
    for version in range(1, 41):
        needed = sum(4 + util.length_in_bits(mode, version) + bits.length for mode, _, bits in segments)
        if needed <= limits[version]:
            return version, segments
    raise qr_exceptions.DataOverflowError(f"{len(text)} characters do not fit in a QR symbol")


def _encode(text: str) -> tuple[int, list[int]]:
    """The version and codewords ``qrcode.QRCode(error_correction=Q).make(fit=True)`` uses.

    qrcode splits the text into segments (numeric, alphanumeric, bytes) and picks the smallest
    version whose capacity holds them, where the length fields grow with the version; then the
    terminator, padding and Reed-Solomon codewords (``util.create_data``). The same steps here on
    integers and log tables, because qrcode's bit-by-bit buffer and general polynomial
    division took most of a symbol's time.
    """
    version, segments = _segments(text)
    limits = util.BIT_LIMIT_TABLE[ERROR_CORRECTION]
    value = length = 0
    for mode, count, bits in segments:
        size = util.length_in_bits(mode, version)
        value = (((value << 4 | mode) << size | count) << bits.length) | bits.value
        length += 4 + size + bits.length
    bit_limit = limits[version]
    # terminator (up to four 0 bits), then 0s to a whole byte, then the alternating pad bytes
    padded = min(length + 4, bit_limit)
    padded += -padded % 8
    data = bytearray((value << (padded - length)).to_bytes(padded // 8, "big"))
    data += bytes((util.PAD0, util.PAD1)[i % 2] for i in range(bit_limit // 8 - len(data)))

    data_blocks, ec_blocks, offset = [], [], 0
    for block in qr_base.rs_blocks(version, ERROR_CORRECTION):
        dc = data[offset:offset + block.data_count]
        offset += block.data_count
        data_blocks.append(dc)
        ec_blocks.append(_rs_remainder(dc, block.total_count - block.data_count))
    out: list[int] = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(len(b) for b in group)):
            out.extend(b[i] for b in group if i < len(b))
    return version, out


_EXP = [qr_base.gexp(i % 255) for i in range(512)]  # doubled: a sum of two logs needs no modulo


@lru_cache(maxsize=32)
def _generator_logs(ec_count: int) -> tuple[int, ...]:
    """The logs of the generator polynomial's coefficients after the leading 1."""
    poly = qr_base.Polynomial([1], 0)
    for i in range(ec_count):
        poly = poly * qr_base.Polynomial([1, qr_base.gexp(i)], 0)
    return tuple(qr_base.glog(poly[i]) for i in range(1, ec_count + 1))


def _rs_remainder(data: bytes | bytearray, ec_count: int) -> list[int]:
    logs = _generator_logs(ec_count)
    remainder = [0] * ec_count
    exp = _EXP
    for byte in data:
        factor = byte ^ remainder[0]
        remainder = remainder[1:]
        remainder.append(0)
        if factor:
            lf = qr_base.LOG_TABLE[factor]
            remainder = [r ^ exp[lf + g] for r, g in zip(remainder, logs)]
    return remainder


@dataclass(frozen=True)
class _Grid:
    """What every symbol of one version shares: function patterns, data order, masks."""

    size: int
    function_rows: tuple[int, ...]  # finder, timing, alignment; format/version info left light
    data_modules: int
    #: per row, per run of adjacent data modules: (pick its bits from the reading-order string, shift)
    row_pieces: tuple[tuple[tuple[Callable[[str], Any], int], ...], ...]
    mask_rows: tuple[tuple[int, ...], ...]  # per mask: the data modules it inverts
    mask_columns: tuple[tuple[int, ...], ...]  # the same, column by column
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
                 tuple(tuple(_transpose(list(rows), n)) for rows in mask_rows),
                 tuple(info_rows))


# neither pattern overlaps itself, so str.count finds every occurrence
_FINDER_LIKE = ("10111010000", "00001011101")


def _transpose(rows: list[int], n: int) -> list[int]:
    """Column c of the matrix as an integer, top module in the highest bit (as rows are)."""
    lines = [format(row, f"0{n}b") for row in rows]
    return [int("".join(column), 2) for column in zip(*lines)]


def _penalty(rows: list[int], columns: list[int], n: int) -> int:
    """qrcode's ``util.lost_point`` (the four ISO/IEC 18004 penalty rules) on integer lines.

    Runs and 2×2 blocks are counted with bitwise operations on whole rows and columns;
    finder-like patterns by counting in strings.
    """
    pairs = (1 << (n - 1)) - 1
    points = 0
    # rule 1: a run of L ≥ 5 equal modules in a row or column costs L - 2 = (L - 4) + 2
    for line in chain(rows, columns):
        equal = ~(line ^ (line >> 1)) & pairs
        long_runs = equal & (equal >> 1) & (equal >> 2) & (equal >> 3)
        if long_runs:
            points += long_runs.bit_count() + 2 * (long_runs & ~(long_runs << 1)).bit_count()
    # rule 2: 2×2 blocks of one colour
    full = (1 << n) - 1
    for upper, lower in zip(rows, rows[1:]):
        equal = ~(upper ^ lower) & full
        points += 3 * (equal & (equal >> 1) & ~(upper ^ (upper >> 1)) & pairs).bit_count()
    # rule 3: finder-like patterns
    text = "|".join([format(line, f"0{n}b") for line in chain(rows, columns)])
    points += 40 * (text.count(_FINDER_LIKE[0]) + text.count(_FINDER_LIKE[1]))
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
