"""CRC-16/ARC, the checksum the LAME tag keeps of the whole MP3 stream
(:mod:`publisher.renderers.audio.encode`): megabytes, so not a byte at a time in Python, and a
block at a time for a stream read from a file.

Hand-written (it was part of ``encode``): the standard library's ``binascii.crc_hqx`` is
CRC-16/CCITT, another polynomial, and a byte at a time in Python is about a second for a few
megabytes.
"""

from __future__ import annotations

import numpy as np

Buffer = bytes | bytearray
"""Bytes of a stream, finished or being written."""


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc_table()


def _crc16_bytes(crc: int, data: Buffer) -> int:
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


_COLUMNS = 64
"""Bytes of every lane :func:`crc16` copies out at a time (half a megabyte in all)."""


def crc16(data: Buffer, crc: int = 0) -> int:
    """CRC-16/ARC, the checksum of the LAME tag (of the whole stream: megabytes, so not a
    byte at a time in Python).

    With a zero start and no final xor the CRC is linear. So the message is cut into equal
    lanes whose CRCs numpy computes side by side, a byte of every lane per step, the first
    lane starting from the CRC of the bytes left over in front (and of what came before
    ``data``, ``crc``: a long stream is checksummed a block at a time); then they are joined in
    order: CRC(A + B) = shift(CRC(A), len(B)) ^ CRC(B), where shift (running the register
    over len(B) zero bytes) is linear too, so two 256-entry tables hold it. The lanes are read
    from ``data`` itself, a few columns at a time: no copy of a long stream is made.
    """
    if len(data) < 1 << 14:
        return _crc16_bytes(crc, data)
    lanes = 8192
    length = len(data) // lanes
    head = len(data) - lanes * length
    rows = np.frombuffer(data, dtype=np.uint8, offset=head).reshape(lanes, length)
    table = np.array(_CRC_TABLE, dtype=np.uint16)
    crcs = np.zeros(lanes, dtype=np.uint16)
    crcs[0] = _crc16_bytes(crc, data[:head])  # under a lane's width: copied
    for first in range(0, length, _COLUMNS):
        for column in np.ascontiguousarray(rows[:, first : first + _COLUMNS].T):
            crcs = table[(crcs ^ column) & 0xFF] ^ (crcs >> 8)
    low = np.arange(256, dtype=np.uint16)  # register values 0..255 and 0..255 << 8
    high = low << 8
    for _ in range(length):
        low = table[low & 0xFF] ^ (low >> 8)
        high = table[high & 0xFF] ^ (high >> 8)
    low_list, high_list = low.tolist(), high.tolist()
    crc = 0  # the first lane holds what came before
    for lane in crcs.tolist():
        crc = low_list[crc & 0xFF] ^ high_list[crc >> 8] ^ lane
    return crc
