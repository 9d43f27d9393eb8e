"""Which torch device a fit runs on: ``device`` checked before any torch work, and "auto".

A device this machine lacks would otherwise surface as torch's own error from deep inside a
fit (``AssertionError: Torch not compiled with CUDA enabled``); here it is a ValueError that
names the parameter, says what is available and how to fix it.
"""

import torch

__all__ = ["available_devices", "resolve_device"]


def available_devices():
    """The device types usable on this machine, best first (always ends with "cpu")."""
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return [*found, "cpu"]


def resolve_device(device, *, name="device"):
    """The device to use for `device` (a str or torch.device), as a string.

    ``"auto"`` picks the first of cuda, mps, cpu that is available. Anything else must be a
    device torch knows and this machine has.

    Raises
    ------
    ValueError
        If `device` is not a device string torch understands, or names a device this machine
        does not have.
    """
    available = available_devices()
    if isinstance(device, str) and device.strip().lower() == "auto":
        return available[0]
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"{name}={device!r} is not a device: use 'auto' (the best one available), 'cpu', "
            f"'cuda', 'cuda:<index>' or 'mps'. Available on this machine: {available}."
        ) from None
    kind = parsed.type
    if kind == "cpu":
        return "cpu"
    hint = f"Available on this machine: {available}; pass {name}='cpu', or {name}='auto' to "
    hint += "use a GPU where there is one."
    if kind == "cuda":
        if not torch.cuda.is_available():
            why = (
                "this PyTorch build has no CUDA support"
                if torch.version.cuda is None
                else "no CUDA device is visible"
            )
            raise ValueError(f"{name}={device!r}: {why}. {hint}")
        count = torch.cuda.device_count()
        if parsed.index is not None and parsed.index >= count:
            raise ValueError(
                f"{name}={device!r}: this machine has {count} CUDA device(s), "
                f"numbered 0 to {count - 1}. {hint}"
            )
        return str(parsed)
    if kind == "mps":
        if "mps" not in available:
            raise ValueError(f"{name}={device!r}: Apple's MPS backend is not available. {hint}")
        return str(parsed)
    backend = getattr(torch, kind, None)
    if backend is not None and hasattr(backend, "is_available") and backend.is_available():
        return str(parsed)
    raise ValueError(f"{name}={device!r}: no {kind} device is available. {hint}")
