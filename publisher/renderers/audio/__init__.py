"""The audio pipeline behind :class:`publisher.renderers.audio.renderer.AudioRenderer`.

``assemble`` (utterances and pauses → PCM laid out from the speech cache, positions in
samples), ``loudness`` (BS.1770 loudness meter, normalisation plan), ``peaks`` (true peak and
the limiter), ``encode`` (MP3 with an Info/LAME header frame), ``master`` (normalise, encode,
check the decoded result), ``tags`` (ID3v2.4 with chapters), ``timing`` (the timing file and
captions), ``chapter`` (one chapter from script to MP3, and its cache), ``pool`` (chapters in
worker processes) and ``settings`` (what changes the sound, hence the chapters' cache key).
"""
