"""The recogniser's heap settings: on glibc they take, elsewhere they are a no-op."""

import ctypes.util
import platform

import pytest

from assistant import heap


@pytest.mark.skipif(
    platform.system() != "Linux" or not ctypes.util.find_library("c"), reason="glibc only"
)
def test_thresholds_fixed_on_glibc():
    assert heap.fix_thresholds() is True
    heap.trim()


def test_no_c_library_is_not_an_error(monkeypatch):
    monkeypatch.setattr(heap.ctypes.util, "find_library", lambda name: None)
    heap._glibc.cache_clear()
    monkeypatch.setattr(heap, "_glibc", heap._glibc.__wrapped__)
    assert heap.fix_thresholds() is False
    heap.trim()
