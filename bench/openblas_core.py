#!/usr/bin/env python3
"""Prints the name of the kernel set OpenBLAS picked for this CPU (openblas_get_corename)."""
import ctypes
import ctypes.util

for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
    try:
        lib = ctypes.CDLL(name)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        print(lib.openblas_get_corename().decode())
        break
    except (OSError, TypeError, AttributeError):
        continue
