# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The local checks of a file a module uploads (``src``), and of the zip packages among them.

Every module that sends a file runs ``check_source`` before any request: ``src`` must name a
readable regular file. Its type is read with ``os.stat`` first, so a FIFO (which would block
``open()``), a device, a socket or a directory is refused without ever being opened. The file
name, which goes to the service with the bytes, must hold no control character.

The modules that send a package (d2l_course_import, d2l_lr_object with a .zip, d2l_ep_import)
also run ``check_zip``: only the zip's directory is read, never the whole file. An empty zip,
text that merely ends in an end-of-central-directory record (``zipfile.is_zipfile`` accepts
it), and members that would land outside the folder they are unpacked into (``..``, absolute
names, drive letters, symbolic links: "zip slip") are refused.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import unicodedata
import zipfile

from .errors import ValidationError

LOCAL_FILE_HEADER = b"PK\x03\x04"  # how every zip with a member starts (APPNOTE 4.3.7)
END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"  # how an empty zip starts: the record alone
_DRIVE = re.compile(r"^[A-Za-z]:")
_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def control_characters(text):
    """The control characters (Unicode category Cc) in ``text``, as ``U+XXXX`` names, once each."""
    found = []
    for char in text:
        if unicodedata.category(char) == "Cc":
            name = "U+%04X" % ord(char)
            if name not in found:
                found.append(name)
    return found


def shown(path):
    """``path`` for a message: control characters escaped, so a message stays on one line."""
    return "".join(char if unicodedata.category(char) != "Cc" else "\\x%02x" % ord(char) if ord(char) < 256
                   else "\\u%04x" % ord(char) for char in path)


def check_source(path, option="src", expect="a file", allow_empty=False):
    """Raise ``ValidationError`` naming ``option`` unless ``path`` is a readable regular file with
    content (``allow_empty``: or without) whose name holds no control character. ``expect``
    words what to give instead. Nothing is opened; returns ``path``."""
    if not path:
        raise ValidationError("%s is required" % option)
    bad = control_characters(os.path.basename(path))
    if bad:
        raise ValidationError("%s: the file name of '%s' contains control characters (%s), which no file name sent "
                              "to the service may hold; rename the file" % (option, shown(path), ", ".join(bad)))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ValidationError("%s: no such file '%s'" % (option, shown(path)))
    except (OSError, ValueError) as exc:  # ENOTDIR, ELOOP, ENAMETOOLONG, EACCES on a folder; ValueError: NUL
        raise ValidationError("%s: cannot read '%s': %s" % (option, shown(path), getattr(exc, "strerror", None) or exc))
    if stat.S_ISDIR(info.st_mode):
        raise ValidationError("%s: '%s' is a directory; give %s" % (option, shown(path), expect))
    for test, kind in _KINDS:
        if test(info.st_mode):
            raise ValidationError("%s: '%s' is %s, not a regular file; give %s" % (option, shown(path), kind, expect))
    if not os.access(path, os.R_OK):
        raise ValidationError("%s: '%s' is not readable" % (option, shown(path)))
    if info.st_size == 0 and not allow_empty:
        raise ValidationError("%s: '%s' is empty; give %s with content" % (option, shown(path), expect))
    return path


def unsafe_member(name, external_attr=0):
    """Why a zip member could be written outside the folder it is unpacked into, or None."""
    if (external_attr >> 16) & 0o170000 == stat.S_IFLNK:
        return "is a symbolic link"
    normal = name.replace("\\", "/")
    if normal.startswith("/") or _DRIVE.match(normal):
        return "has an absolute name"
    if ".." in normal.split("/"):
        return "has a '..' component"
    return None


def check_zip(path, option="src", what="a zip archive"):
    """Raise ``ValidationError`` naming ``option`` unless ``path`` (already ``check_source``d) is
    a zip archive with at least one member, every member safe to unpack. Only the zip's
    directory is read. Returns the member names, in zip order."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise ValidationError("%s: cannot read '%s': %s" % (option, shown(path), exc.strerror or exc))
    if head == END_OF_CENTRAL_DIRECTORY:
        raise ValidationError("%s: '%s' is an empty zip archive; give %s with content" % (option, shown(path), what))
    if head != LOCAL_FILE_HEADER:
        raise ValidationError("%s: '%s' is not a zip archive (it does not start with a zip entry); give %s"
                              % (option, shown(path), what))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError, struct.error) as exc:
        raise ValidationError("%s: '%s' is not a zip archive (%s); give %s" % (option, shown(path), exc, what))
    if not members:
        raise ValidationError("%s: '%s' is an empty zip archive; give %s with content" % (option, shown(path), what))
    for member in members:
        reason = unsafe_member(member.filename, member.external_attr)
        if reason:
            raise ValidationError("%s: '%s' is refused: its member '%s' %s, so it would be unpacked outside the "
                                  "package's folder" % (option, shown(path), shown(member.filename), reason))
    return [member.filename for member in members]
