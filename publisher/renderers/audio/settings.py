"""What in the audio code changes how a finished chapter sounds, in one place: every value
here is part of each chapter's cache key (:data:`CHAPTER_FORMAT`), so changing one makes the
chapters again.

They are apart from the code that uses them so that the renderer's own process can compute
the cache keys without importing numpy and the encoder, which only the workers need.
"""

from __future__ import annotations

FORMAT = 6  # 5: a finished chapter keeps where its words are; 6: its gain from itself alone
"""Bump when chapters are made differently in a way the values below do not capture."""

ENCODER_VERSION = b"LAME3.100"
"""The encoder lameenc embeds; decoders only read delay and padding behind this prefix."""
QUALITY = 7
"""LAME's algorithm quality (0 best, 9 fastest): 7 is the command line's ``-f``. The
psychoacoustic model still chooses block types (against pre-echo) and the bits per frame;
what 7 leaves out is noise shaping, the per-band fine-tuning of quantisation noise under the
masking threshold. At 64 kbps for mono 22050 Hz speech (2.9 bits a sample, generous) that
buys little: the noise is 25 dB below the signal (23 dB at 5, 21 at 2, which shape it
instead), and a simple noise-to-mask estimate puts 2, 3, 5 and 7 within a point of each
other. It halves the encoder's time, the largest part of making a chapter: the seed's 607 s
take 1.0 s at 7, 1.9 s at 5, 2.2 s at 3 (the ``lame`` tool's default), 3.4 s at 2."""

CEILING_DBTP = -2.0
"""The true peak we aim under before encoding: the product promises −1 dBTP *after* MP3
encoding, which adds up to about half a dB of overshoot at these bitrates; the rest is
margin. :mod:`publisher.renderers.audio.master` checks the MP3 itself and tightens it if needed."""
SMOOTHING = 0.02
"""Seconds over which the limiter's gain changes (attack and release alike)."""

ENCODER_GAIN_DB = -0.446
"""How much louder the decoded MP3 is than the PCM given to LAME (measured: a 440 Hz tone
at 22050, 24000 and 44100 Hz, 64 and 128 kbps, all −0.446 dB)."""
GAIN_STEP_DB = 0.5
"""The grid a chapter's mastering gain lies on (:mod:`publisher.renderers.audio.master`): the
gain is a whole number of these steps. Half a step (a quarter of a LU) is the most a chapter
misses the target by for it. A finer grid is more exact, and an edit crosses from one step
to the next (encoding the whole chapter again) more often: about as often as the edit moves
the chapter's loudness by a step's fraction (a paragraph in a 2,000-word chapter: hundredths
of a LU, a few in a hundred edits)."""
LOUDNESS_TOLERANCE = 0.2
"""LU by which the encoder may move the decoded MP3 from what the gain predicts (it moves it
by hundredths) before the gain is found again."""
GRID_TOLERANCE = GAIN_STEP_DB / 2 + LOUDNESS_TOLERANCE
"""LU the decoded MP3 may miss the target by before it is encoded again with another step
(the promise is 1)."""
PEAK_LIMIT_DBTP = -1.2
"""The true peak of the decoded MP3 above which it is encoded again with a lower ceiling
(the promise is −1 dBTP; 0.2 dB spare for other decoders' rounding)."""
CEILING_STEP_DB = 0.5
"""The ceiling is lowered in whole steps of this many dB, so that it, too, is one of a few
values rather than one an earlier build happened to need."""

ROOM_DBFS = -47.0
"""RMS of room tone under a meant pause in the mastered chapter, in dBFS: 28 dB under the
speech (a quiet room), 3 dB over the −50 dB at which "trim silence" features take it for
silence (see :mod:`publisher.renderers.audio.pauses`)."""
CHIME_DBFS = -26.0
"""Peak of the chime at each end of a meant pause in the mastered chapter, in dBFS: soft
beside speech that peaks near −2 dBFS, and short enough that the loudness gate leaves it out."""
CHIME_SECONDS = 0.8
"""Length of one chime (at most half the pause)."""
PAUSE_FADE_SECONDS = 0.15
"""Room tone fades in and out over this long, so it does not start with a click."""
PAUSE_SOUND_SEED = 20260
"""The seed of the room tone's noise: the same tone on every build."""

CHAPTER_FORMAT = (
    FORMAT,
    ENCODER_VERSION.decode(),
    QUALITY,
    CEILING_DBTP,
    SMOOTHING,
    ENCODER_GAIN_DB,
    LOUDNESS_TOLERANCE,
    PEAK_LIMIT_DBTP,
    GAIN_STEP_DB,
    CEILING_STEP_DB,
    ROOM_DBFS,
    CHIME_DBFS,
    CHIME_SECONDS,
    PAUSE_FADE_SECONDS,
    PAUSE_SOUND_SEED,
)
"""What in this code changes a finished chapter; part of its cache key."""
