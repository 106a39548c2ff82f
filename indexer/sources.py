"""Find raw files in a corpus folder, read them safely, pair them with sidecars.

A raw file is a `.txt` text dump copied from a browser or an `.html`/`.htm` page.
`NAME.json` beside `NAME.txt` (or `NAME.html`) is its sidecar: metadata the user
supplies, which wins over anything extracted.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from .errors import SourceError

KINDS = {".txt": "text", ".html": "html", ".htm": "html"}
SIDECAR_FIELDS = ("url", "outlet", "published", "title", "author", "fetched_at")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# No paragraph is this long; a text "line" that is, is data, not an article, and
# line-by-line cleaning of it would take minutes.
MAX_LINE_CHARS = 100_000

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Browsers read these labels as their supersets (WHATWG Encoding Standard).
_BROWSER_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
                    "gb2312": "gb18030", "gbk": "gb18030"}


@dataclass(frozen=True)
class RawDocument:
    path: Path
    kind: str  # "text" or "html"
    text: str
    sidecar: Mapping[str, str]
    content_hash: str


def discover(corpus: Path) -> list[Path]:
    """Every raw file under `corpus`, sorted, hidden files and folders left out."""
    return [Path(path) for path in sorted(os.path.join(folder, name) for folder, raw, _ in _raw_files(corpus)
                                          for name in raw)]


def scan(corpus: Path, only: list[str] | None = None) -> list[tuple[str, tuple[int, int, int, int] | str]]:
    """Every raw file under `corpus` (as `discover` finds them) with its `fingerprint`, sorted;
    for a file that cannot be looked at (no permission, a symlink loop), the reason instead.
    With `only` (from `named_raw_files`), those files alone, the ones that are gone left out.

    For `update`, which looks at every file of a large corpus to find the few that
    changed: a sidecar is looked for only when the folder listing has one (one stat
    per file, not two), and no Path object is made for a file that did not change.
    """
    found: list = []
    if only is not None:
        for path in only:
            if (look := _look_at(path, has_sidecar=True)) is not None:  # a missing sidecar is looked for and not found
                found.append((path, look))
    else:
        for folder, raw, names in _raw_files(corpus):
            present = set(names)
            for name in raw:
                path = os.path.join(folder, name)
                if (look := _look_at(path, _sidecar_of(name) in present)) is not None:
                    found.append((path, look))
    found.sort()
    return found


def named_raw_files(corpus: Path, paths: Iterable[str | Path]) -> list[str]:
    """The raw files under `corpus` that changed paths stand for, gone ones included: a raw
    file itself, or the raw files a sidecar belongs to. Hidden ones and paths outside the
    corpus are left out, as `scan` leaves them out. Each is named under `corpus` as given
    (relative or not), as `scan` names them. For `watch`, which knows from file-system
    events which paths changed."""
    root = os.path.abspath(corpus)
    found: set[str] = set()
    for path in map(os.path.abspath, paths):
        relative = os.path.relpath(path, root)
        if relative.startswith(os.pardir) or any(part.startswith(".") for part in relative.split(os.sep)):
            continue
        named = os.path.join(corpus, relative)
        stem, suffix = os.path.splitext(named)
        if suffix.lower() in KINDS:
            found.add(named)
        elif suffix.lower() == ".json":
            folder, name = os.path.split(stem)
            with suppress(OSError):
                found.update(os.path.join(folder, other) for other in os.listdir(folder)
                             if os.path.splitext(other)[0] == name and os.path.splitext(other)[1].lower() in KINDS)
    return sorted(found)


def _sidecar_of(name: str) -> str:
    return name[:name.rfind(".")] + ".json"  # a raw file's name has its kind's suffix


def _look_at(path: str, has_sidecar: bool) -> tuple[int, int, int, int] | str | None:
    """`fingerprint` of a raw file, the reason it cannot be looked at, or None when it is gone."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None  # gone between listing and looking
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    side_size = side_mtime = 0
    if has_sidecar:
        with suppress(FileNotFoundError):
            side = os.stat(_sidecar_of(path))
            side_size, side_mtime = side.st_size, side.st_mtime_ns
    return stat.st_size, stat.st_mtime_ns, side_size, side_mtime


def _raw_files(corpus: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """(folder, its raw files' names, all its file names) for every folder under `corpus`, hidden ones left out."""
    if not corpus.is_dir():
        raise SourceError(corpus, "corpus folder does not exist")
    # os.walk with pruning, not Path.rglob: hidden folders are never entered, and
    # 100,000 files are listed in a fraction of the time.
    for folder, subfolders, files in os.walk(corpus):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        yield folder, [name for name in files if not name.startswith(".") and name[name.rfind("."):].lower() in KINDS], files


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDocument:
    """Read, check and decode one raw file. Raises SourceError naming the file."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise SourceError(path, f"unsupported file type {path.suffix or '(none)'}; expected .txt, .html or .htm")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(path, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise SourceError(path, "file is empty")
    if _looks_binary(data):
        raise SourceError(path, "file looks binary, not text or HTML")
    text = decode(data, kind, path)
    if kind == "text":
        _check_line_lengths(text, path)
    return RawDocument(path=path, kind=kind, text=text, sidecar=read_sidecar(path), content_hash=content_hash(path, data))


def content_hash(path: Path, data: bytes | None = None) -> str:
    """SHA-256 of the raw bytes, and of the sidecar's when there is one.

    The sidecar is part of the article (it can change title, date, outlet), so
    editing it gives a new hash and the article is indexed again.
    """
    digest = hashlib.sha256(path.read_bytes() if data is None else data)
    sidecar = path.with_suffix(".json")
    if sidecar.is_file():
        digest.update(b"\0sidecar\0" + sidecar.read_bytes())
    return digest.hexdigest()


def fingerprint(path: Path) -> tuple[int, int, int, int]:
    """(size, mtime_ns) of a raw file and of its sidecar ((0, 0) when none): a change means re-read it."""
    stat = path.stat()
    try:
        side = path.with_suffix(".json").stat()
        side_size, side_mtime = side.st_size, side.st_mtime_ns
    except FileNotFoundError:
        side_size, side_mtime = 0, 0
    return stat.st_size, stat.st_mtime_ns, side_size, side_mtime


def decode(data: bytes, kind: str, path: Path) -> str:
    """Bytes to str: a BOM, then UTF-8, then the charset an HTML page declares, then a guess.

    Raises SourceError when nothing gives readable text.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _strict(data, encoding, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data) if kind == "html" else None
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    from charset_normalizer import from_bytes  # only for the rare non-UTF-8 file

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2:
        raise SourceError(path, "cannot decode: not UTF-8 and no readable charset found")
    return str(best)


def read_sidecar(path: Path) -> dict[str, str]:
    """The NAME.json beside a raw file, checked; {} when there is none."""
    sidecar = path.with_suffix(".json")
    if not sidecar.is_file():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(sidecar, f"sidecar is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SourceError(sidecar, "sidecar must be a JSON object")
    checked = {}
    for key in SIDECAR_FIELDS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise SourceError(sidecar, f"sidecar field {key!r} must be a string")
        if value.strip():
            checked[key] = value.strip()
    return checked


def _check_line_lengths(text: str, path: Path) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise SourceError(path, f"line {number} is {len(line):,} characters long, over the {MAX_LINE_CHARS:,} limit")


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) * 0.05


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii", "replace").lower()
    return _BROWSER_ALIASES.get(label, label)


def _strict(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"cannot decode as {encoding}: {exc.reason} at byte {exc.start}") from None
