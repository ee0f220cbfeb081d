"""tomoedge: restore low-dose X-ray tomography slices with TomoGAN (fp32, bf16, int8), reconstruct
scans by filtered back-projection, and score images with SSIM/PSNR -- the library behind the
`tomoedge` command, on NumPy arrays, with the command's results.

    import numpy as np, tomoedge
    model = tomoedge.Model("models/tomogan-general-int8.onnx")
    restored = model.denoise(volume)            # float32 (N, H, W) or (H, W) -> same shape
    slices = tomoedge.recon(projections, flats, darks, theta_deg)
    tomoedge.ssim(restored, reference), tomoedge.psnr(restored, reference)

Errors from the library raise tomoedge.Error (a RuntimeError) with the command's message; a wrong
dtype raises TypeError, a wrong rank or shape ValueError.
"""
from ._tomoedge import (  # noqa: F401
    Error,
    Model,
    available_backends,
    psnr,
    quantize,
    recon,
    simulate_phantom,
    simulate_scan,
    ssim,
)

__all__ = [
    "Error",
    "Model",
    "available_backends",
    "psnr",
    "quantize",
    "recon",
    "simulate_phantom",
    "simulate_scan",
    "ssim",
]
