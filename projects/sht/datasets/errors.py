"""Errors for bad face annotations, and the policy that raises or skips them.

Every problem found while reading a dataset (a broken ``.pts``, a WFLW line
with the wrong field count, a missing or unreadable image, a zero-size box)
is a :class:`FaceDataError` that names the file, the line when the source is
a text file, what was found and what was expected. A
:class:`InvalidSamplePolicy` either raises it (the default) or records it so
that the dataset can skip the sample and log how many were skipped and which.
"""
import sys
from typing import Callable, List, Optional

from mmengine.logging import MMLogger, print_log


class FaceDataError(ValueError):
    """A face annotation or image that cannot be used.

    Args:
        path (str): The file at fault (annotation list, ``.pts``, json or
            image).
        problem (str): What is wrong, e.g. ``'found 67 points'``.
        expected (str, optional): What was expected, e.g.
            ``'68 lines "x y" between "{" and "}"'``.
        line (int, optional): 1-based line number in ``path`` for text
            annotations.
    """

    def __init__(self,
                 path: str,
                 problem: str,
                 expected: Optional[str] = None,
                 line: Optional[int] = None) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        self.expected = expected
        where = self.path if line is None else f'{self.path}:{line}'
        message = f'{where}: {problem}'
        if expected:
            message += f' (expected {expected})'
        super().__init__(message)


class InvalidSamplePolicy:
    """Raise on invalid samples, or collect them to be skipped.

    Args:
        skip_invalid (bool): When ``False`` (default) :meth:`handle` re-raises
            the error. When ``True`` the error is recorded and the caller
            skips the sample.
    """

    def __init__(self, skip_invalid: bool = False) -> None:
        self.skip_invalid = bool(skip_invalid)
        self.skipped: List[FaceDataError] = []

    def handle(self, error: FaceDataError) -> None:
        """Raise ``error`` or record it, following the policy."""
        if not self.skip_invalid:
            raise error
        self.skipped.append(error)

    def report(self, source: str, logger: Optional[MMLogger] = None) -> None:
        """Log how many samples were skipped and why (one line each)."""
        if not self.skipped:
            return
        lines = [f'{source}: skipped {len(self.skipped)} invalid sample(s):']
        lines += [f'  - {err}' for err in self.skipped]
        print_log(
            '\n'.join(lines),
            logger=logger if logger is not None else 'current',
            level=30)  # logging.WARNING


def run_cli(main: Callable[[], object]) -> int:
    """Run a converter's ``main``; a :class:`FaceDataError` is printed as
    ``error: <file>[:<line>]: ...`` and gives exit status 1 (not a
    traceback)."""
    try:
        main()
    except FaceDataError as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    return 0
