"""crosscheck's stages on Arrow record batches, and drivers that run its report on Apache
Spark (``crosscheck.spark``) and Ray (``crosscheck.ray``) with the answers of
``crosscheck report``. The Rust core (``crosscheck._native``) is the one implementation."""

from ._native import __version__

__all__ = ["__version__"]
