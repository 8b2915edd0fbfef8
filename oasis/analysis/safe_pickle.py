"""Reading OASIS's pickled curves without running code from the file.

``pickle.load`` calls whatever the file names, so a crafted "curves" file can run a shell
command. :func:`load_numbers` unpickles with a closed list of constructors instead: Python's
containers and numbers come as they are; numpy arrays and scalars, and pandas ``Series`` and
``Index`` (what a researcher's ``pickle.dump`` of a curve holds) are rebuilt by their own
reconstructors, each of which can only be handed objects from this same list. Any other name
in the file (``os.system``, ``builtins.eval``, a class of the researcher's) refuses the file
before anything is called. pandas frames are left out: their blocks may carry arrow arrays,
whose reconstructors take more than numbers.
"""

from __future__ import annotations

import codecs
import io
import pickle
import struct
from pathlib import Path
from typing import Any

from oasis.errors import OasisError

ALLOWED = frozenset(
    {
        ("numpy", "dtype"),
        ("numpy", "ndarray"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.numeric", "_frombuffer"),
        ("pandas", "Series"),
        ("pandas", "Index"),
        ("pandas", "RangeIndex"),
        ("pandas.core.series", "Series"),
        ("pandas.core.indexes.base", "Index"),
        ("pandas.core.indexes.base", "_new_Index"),
        ("pandas.core.indexes.range", "RangeIndex"),
        ("pandas.core.internals.managers", "SingleBlockManager"),
        ("pandas._libs.internals", "_unpickle_block"),
        ("builtins", "slice"),
        ("__builtin__", "slice"),
        ("builtins", "bytearray"),
        ("__builtin__", "bytearray"),
    }
)


class UnsafePickleError(OasisError, ValueError):
    """The file names something outside the closed list, or is not a whole pickle."""


def _latin1(text: str, encoding: str = "latin1") -> bytes:
    """``_codecs.encode`` as protocol-2 pickles of numpy arrays use it, for latin-1 only."""
    if codecs.lookup(encoding).name != "iso8859-1":
        raise UnsafePickleError(f"_codecs.encode with {encoding!r}")
    return text.encode("latin1")


class _ClosedUnpickler(pickle.Unpickler):
    """An unpickler that finds only the constructors of :data:`ALLOWED`."""

    def find_class(self, module: str, name: str) -> Any:
        """The constructor ``module.name`` if the closed list admits it (pickle's hook)."""
        if (module, name) == ("_codecs", "encode"):
            return _latin1
        if (module, name) not in ALLOWED:
            raise UnsafePickleError(f"it names {module}.{name}, which is not curve data")
        return super().find_class(module, name)


def load_numbers(path: Path) -> Any:
    """The lists, tuples, dicts, numbers, numpy arrays or pandas Series pickled in ``path``.

    Raises:
        UnsafePickleError: the file names another constructor, or is truncated or not a pickle.
        OSError: the file cannot be read.
    """
    data = path.read_bytes()
    try:
        return _ClosedUnpickler(io.BytesIO(data)).load()
    except UnsafePickleError as exc:
        raise UnsafePickleError(f"{path}: refused: {exc}") from exc
    except (
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        TypeError,
        LookupError,
        struct.error,
        AttributeError,
        OverflowError,
    ) as exc:
        raise UnsafePickleError(f"{path}: not a whole pickle of curve data ({exc})") from exc
