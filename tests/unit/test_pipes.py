"""stdio for the server: pipes on the event loop, anything else through pygls' own classes."""

from __future__ import annotations

import os

from pygls.io_ import StdinAsyncReader, StdoutWriter

from fixloop.lsp.pipes import PipeReader, PipeWriter, open_stdio


async def test_pipes_are_read_and_written_on_the_event_loop():
    in_read, in_write = os.pipe()
    out_read, out_write = os.pipe()
    with open(in_read, "rb", buffering=0) as stdin, open(out_write, "wb", buffering=0) as stdout:
        reader, writer = await open_stdio(stdin, stdout, None)
        assert isinstance(reader, PipeReader) and isinstance(writer, PipeWriter)
        os.write(in_write, b"Content-Length: 2\r\n\r\n{}")
        os.close(in_write)
        assert await reader.readline() == b"Content-Length: 2\r\n"
        assert await reader.readline() == b"\r\n"
        assert await reader.readexactly(2) == b"{}"
        assert await reader.readexactly(5) == b""  # the end of input mid-message is an end
        writer.write(b"hello")
        await writer.drain(2.0)
        assert os.read(out_read, 5) == b"hello"
        writer.close()
    os.close(out_read)


async def test_regular_files_keep_pyglss_reader_and_writer(tmp_path):
    (tmp_path / "in").write_bytes(b"")
    with open(tmp_path / "in", "rb") as stdin, open(tmp_path / "out", "wb") as stdout:
        reader, writer = await open_stdio(stdin, stdout, None)
        assert isinstance(reader, StdinAsyncReader) and isinstance(writer, StdoutWriter)
