"""The audio pipeline behind :class:`publisher.renderers.audio.AudioRenderer`.

``assemble`` (utterances and pauses → PCM, positions in samples), ``loudness`` (BS.1770
loudness, true-peak limiting), ``encode`` (MP3 with an Info/LAME header frame), ``master``
(normalise, encode, check the decoded result), ``tags`` (ID3v2.4 with chapters), ``timing``
(the timing file and captions), ``chapter`` (one chapter from script to MP3, and its cache)
and ``pool`` (chapters in worker processes).
"""
