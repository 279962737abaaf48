"""PCM → MP3 with lameenc, plus the Xing/Info and LAME header frame lameenc does not write.

The header frame is hand-written because no well-kept Python library writes one (mutagen
only reads it, and ffmpeg would be a run-time dependency for one frame).

lameenc gives bare MPEG frames. Without a header frame a player guesses the duration from
the bitrate and the file size (close for CBR, but an ID3 tag with a cover throws it off) and
decodes LAME's encoder delay and end padding as sound. So we put one silent frame in front
that carries:

* the **Info** tag (Xing's name for a CBR stream): the number of audio frames and bytes and a
  seek table, so players show the exact length;
* the **LAME** extension: encoder delay and padding, so gapless decoders (ffmpeg, mpg123,
  Apple's) return exactly the samples we encoded. The timing files rely on this: sample 0 of
  our PCM is sample 0 of the decoded MP3.

We keep the engine's sample rate when MPEG allows it with the chosen bitrate (22050 Hz for
espeak-ng and most Piper voices, 24000 Hz for gTTS): resampling would cost time and quality
and buy nothing for speech, whose energy is below the 11 kHz such a rate carries. Only when
the rate is not an MPEG rate, or the bitrate is too high for an MPEG-2 rate (above
160 kbps), do we resample to 44100 Hz.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import lameenc
import numpy as np
import numpy.typing as npt

from publisher.renderers.audio.crc import Buffer, crc16
from publisher.renderers.audio.settings import ENCODER_VERSION, QUALITY

ENCODER_DELAY = 576
"""Samples LAME 3.100 puts before the signal (the decoder adds another 529)."""

_MPEG1_RATES = (44100, 48000, 32000)
_MPEG2_RATES = (22050, 24000, 16000)
_MPEG25_RATES = (11025, 12000, 8000)
_MPEG1_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2_BITRATES = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_XING_FLAGS_FRAMES, _XING_FLAGS_BYTES, _XING_FLAGS_TOC, _XING_FLAGS_QUALITY = 1, 2, 4, 8
_LAME_TAG_SIZE = 36


@dataclass(frozen=True, kw_only=True)
class FrameHeader:
    """One MPEG audio Layer III frame header, decoded."""

    offset: int
    version: int  # 1 (MPEG-1), 2 (MPEG-2) or 25 (MPEG-2.5)
    bitrate: int  # kbps
    sample_rate: int
    padding: bool
    protected: bool
    mono: bool
    size: int  # bytes, header included

    @property
    def samples(self) -> int:
        """Samples per channel in this frame."""
        return 1152 if self.version == 1 else 576

    @property
    def side_info_size(self) -> int:
        """Bytes of side information after the header (and CRC)."""
        if self.version == 1:
            return 17 if self.mono else 32
        return 9 if self.mono else 17


@dataclass(frozen=True, kw_only=True)
class Mp3:
    """An encoded stream (Info frame first) and what a player needs to know about it."""

    data: bytes
    sample_rate: int
    samples: int  # samples of the signal, without delay and padding
    frames: int  # audio frames, the Info frame not counted
    delay: int
    padding: int

    @property
    def duration_ms(self) -> int:
        """The signal's length in whole milliseconds (what a gapless decoder plays)."""
        return self.samples * 1000 // self.sample_rate


def mpeg_rate(sample_rate: int, bitrate: int) -> int:
    """The rate to encode at: ``sample_rate`` itself if MPEG allows it at ``bitrate``, else 44100."""
    if sample_rate in _MPEG1_RATES and bitrate in _MPEG1_BITRATES[1:]:
        return sample_rate
    if sample_rate in _MPEG2_RATES + _MPEG25_RATES and bitrate in _MPEG2_BITRATES[1:]:
        return sample_rate
    return 44100


def parse_header(data: Buffer, offset: int) -> FrameHeader | None:
    """The Layer III frame header at ``offset``, or None if there is none."""
    if offset + 4 > len(data):
        return None
    h = int.from_bytes(data[offset : offset + 4], "big")
    if h >> 21 != 0x7FF or (h >> 17) & 3 != 1:
        return None
    version = {3: 1, 2: 2, 0: 25}.get((h >> 19) & 3)
    bitrate_index, rate_index = (h >> 12) & 15, (h >> 10) & 3
    if version is None or bitrate_index in (0, 15) or rate_index == 3:
        return None
    rates = {1: _MPEG1_RATES, 2: _MPEG2_RATES, 25: _MPEG25_RATES}[version]
    bitrate = (_MPEG1_BITRATES if version == 1 else _MPEG2_BITRATES)[bitrate_index]
    sample_rate = rates[rate_index]
    padding = bool((h >> 9) & 1)
    coefficient = 144 if version == 1 else 72
    return FrameHeader(
        offset=offset,
        version=version,
        bitrate=bitrate,
        sample_rate=sample_rate,
        padding=padding,
        protected=not (h >> 16) & 1,
        mono=(h >> 6) & 3 == 3,
        size=coefficient * bitrate * 1000 // sample_rate + int(padding),
    )


def frames(data: Buffer) -> Iterator[FrameHeader]:
    """Every frame of a bare MPEG stream, in order; raises ValueError on garbage."""
    offset = 0
    while offset < len(data):
        header = parse_header(data, offset)
        if header is None:
            raise ValueError(f"no MPEG frame at byte {offset}")
        yield header
        offset += header.size


def resample(samples: npt.NDArray[np.int16], source: int, target: int) -> npt.NDArray[np.int16]:
    """int16 samples from ``source`` Hz to ``target`` Hz, ``ceil(n * target / source)`` of
    them (pedalboard's streaming resampler, flushed: deterministic, and no scipy to import)."""
    from pedalboard import Resample
    from pedalboard.io import StreamResampler

    length = -(-len(samples) * target // source)
    if not length:
        return np.zeros(0, dtype="<i2")
    # A 64-tap windowed sinc: over 100 dB signal-to-noise on a test tone (16-bit audio holds
    # 96 dB; scipy's resample_poly, used before, about 70 dB), delay under a fifth of a sample.
    resampler = StreamResampler(source, target, 1, Resample.Quality.WindowedSinc64)
    signal = (samples.astype(np.float32) / 32768.0)[np.newaxis, :]
    out = np.concatenate([resampler.process(signal)[0], resampler.process()[0]])[:length]
    out = np.pad(out, (0, length - len(out)))  # its own count may be one short
    result: npt.NDArray[np.int16] = np.clip(np.round(out * 32768.0), -32768, 32767).astype("<i2")
    return result


def encode(pcm: bytes, sample_rate: int, bitrate: int) -> Mp3:
    """Encode mono 16-bit PCM at ``sample_rate`` (an MPEG rate, see :func:`mpeg_rate`) as
    CBR MP3 at ``bitrate`` kbps, with an Info/LAME header frame in front."""
    return encode_stream([pcm], sample_rate, bitrate)


def encode_stream(
    chunks: Iterable[bytes | npt.NDArray[np.int16]], sample_rate: int, bitrate: int
) -> Mp3:
    """:func:`encode` for PCM given in pieces (bytes or int16 arrays), so a long chapter is
    never held twice; LAME buffers across calls, so the pieces' sizes do not change the bytes."""
    audio, samples = encode_frames(chunks, sample_rate, bitrate)
    return with_info(audio, sample_rate, samples)


def encode_frames(
    chunks: Iterable[bytes | npt.NDArray[np.int16]], sample_rate: int, bitrate: int
) -> tuple[bytearray, int]:
    """Bare MPEG frames of the PCM in ``chunks`` from a fresh encoder, flushed, and the number
    of samples given. A fresh encoder's first frame borrows nothing from a bit reservoir, so
    such streams can follow each other (see :mod:`publisher.renderers.audio.segments`)."""
    audio = bytearray()  # grows in place; the frames are not copied again until the end
    samples = encode_to(chunks, sample_rate, bitrate, audio.extend)
    return audio, samples


def encode_to(
    chunks: Iterable[bytes | npt.NDArray[np.int16]],
    sample_rate: int,
    bitrate: int,
    write: Callable[[bytes], object],
) -> int:
    """:func:`encode_frames`, the frames given to ``write`` as the encoder makes them (into
    a file: an hour's are 29 MB); the number of samples given."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_out_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(QUALITY)
    samples = 0
    head = b""
    for chunk in itertools.chain(chunks, [None]):  # the flush after the last
        if chunk is None:
            out = encoder.flush()
        else:
            data = chunk if isinstance(chunk, bytes) else chunk.astype("<i2", copy=False).tobytes()
            samples += len(data) // 2
            out = encoder.encode(data)
        head = head if len(head) >= 4 else (head + bytes(out))[:4]
        write(out)
    first = parse_header(head, 0)
    if first is None:
        raise ValueError("the encoder returned no frames")
    if first.sample_rate != sample_rate:  # pragma: no cover - LAME resampled behind our back
        raise ValueError(f"LAME encoded at {first.sample_rate} Hz, not {sample_rate} Hz")
    return samples


def info_for(audio: Buffer, samples: int) -> tuple[bytes, int, int]:
    """The Info/LAME header frame to put in front of ``audio`` (bare frames) for a gapless
    length of ``samples`` after :data:`ENCODER_DELAY` (the rest is end padding), the number
    of frames and the padding. Apart from :func:`with_info` so that a long stream can be
    written after it without being copied behind it in memory."""
    first = parse_header(audio, 0)
    if first is None:
        raise ValueError("no MPEG frame at byte 0")
    count = frame_count(audio)
    padding = count * first.samples - ENCODER_DELAY - samples
    info = info_frame(first, audio, frames=count, delay=ENCODER_DELAY, padding=padding)
    return info, count, padding


def info_for_blocks(blocks: Iterable[Buffer], samples: int, count: int) -> bytes:
    """:func:`info_for`'s header frame for bare frames given in blocks (read from a file:
    an hour's are 29 MB) and known to be ``count`` frames; each block is read once."""
    crc = length = 0
    head = b""
    for block in blocks:
        head = head if len(head) >= 4 else (head + bytes(block[:4]))[:4]
        crc = crc16(block, crc)
        length += len(block)
    first = parse_header(head, 0)
    if first is None:
        raise ValueError("no MPEG frame at byte 0")
    padding = count * first.samples - ENCODER_DELAY - samples
    return _info_frame(first, head, length, crc, frames=count, delay=ENCODER_DELAY, padding=padding)


def with_info(audio: Buffer, sample_rate: int, samples: int) -> Mp3:
    """The stream ``audio`` (bare frames) with the Info/LAME header frame in front, for a
    gapless length of ``samples`` after :data:`ENCODER_DELAY` (the rest is end padding)."""
    info, count, padding = info_for(audio, samples)
    return Mp3(
        data=info + audio,  # bytes, though audio is a bytearray
        sample_rate=sample_rate,
        samples=samples,
        frames=count,
        delay=ENCODER_DELAY,
        padding=padding,
    )


def count_frames(blocks: Iterable[Buffer]) -> int:
    """How many frames the stream given in ``blocks`` holds (cut anywhere, even in a header),
    quickly for one encoder's output, as :func:`frame_count` counts."""
    count = skip = 0
    tail = b""
    same = size = 0  # the first header but for its padding bit, and its unpadded size
    for block in blocks:
        if skip >= len(block):
            skip -= len(block)
            continue
        data = tail + bytes(block[skip:])
        offset = 0
        while offset + 4 <= len(data):
            header = int.from_bytes(data[offset : offset + 4], "big")
            if header | 1 << 9 != same:  # the first frame, or another kind of frame
                parsed = parse_header(data, offset)
                if parsed is None:
                    raise ValueError("no MPEG frame where one should start")
                same, size = header | 1 << 9, parsed.size - int(parsed.padding)
            offset += size + (header >> 9 & 1)
            count += 1
        skip, tail = (offset - len(data), b"") if offset >= len(data) else (0, data[offset:])
    return count


def frame_count(data: Buffer) -> int:
    """How many frames :func:`frames` finds in ``data``, quickly for one encoder's output:
    every header the same as the first but for the padding bit (a frame one byte longer)."""
    first = parse_header(data, 0)
    if first is None:
        raise ValueError("no MPEG frame at byte 0")
    same = int.from_bytes(data[:4], "big") | 1 << 9
    size = first.size - int(first.padding)
    offset = count = 0
    end = len(data)
    while offset < end:
        header = int.from_bytes(data[offset : offset + 4], "big")
        if header | 1 << 9 != same:  # another kind of frame: take the general path
            return count + sum(1 for _ in frames(data[offset:]))
        offset += size + (header >> 9 & 1)
        count += 1
    return count


def info_frame(
    first: FrameHeader, audio: Buffer, *, frames: int, delay: int, padding: int
) -> bytes:
    """A silent frame like ``first`` (unpadded) holding the Info tag and the LAME extension.

    Layout as LAME writes it (LAME's VbrTag.c; the "Info" tag is Xing's for CBR). The seek
    table is left out when the frame is too small for it (32 kbps at 22050 Hz).
    """
    raw = bytes(audio[first.offset : first.offset + 4])
    length, crc = len(audio), crc16(audio)
    return _info_frame(first, raw, length, crc, frames=frames, delay=delay, padding=padding)


def _info_frame(
    first: FrameHeader, raw: bytes, length: int, crc: int, *, frames: int, delay: int, padding: int
) -> bytes:
    """:func:`info_frame` for a stream whose first header is ``raw``, ``length`` bytes long
    with the CRC-16 ``crc``."""
    header = int.from_bytes(raw, "big") & ~(1 << 9)
    coefficient = 144 if first.version == 1 else 72
    size = coefficient * first.bitrate * 1000 // first.sample_rate
    start = 4 + (2 if first.protected else 0) + first.side_info_size
    with_toc = start + 120 + _LAME_TAG_SIZE <= size
    if start + 20 + _LAME_TAG_SIZE > size:  # pragma: no cover - 8/16 kbps, not allowed by config
        raise ValueError(f"a {first.bitrate} kbps frame is too small for an Info tag")
    frame = bytearray(size)
    frame[0:4] = header.to_bytes(4, "big")
    flags = _XING_FLAGS_FRAMES | _XING_FLAGS_BYTES | _XING_FLAGS_QUALITY
    xing = bytearray(b"Info")
    total_bytes = size + length
    if with_toc:
        flags |= _XING_FLAGS_TOC
    xing += flags.to_bytes(4, "big") + frames.to_bytes(4, "big") + total_bytes.to_bytes(4, "big")
    if with_toc:  # CBR: byte position grows linearly with time
        xing += bytes(min(255, i * 256 // 100) for i in range(100))
    xing += (100 - 10 * 4 - QUALITY).to_bytes(4, "big")  # LAME's formula at its default VBR_q
    frame[start : start + len(xing)] = xing
    lame = start + len(xing)
    frame[lame : lame + 9] = ENCODER_VERSION
    frame[lame + 9] = 0x01  # tag revision 0, method 1 = CBR
    frame[lame + 10] = 0  # lowpass unknown
    # peak (4), radio and audiophile replay gain (2 + 2), flags + ATH (1): left zero
    # MP3 gain (1), preset and surround (2) after the delays: left zero
    frame[lame + 20] = min(first.bitrate, 255)
    frame[lame + 21 : lame + 24] = ((delay << 12) | (padding & 0xFFF)).to_bytes(3, "big")
    frame[lame + 24] = _source_rate_bits(first.sample_rate) << 6
    frame[lame + 28 : lame + 32] = total_bytes.to_bytes(4, "big")
    frame[lame + 32 : lame + 34] = crc.to_bytes(2, "big")
    frame[lame + 34 : lame + 36] = crc16(bytes(frame[: lame + 34])).to_bytes(2, "big")
    return bytes(frame)


def _source_rate_bits(rate: int) -> int:
    """The LAME tag's "source sample frequency" code."""
    if rate <= 32000:
        return 0
    return 1 if rate == 44100 else 2 if rate == 48000 else 3
