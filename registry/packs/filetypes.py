"""What a pack may hold, told by a file's name and by its first bytes (SPEC §4).

A pack holds configuration and documentation, never something that runs: no program or script,
no web page or SVG image (a browser runs their scripts), no macro-enabled Office file. A name
is checked first, by its last extension, case-insensitively. Then the first `SNIFF_BYTES` of
every file are read, because a name can say anything (`config/mz.txt` may be a Windows
program): each rule in `CONTENT_RULES` looks for what an operating system runs or a browser
renders, the way they recognise it, so XML exports, CSV, SQL, Markdown, Word, Excel, PDF and
images pass.

This module also keeps the one list of text types: the personal-data scan reads them as text
and the registry serves them as plain text; every other file is served as a download.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass

Found = tuple[str, str]  # a rule's verdict: (problem code, what to do about it)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- Kinds of file, by extension (without the dot, lower case) ----------------------------------

TEXT_EXTENSIONS = _words(
    """xml moform json yaml yml csv tsv tab psv sql txt text md markdown rst ini cfg conf config
    properties xsd xsl xslt rtf log dat lst template tmpl j2 jinja toml eml"""
)
WORD_EXTENSIONS = _words("docx docm dotx dotm")
EXCEL_EXTENSIONS = _words("xlsx xlsm xltx xltm")
BINARY_EXTENSIONS = _words(
    """png jpg jpeg gif bmp tif tiff ico webp heic pdf zip gz tgz bz2 xz 7z rar tar
    doc xls ppt pptx pptm odt ods odp mp3 mp4 m4a wav avi mov wmv woff woff2 ttf otf eot
    exe dll msi jar class pyc so dylib bin db sqlite mdb accdb"""
)


def extension(path: str) -> str:
    """The last extension of a path, lower case and without the dot ("" when there is none)."""
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_text_name(path: str) -> bool:
    """True when the name says the file is text (served as text/plain, scanned as text)."""
    return extension(path) in TEXT_EXTENSIONS


# --- Refused by name -----------------------------------------------------------------------------

_EXECUTABLE = "programs and scripts could run on the machine of anyone who opens the pack"
_INSTALLER = "installers and launchers download or run programs when opened"
_SHORTCUT = "shortcuts open programs or web addresses chosen by whoever made them"
_MACRO = "macro-enabled Office files can run code when opened; save as .docx, .xlsx or .pptx"
_ACTIVE = "web pages and SVG images can carry scripts that run in a browser"
FORBIDDEN_REASONS: dict[str, str] = {
    **dict.fromkeys((".exe", ".dll", ".msi", ".jar"), _EXECUTABLE),  # SPEC §4
    **dict.fromkeys((".bat", ".cmd", ".ps1", ".sh", ".js", ".vbs"), _EXECUTABLE),  # SPEC §4
    # Other Windows programs and script hosts that run on a double click.
    **dict.fromkeys((".com", ".scr", ".cpl", ".msp", ".hta", ".lnk"), _EXECUTABLE),
    **dict.fromkeys((".psm1", ".vbe", ".jse", ".wsf", ".wsh", ".reg"), _EXECUTABLE),
    # JavaScript modules; a program information file runs the program it names; an Excel
    # add-in (.xll) is a program Excel loads; compiled help (.chm) runs the scripts inside it;
    # scriptlets and script components are run by Windows' script host.
    **dict.fromkeys((".mjs", ".cjs", ".pif", ".xll", ".chm", ".sct", ".wsc"), _EXECUTABLE),
    # ClickOnce (.application), Java Web Start (.jnlp) and Windows app packages.
    **dict.fromkeys((".application", ".jnlp", ".msix", ".msixbundle"), _INSTALLER),
    **dict.fromkeys((".appx", ".appxbundle", ".appinstaller"), _INSTALLER),
    **dict.fromkeys((".url", ".scf"), _SHORTCUT),  # internet and shell command shortcuts
    **dict.fromkeys((".docm", ".xlsm"), _MACRO),  # SPEC §4
    # The other macro-enabled Office formats: PowerPoint, Word and Excel templates, add-ins.
    **dict.fromkeys((".pptm", ".dotm", ".xltm", ".potm", ".ppsm", ".xlam", ".ppam"), _MACRO),
    **dict.fromkeys((".svg", ".html", ".htm"), _ACTIVE),  # SPEC §4
    # The same content under other names: compressed SVG, XHTML, server-side includes, saved
    # web archives.
    **dict.fromkeys((".svgz", ".xhtml", ".xht", ".shtml", ".shtm"), _ACTIVE),
    **dict.fromkeys((".mht", ".mhtml"), _ACTIVE),
}
FORBIDDEN_EXTENSIONS: frozenset[str] = frozenset(FORBIDDEN_REASONS)


def forbidden_name(path: str) -> Found | None:
    """Why a file's name refuses it, or None."""
    # Windows drops trailing dots and spaces, so "setup.exe. " runs as setup.exe; a name that is
    # all extension (".js") is still run by what that extension names.
    name = path.rsplit("/", 1)[-1].rstrip(". ")
    _, dot, suffix = name.rpartition(".")
    ext = (dot + suffix).lower()
    if dot and ext in FORBIDDEN_REASONS:
        return (
            "forbidden-extension",
            f"is a {ext} file, which packs may not contain: {FORBIDDEN_REASONS[ext]}. Remove it.",
        )
    return None


# --- Refused by content --------------------------------------------------------------------------

# How much of each file's start the content rules read. Browsers decide from the first 1,445
# bytes at most; a program's PE header sits within the first few hundred.
SNIFF_BYTES = 64 * 1024

# Windows programs (.exe, .dll, .scr ...): "MZ", and at the offset stored at 0x3C the PE header.
# "MZ" alone is also how some text starts, so the PE header must be there too.
PE_OFFSET_FIELD = 0x3C
PE_SIGNATURE = b"PE\0\0"
# Linux programs and libraries.
ELF_MAGIC = b"\x7fELF"
# macOS programs, both byte orders and word sizes, and universal ("fat") binaries, whose magic
# Java class files share: both are programs.
MACH_O_MAGICS = frozenset(
    bytes.fromhex(m)
    for m in ("feedface", "feedfacf", "cefaedfe", "cffaedfe", "cafebabe", "bebafeca")
)
# "#!/bin/sh", "#! /usr/bin/env python": a script naming the program that runs it by its path
# (Markdown or CSS text may start "#!important" and is not one).
SHEBANG = re.compile(rb"#![ \t]*/")
PHP_START = b"<?php"  # a PHP script runs on any web server that serves it

# A document whose first element is one of these is a web page or carries scripts, and a
# browser sniffing its type says HTML (WHATWG MIME Sniffing, "identifying an unknown type").
# Layout tags from that list (<table>, <div>, <p>, <b> ...) are left out: XML exports use such
# names for their own elements, and nothing runs from them.
HTML_FIRST_TAGS = _words("html head body script iframe frameset object embed svg")
# After an XML declaration a browser reads the file as XML, which it renders as a page only in
# the XHTML or SVG namespace: an XSLT stylesheet or a form export may still use <script> or
# declare XHTML for the output it writes, and is not a page.
ACTIVE_XML_ROOTS = _words("html svg")
ACTIVE_NAMESPACES = frozenset({b"http://www.w3.org/1999/xhtml", b"http://www.w3.org/2000/svg"})
WHITESPACE = b" \t\n\r\x0c"
_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_.:-]*")
_XMLNS = re.compile(rb"""xmlns(?::([A-Za-z_][A-Za-z0-9_.-]*))?\s*=\s*["']([^"']*)["']""")


@dataclass(frozen=True)
class ContentRule:
    """One content check: its name, what a match is, and why it is refused."""

    name: str
    what: str  # "a Windows program (it starts with the MZ and PE headers of an .exe)"
    reason: str
    matches: Callable[[bytes], bool]


def _pe(head: bytes) -> bool:
    if not head.startswith(b"MZ") or len(head) < PE_OFFSET_FIELD + 4:
        return False
    offset = int.from_bytes(head[PE_OFFSET_FIELD : PE_OFFSET_FIELD + 4], "little")
    return head[offset : offset + 4] == PE_SIGNATURE


def _elf(head: bytes) -> bool:
    return head.startswith(ELF_MAGIC)


def _mach_o(head: bytes) -> bool:
    return head[:4] in MACH_O_MAGICS


def _text(head: bytes) -> bytes:
    """The start of a file as ASCII-compatible bytes: a byte order mark read and removed."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "replace").encode("utf-8", "replace")
    return head.removeprefix(codecs.BOM_UTF8)


def _script(head: bytes) -> bool:
    text = _text(head)
    return SHEBANG.match(text) is not None or text[:5].lower() == PHP_START


def _skip_space(text: bytes, pos: int) -> int:
    while pos < len(text) and text[pos] in WHITESPACE:
        pos += 1
    return pos


def _web_page(head: bytes) -> bool:
    """True when the first element, after comments, declarations and doctype, makes a page."""
    text = _text(head)
    pos = _skip_space(text, 0)
    declared_xml = False
    while pos < len(text) and text[pos : pos + 1] == b"<":
        lowered = text[pos : pos + 10].lower()
        if lowered.startswith(b"<!--"):
            end = text.find(b"-->", pos + 4)
            pos = -1 if end < 0 else end + 3
        elif lowered.startswith(b"<?"):
            declared_xml = declared_xml or lowered[2:5] == b"xml"
            end = text.find(b"?>", pos + 2)
            pos = -1 if end < 0 else end + 2
        elif lowered.startswith(b"<!doctype"):
            name = _NAME.match(text, _skip_space(text, pos + 9))
            if name and name[0].lower() in (b"html", b"svg"):
                return True
            end = text.find(b">", pos)
            bracket = text.find(b"[", pos, end if end >= 0 else len(text))
            if bracket >= 0:  # an internal subset: [ ... ]>
                end = text.find(b"]", bracket)
                end = -1 if end < 0 else text.find(b">", end)
            pos = -1 if end < 0 else end + 1
        else:
            return _active_element(text, pos + 1, declared_xml)
        if pos < 0:
            return False  # the start does not close within what was read: nothing to render
        pos = _skip_space(text, pos)
    return False


def _active_element(text: bytes, pos: int, declared_xml: bool) -> bool:
    name = _NAME.match(text, pos)
    if name is None:
        return False
    prefix, _, local = name[0].rpartition(b":")
    local = local.lower()
    if not declared_xml:
        return local.decode("ascii") in HTML_FIRST_TAGS
    if local.decode("ascii") in ACTIVE_XML_ROOTS:
        return True
    end = text.find(b">", name.end())
    tag = text[name.end() : end if end >= 0 else len(text)]
    namespaces = {(p or b""): uri for p, uri in _XMLNS.findall(tag)}
    return namespaces.get(prefix) in ACTIVE_NAMESPACES


CONTENT_RULES: tuple[ContentRule, ...] = (
    ContentRule(
        "windows-program",
        "a Windows program (it starts with the MZ and PE headers of an .exe or .dll)",
        _EXECUTABLE,
        _pe,
    ),
    ContentRule(
        "linux-program", "a Linux program (it starts with the ELF header)", _EXECUTABLE, _elf
    ),
    ContentRule(
        "macos-program",
        "a macOS program or Java class file (it starts with the Mach-O or class file header)",
        _EXECUTABLE,
        _mach_o,
    ),
    ContentRule(
        "script", "a script (its first line names the program that runs it)", _EXECUTABLE, _script
    ),
    ContentRule(
        "web-page",
        "a web page or SVG image (its first element is one a browser renders, such as <html>, "
        "<script>, <iframe> or <svg>)",
        _ACTIVE,
        _web_page,
    ),
)


def forbidden_content(head: bytes) -> Found | None:
    """Why a file's first bytes (up to SNIFF_BYTES) refuse it, or None."""
    for rule in CONTENT_RULES:
        if rule.matches(head):
            return (
                "forbidden-content",
                f"is {rule.what}, which packs may not contain whatever the file is called: "
                f"{rule.reason}. Remove it.",
            )
    return None
