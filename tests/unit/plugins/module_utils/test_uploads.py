# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Streaming multipart upload and the resumable (308) upload."""

from __future__ import annotations

import io

import pytest
import requests
from requests_toolbelt.multipart.decoder import MultipartDecoder
from requests_toolbelt.multipart.encoder import MultipartEncoder

from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceError, BrightspaceHTTPError
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import ValidationError
from ansible_collections.d2l.brightspace.plugins.module_utils.uploads import (
    FileSlice, file_name_header, multipart_upload, resumable_upload)

from d2l_unit_helpers import BASE, multipart_part

PACKAGE = "/d2l/api/le/1.74/import/6609/imports/"
INIT = "/d2l/api/lr/1.3/objects/upload"
UPLOAD = "/d2l/upload/m8zFEpk6Lr"
CONTENT = b"0123456789"


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data.txt"
    path.write_bytes(CONTENT)
    return str(path)


@pytest.fixture
def bodies(monkeypatch):
    """Records each request's body object as the client handed it to requests (before any read)."""
    seen = []
    original = requests.Session.send

    def send(self, request, **kwargs):
        body = request.body
        seen.append({"type": type(body), "body": body,
                     "file_position": file_handle(body).tell() if isinstance(body, MultipartEncoder) else None,
                     "headers": dict(request.headers)})
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return seen


def file_handle(encoder):
    return [value for name, value in encoder.fields if name == "file"][0][1]


def form_field(name, value):
    def match(request):
        for part in MultipartDecoder(request.body, request.headers["Content-Type"]).parts:
            disposition = part.headers[b"Content-Disposition"].decode()
            if disposition == 'form-data; name="%s"' % name:
                return part.content == value, "field %s = %r" % (name, part.content)
        return False, "no field %s" % name
    return match


# -- multipart ------------------------------------------------------------------------------

def test_multipart_upload_streams_the_file_as_part_named_file(http, make_client, data_file, bodies):
    expected_length = len(MultipartEncoder(
        fields=[("file", ("course.zip", io.BytesIO(CONTENT), "application/zip"))],
        boundary="x" * 32).to_string())
    http.expect("POST", PACKAGE, headers={"Content-Length": str(expected_length)},
                extra_match=[multipart_part("file", "course.zip", CONTENT, "application/zip")],
                answer={"JobToken": "tok"})
    response = multipart_upload(make_client(), "POST", PACKAGE, data_file, file_name="course.zip",
                                content_type="application/zip")
    assert response.json() == {"JobToken": "tok"}
    sent = bodies[0]
    assert sent["type"] is MultipartEncoder          # a stream, never the file's bytes
    assert sent["file_position"] == 0                 # nothing read before sending
    assert sent["headers"]["Content-Type"] == sent["body"].content_type
    assert sent["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    assert file_handle(sent["body"]).closed           # the handle is closed afterwards


def test_multipart_upload_defaults_and_extra_fields(http, make_client, data_file):
    http.expect("POST", PACKAGE, query={"x": "1"},
                extra_match=[multipart_part("file", "data.txt", CONTENT, "text/plain"), form_field("Name", b"Bio")],
                answer={})
    multipart_upload(make_client(), "POST", PACKAGE, data_file, fields={"Name": "Bio"}, params={"x": "1"})


def test_multipart_upload_after_429_sends_a_fresh_stream(http, make_client, data_file, bodies, fake_time):
    check = multipart_part("file", "data.txt", CONTENT, "text/plain")
    http.expect("POST", PACKAGE, status=429, answer_headers={"Retry-After": "2"}, extra_match=[check])
    http.expect("POST", PACKAGE, extra_match=[check], answer={"JobToken": "tok"})
    multipart_upload(make_client(), "POST", PACKAGE, data_file)
    assert fake_time.sleeps == [2.0]
    assert bodies[0]["body"] is not bodies[1]["body"]
    assert bodies[0]["body"].boundary_value != bodies[1]["body"].boundary_value
    assert bodies[1]["headers"]["Content-Type"] == bodies[1]["body"].content_type


def test_multipart_upload_does_not_read_the_file_whole(tmp_path, monkeypatch):
    """Reading the body the way http.client sends it (8 KiB blocks) reads the file in blocks."""
    big = tmp_path / "big.zip"
    big.write_bytes(b"z" * (1024 * 1024))
    reads = []
    real_open = open

    class Spy(io.BufferedReader):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    def spy_open(path, mode="r", *args, **kwargs):
        if path == str(big):
            return Spy(io.FileIO(path, "rb"))
        return real_open(path, mode, *args, **kwargs)

    class Client:
        def request(self, method, route, params=None, data=None, headers=None, expect=None):
            encoder = data()
            assert isinstance(encoder, MultipartEncoder)
            total = 0
            while True:
                block = encoder.read(8192)
                if not block:
                    break
                total += len(block)
            assert total == encoder.len
            return "response"

    from ansible_collections.d2l.brightspace.plugins.module_utils import uploads
    monkeypatch.setattr(uploads, "open", spy_open, raising=False)
    assert multipart_upload(Client(), "POST", PACKAGE, str(big)) == "response"
    assert reads and max(reads) <= 8192 and -1 not in reads and None not in reads


# -- resumable ------------------------------------------------------------------------------

def init_headers(total=10, name="data.txt", content_type="text/plain"):
    return {"X-Upload-Content-Type": content_type, "X-Upload-Content-Length": str(total),
            "X-Upload-File-Name": name}


def expect_init(http, location=UPLOAD, **kwargs):
    http.expect("POST", INIT, headers=init_headers(**kwargs), body=b"", status=308,
                answer_headers={"Location": location})


def expect_chunk(http, content_range, content, status=308, received=None):
    headers = {"Range": "bytes=0-%d" % received} if received is not None else {}
    http.expect("POST", UPLOAD, headers={"Content-Range": content_range, "Content-Type": "application/octet-stream",
                                         "Content-Length": str(len(content))},
                body=content, status=status, answer_headers=headers)


def test_resumable_upload_in_chunks(http, make_client, data_file):
    expect_init(http)
    expect_chunk(http, "bytes 0-3/10", b"0123", received=3)
    expect_chunk(http, "bytes 4-7/10", b"4567", received=7)
    expect_chunk(http, "bytes 8-9/10", b"89", status=200)
    assert resumable_upload(make_client(), INIT, data_file, chunk_size=4) == "m8zFEpk6Lr"
    assert http.calls[0].request.headers["Content-Length"] == "0"


def test_resumable_upload_one_chunk(http, make_client, data_file):
    expect_init(http, name="notes.bin", content_type="application/pdf")
    expect_chunk(http, "bytes 0-9/10", CONTENT, status=201)
    assert resumable_upload(make_client(), INIT, data_file, file_name="notes.bin",
                            content_type="application/pdf") == "m8zFEpk6Lr"


def test_resumable_upload_follows_the_range_the_service_reports(http, make_client, data_file):
    expect_init(http)
    expect_chunk(http, "bytes 0-3/10", b"0123", received=1)   # only 2 bytes arrived
    expect_chunk(http, "bytes 2-5/10", b"2345", received=5)
    expect_chunk(http, "bytes 6-9/10", b"6789", status=200)
    assert resumable_upload(make_client(), INIT, data_file, chunk_size=4) == "m8zFEpk6Lr"


def test_resumable_upload_absolute_location(http, make_client, data_file):
    expect_init(http, location=BASE + UPLOAD)
    expect_chunk(http, "bytes 0-9/10", CONTENT, status=200)
    assert resumable_upload(make_client(), INIT, data_file) == "m8zFEpk6Lr"


def test_dropped_chunk_asks_what_arrived_and_resumes(http, make_client, data_file, fake_time):
    expect_init(http)
    expect_chunk(http, "bytes 0-3/10", b"0123", received=3)
    http.drop("POST", UPLOAD, headers={"Content-Range": "bytes 4-7/10"}, body=b"4567")
    http.expect("POST", UPLOAD, headers={"Content-Range": "bytes */10"}, body=b"", status=308,
                answer_headers={"Range": "bytes=0-5"})
    expect_chunk(http, "bytes 6-9/10", b"6789", status=200)
    assert resumable_upload(make_client(), INIT, data_file, chunk_size=4) == "m8zFEpk6Lr"
    assert fake_time.sleeps == []


def test_chunk_answered_503_asks_what_arrived(http, make_client, data_file):
    expect_init(http)
    http.expect("POST", UPLOAD, headers={"Content-Range": "bytes 0-3/10"}, body=b"0123", status=503)
    http.expect("POST", UPLOAD, headers={"Content-Range": "bytes */10"}, body=b"", status=308)  # nothing arrived
    expect_chunk(http, "bytes 0-3/10", b"0123", received=3)
    expect_chunk(http, "bytes 4-7/10", b"4567", received=7)
    expect_chunk(http, "bytes 8-9/10", b"89", status=200)
    assert resumable_upload(make_client(), INIT, data_file, chunk_size=4) == "m8zFEpk6Lr"


def test_status_query_may_say_the_upload_is_complete(http, make_client, data_file):
    expect_init(http)
    http.drop("POST", UPLOAD, headers={"Content-Range": "bytes 0-9/10"}, body=CONTENT)
    http.expect("POST", UPLOAD, headers={"Content-Range": "bytes */10"}, body=b"", status=200)
    assert resumable_upload(make_client(), INIT, data_file) == "m8zFEpk6Lr"


def test_too_many_resumes_raise(http, make_client, data_file):
    expect_init(http)
    for resume in range(6):
        http.drop("POST", UPLOAD, headers={"Content-Range": "bytes 0-9/10"}, body=CONTENT)
        if resume < 5:  # MAX_RESUMES status queries, then the sixth drop is raised
            http.expect("POST", UPLOAD, headers={"Content-Range": "bytes */10"}, body=b"", status=308)
    with pytest.raises(BrightspaceError, match=r"^POST /d2l/upload/m8zFEpk6Lr failed: connection error"):
        resumable_upload(make_client(), INIT, data_file)


def test_chunk_refused_is_raised(http, make_client, data_file):
    expect_init(http)
    http.expect("POST", UPLOAD, headers={"Content-Range": "bytes 0-9/10"}, body=CONTENT, status=400,
                text="Bad range")
    with pytest.raises(BrightspaceHTTPError, match="400 Bad Request: Bad range"):
        resumable_upload(make_client(), INIT, data_file)


def test_init_without_location(http, make_client, data_file):
    http.expect("POST", INIT, headers=init_headers(), body=b"", status=308)
    with pytest.raises(BrightspaceError, match="answered 308 without an upload Location"):
        resumable_upload(make_client(), INIT, data_file)


def test_empty_file_is_rejected_before_any_request(http, make_client, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(BrightspaceError, match="empty.txt is empty: a resumable upload needs at least one byte"):
        resumable_upload(make_client(), INIT, str(empty))


# -- FileSlice --------------------------------------------------------------------------------

def test_file_slice_reads_only_its_window(data_file):
    piece = FileSlice(data_file, 2, 6, block=4)
    assert len(piece) == 6
    assert list(piece) == [b"2345", b"67"]
    assert piece._handle.closed


def test_file_slice_read_all_returns_the_whole_window(data_file):
    piece = FileSlice(data_file, 2, 6, block=4)
    assert piece.read() == b"234567"
    piece.close()
    piece = FileSlice(data_file, 0, 10, block=4)
    assert piece.read(3) == b"012" and piece.read(100) == b"3456789" and piece.read() == b""
    assert piece._handle.closed


# -- file names outside ASCII ----------------------------------------------------------------------

@pytest.mark.parametrize("name, header", [
    ("report.pdf", "report.pdf"),
    ("a b (1) [x] {y} #$&+,;=@.txt", "a b (1) [x] {y} #$&+,;=@.txt"),  # printable ASCII goes as it is
    ("a%20b.txt", "a%20b.txt"),
    ("Портфолио 2026.pdf", "UTF-8''%D0%9F%D0%BE%D1%80%D1%82%D1%84%D0%BE%D0%BB%D0%B8%D0%BE%202026.pdf"),
    ("Café.pdf", "UTF-8''Caf%C3%A9.pdf"),
    ("日本語.zip", "UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.zip"),
    ("😀.png", "UTF-8''%F0%9F%98%80.png"),
    (" lead.txt", "UTF-8''%20lead.txt"),  # a header value loses surrounding space
    ("trail.txt ", "UTF-8''trail.txt%20"),
    ("UTF-8''x.txt", "UTF-8''UTF-8%27%27x.txt"),  # would read as an ext-value itself
    ("iso-8859-1'en'y", "UTF-8''iso-8859-1%27en%27y"),
])
def test_file_name_header(name, header):
    assert file_name_header(name) == header
    header.encode("ascii")  # always sendable


@pytest.mark.parametrize("name", ["a\nb.pdf", "a\rb", "nul\x00.zip", "tab\t.txt", "del\x7f", "c1\x85.txt"])
def test_file_name_header_refuses_control_characters(name):
    with pytest.raises(ValidationError, match=r"^src: the file name '.*' contains control characters \(U\+"):
        file_name_header(name)


def test_resumable_upload_of_a_cyrillic_name(http, make_client, tmp_path):
    path = tmp_path / "Портфолио 2026.pdf"
    path.write_bytes(CONTENT)
    expect_init(http, name="UTF-8''%D0%9F%D0%BE%D1%80%D1%82%D1%84%D0%BE%D0%BB%D0%B8%D0%BE%202026.pdf",
                content_type="application/pdf")
    expect_chunk(http, "bytes 0-9/10", CONTENT, status=200)
    assert resumable_upload(make_client(), INIT, str(path)) == "m8zFEpk6Lr"


def test_resumable_upload_of_a_name_with_a_newline_sends_nothing(http, make_client, tmp_path):
    path = tmp_path / "two\nlines.pdf"
    path.write_bytes(CONTENT)
    with pytest.raises(ValidationError, match="contains control characters"):
        resumable_upload(make_client(), INIT, str(path))
    assert not http.calls


def test_multipart_sends_a_non_ascii_name_as_utf_8(http, make_client, tmp_path, bodies):
    """RFC 7578 §4.2 (and D2L's utility library): the filename parameter holds the UTF-8 name."""
    path = tmp_path / "Портфолио 2026.zip"
    path.write_bytes(CONTENT)

    def raw_name(request):
        body = request.body if isinstance(request.body, bytes) else request.body.read()
        wanted = 'filename="Портфолио 2026.zip"'.encode("utf-8")
        return wanted in body, "the UTF-8 filename parameter"

    http.expect("POST", PACKAGE, extra_match=[raw_name], answer={"JobToken": "tok"})
    multipart_upload(make_client(), "POST", PACKAGE, str(path))
