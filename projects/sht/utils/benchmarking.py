"""Measuring primitives of ``tools/analysis/benchmark.py``: interleaved
timing with warm-up, peak memory of a call, and a matrix-multiply reference
rate, on the CPU or on CUDA (synchronised)."""
import ctypes
import ctypes.util
import resource
import statistics
import time
from typing import Callable, Dict, Tuple

import torch
from tqdm import tqdm


def sync(device: str) -> None:
    """Wait for queued CUDA work (no-op on the CPU)."""
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def _rss_kib(field: str) -> int:
    """A ``/proc/self/status`` memory field (``VmRSS``, ``VmHWM``) in KiB."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise KeyError(field)


def release_free_memory(device: str) -> None:
    """Hand freed memory back (glibc ``malloc_trim`` / CUDA cache), so that
    a peak-memory reading is not the leftover of an earlier, larger call."""
    if device.startswith('cuda'):
        torch.cuda.empty_cache()
        return
    try:
        ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')\
            .malloc_trim(0)
    except (OSError, AttributeError):
        pass


class PeakMemory:
    """Peak memory (MiB) of the code in a ``with`` block.

    CUDA: ``torch.cuda.max_memory_allocated`` (reset on entry). CPU: the
    process's peak RSS (``VmHWM``, reset on entry through
    ``/proc/self/clear_refs``); where that reset is not allowed it is
    ``getrusage`` max RSS since the process started (``since_start``).
    ``delta_mib`` is the peak above the memory in use on entry.
    """

    def __init__(self, device: str) -> None:
        self.device = device
        self.peak_mib = self.delta_mib = 0.0
        self.since_start = False

    def _current_mib(self) -> float:
        if self.device.startswith('cuda'):
            return torch.cuda.memory_allocated() / 2**20
        return _rss_kib('VmRSS') / 1024

    def __enter__(self) -> 'PeakMemory':
        if self.device.startswith('cuda'):
            sync(self.device)
            torch.cuda.reset_peak_memory_stats()
        else:
            try:
                with open('/proc/self/clear_refs', 'w') as f:
                    f.write('5')
            except OSError:
                self.since_start = True
        self.start_mib = self._current_mib()
        return self

    def __exit__(self, *exc) -> None:
        if self.device.startswith('cuda'):
            sync(self.device)
            self.peak_mib = torch.cuda.max_memory_allocated() / 2**20
        elif self.since_start:
            self.peak_mib = resource.getrusage(
                resource.RUSAGE_SELF).ru_maxrss / 1024
        else:
            self.peak_mib = _rss_kib('VmHWM') / 1024
        self.delta_mib = self.peak_mib - self.start_mib


def interleaved(calls: Dict[str, Callable[[], None]],
                repeats: int,
                warmup: int,
                device: str,
                desc: str,
                timer: str = 'wall') -> Dict[str, dict]:
    """Time each call ``repeats`` times in interleaved rounds.

    The first (warm-up) call of each function measures its peak memory
    (after :func:`release_free_memory`) and its own time (``first_s``);
    the timed rounds follow.

    Args:
        calls (dict[str, callable]): Name -> zero-argument function.
        repeats (int): Timed rounds (every call once per round); 0 times
            the first call only (``median_s`` is then ``first_s``: for
            calls of minutes, such as an 8-pair SHT step on a CPU).
        warmup (int): Untimed rounds first (>= 1).
        device (str): ``'cpu'`` or ``'cuda...'`` (synchronised).
        desc (str): Progress bar label.
        timer (str): ``'wall'`` or ``'cpu'``: which time ``median_s`` is
            the median of (``'cpu'``: process CPU time of all threads,
            which a busy machine does not inflate by descheduling; use it
            with one thread).

    Returns:
        dict[str, dict]: Per name ``seconds`` and ``cpu_seconds`` (lists,
        in round order), ``median_s``, ``first_s`` / ``first_cpu_s`` (the
        first call), ``peak_mib`` and ``delta_mib`` (see
        :class:`PeakMemory`).
    """
    if warmup < 1 or repeats < 0:
        raise ValueError(f'need warmup >= 1 and repeats >= 0, got '
                         f'{warmup} and {repeats}')
    out = {k: dict(seconds=[], cpu_seconds=[]) for k in calls}
    with tqdm(total=(warmup + repeats) * len(calls), desc=desc,
              leave=False) as bar:
        for r in range(warmup + repeats):
            for name, fn in calls.items():
                if r == 0:
                    release_free_memory(device)
                    with PeakMemory(device) as mem:
                        wall, cpu = _timed(fn, device)
                    out[name].update(peak_mib=mem.peak_mib,
                                     delta_mib=mem.delta_mib, first_s=wall,
                                     first_cpu_s=cpu)
                elif r < warmup:
                    fn()
                else:
                    wall, cpu = _timed(fn, device)
                    out[name]['cpu_seconds'].append(cpu)
                    out[name]['seconds'].append(wall)
                bar.update()
    key = 'cpu_seconds' if timer == 'cpu' else 'seconds'
    for item in out.values():
        item['median_s'] = (statistics.median(item[key]) if repeats else
                            item['first_cpu_s' if timer == 'cpu' else
                                 'first_s'])
    return out


def _timed(fn: Callable[[], None], device: str) -> Tuple[float, float]:
    """(wall, process CPU) seconds of one synchronised call."""
    sync(device)
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    sync(device)
    return time.perf_counter() - start, time.process_time() - cpu


def matmul_call(size: int, repeats: int,
                device: str) -> Callable[[], None]:
    """``repeats`` float32 ``size x size`` matmuls (``size**3`` MACs each)."""
    a = torch.rand(size, size, device=device)
    b = torch.rand(size, size, device=device)
    out = torch.empty(size, size, device=device)

    def call() -> None:
        for _ in range(repeats):
            torch.matmul(a, b, out=out)

    return call
