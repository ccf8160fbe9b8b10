"""Audio in and out: file decoding, resampling, sources (file, streamed file, microphone),
playback."""
