"""The Wyoming protocol (Home Assistant, Rhasspy, voice satellites): a server for our engines, and
clients that let a small speaker use a recogniser or voice on a bigger machine.

The protocol and its event classes come from the `wyoming` package; this package only adds what is
ours: bounded reading of untrusted bytes (protocol.py), audio in any PCM format (pcm.py), what we
advertise (info.py), one connection's conversation (handler.py), the process (server.py) and the
remote engines (remote.py).
"""
